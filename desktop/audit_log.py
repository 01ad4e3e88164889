"""The audit activity catalogue and the writer of Graph `directoryAudit` records.

The lifecycle builds each record as Graph would return it and inserts it through
`audit_record.event_fields`, so written and imported records have one shape.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from desktop import audit_chain
from desktop.audit_record import event_fields
from models import User, new_id

ENTITLEMENT_MANAGEMENT = "EntitlementManagement"
USER_MANAGEMENT = "UserManagement"
GROUP_MANAGEMENT = "GroupManagement"
APPLICATION_MANAGEMENT = "ApplicationManagement"

ENTITLEMENT_MANAGEMENT_SERVICE = "Entitlement Management"
CORE_DIRECTORY_SERVICE = "Core Directory"

# The first-party application that carries out entitlement management's own steps and its
# directory changes. Reports recognise it by display name, as Entra's workbooks do: its ids
# differ between tenants, so these are this app's own fixed ids, not Microsoft's.
IDENTITY_GOVERNANCE_APP_NAME = "Azure AD Identity Governance - User Management"
IDENTITY_GOVERNANCE_APP_ID = "5b3f6d0e-2c4a-4e7b-8f19-6a2d0c9e4b71"
IDENTITY_GOVERNANCE_SERVICE_PRINCIPAL_ID = "4f8a3a2c-6d1e-4a8b-9b47-0e2f6c1d5a93"

SUCCESS = "success"
FAILURE = "failure"
TIMEOUT = "timeout"


@dataclass(frozen=True)
class Activity:
    category: str
    name: str
    operation_type: str


USER_REQUESTS = Activity(ENTITLEMENT_MANAGEMENT, "User requests access package assignment", "Add")
ADMIN_ASSIGNS = Activity(ENTITLEMENT_MANAGEMENT, "Administrator directly assigns user to access package", "Assign")
AUTO_APPROVE = Activity(ENTITLEMENT_MANAGEMENT, "Auto approve access package assignment request", "Update")
CREATE_APPROVAL = Activity(USER_MANAGEMENT, "Create request approval", "Add")
ADD_APPROVER = Activity(USER_MANAGEMENT, "Add approver to request approval", "Add")
STAGE_COMPLETED = Activity(
    ENTITLEMENT_MANAGEMENT, "Approval stage completed for access package assignment request", "Update"
)
APPROVE = Activity(ENTITLEMENT_MANAGEMENT, "Approve access package assignment request", "Update")
READY_TO_FULFILL = Activity(ENTITLEMENT_MANAGEMENT, "Ready to fulfill access package assignment request", "Update")
FULFILL = Activity(ENTITLEMENT_MANAGEMENT, "Fulfill access package assignment", "Assign")
DENY = Activity(ENTITLEMENT_MANAGEMENT, "Deny access package assignment request", "Update")
TIMED_OUT = Activity(
    ENTITLEMENT_MANAGEMENT, "Access package assignment request timed out (no approver action taken)", "Update"
)
CANCEL = Activity(ENTITLEMENT_MANAGEMENT, "Cancel access package assignment request", "Update")
REMOVE_ASSIGNMENT = Activity(ENTITLEMENT_MANAGEMENT, "Remove access package assignment", "Unassign")

# The request lifecycle's activities in the order of the design's table.
LIFECYCLE_ACTIVITIES = (
    USER_REQUESTS,
    ADMIN_ASSIGNS,
    AUTO_APPROVE,
    CREATE_APPROVAL,
    ADD_APPROVER,
    STAGE_COMPLETED,
    APPROVE,
    READY_TO_FULFILL,
    FULFILL,
    DENY,
    TIMED_OUT,
    CANCEL,
    REMOVE_ASSIGNMENT,
)

ADD_GROUP_MEMBER = Activity(GROUP_MANAGEMENT, "Add member to group", "Assign")
REMOVE_GROUP_MEMBER = Activity(GROUP_MANAGEMENT, "Remove member from group", "Unassign")
ADD_APP_ROLE_ASSIGNMENT = Activity(APPLICATION_MANAGEMENT, "Add app role assignment grant to user", "Assign")
REMOVE_APP_ROLE_ASSIGNMENT = Activity(APPLICATION_MANAGEMENT, "Remove app role assignment from user", "Unassign")
DIRECTORY_ACTIVITIES = (ADD_GROUP_MEMBER, REMOVE_GROUP_MEMBER, ADD_APP_ROLE_ASSIGNMENT, REMOVE_APP_ROLE_ASSIGNMENT)

APP_INITIATOR = {
    "user": None,
    "app": {
        "appId": IDENTITY_GOVERNANCE_APP_ID,
        "displayName": IDENTITY_GOVERNANCE_APP_NAME,
        "servicePrincipalId": IDENTITY_GOVERNANCE_SERVICE_PRINCIPAL_ID,
        "servicePrincipalName": IDENTITY_GOVERNANCE_APP_NAME,
    },
}


def user_initiator(user: User) -> dict:
    return {
        "user": {
            "id": user.id,
            "displayName": user.display_name,
            "userPrincipalName": user.user_principal_name,
            "ipAddress": None,
        },
        "app": None,
    }


def user_target(user: User) -> dict:
    return {
        "id": user.id,
        "displayName": user.display_name,
        "type": "User",
        "userPrincipalName": user.user_principal_name,
    }


def record(
    activity: Activity,
    *,
    at: datetime,
    initiated_by: dict,
    targets: list[dict],
    correlation_id: str | None,
    details: list[tuple[str, str]] = (),
    result: str = SUCCESS,
    result_reason: str | None = None,
    record_id: str | None = None,
) -> dict:
    """A Graph `directoryAudit` document (a new random id unless `record_id` is given).
    Entitlement-management and approval records are logged by Entitlement Management,
    directory changes by Core Directory."""
    service = CORE_DIRECTORY_SERVICE if activity in DIRECTORY_ACTIVITIES else ENTITLEMENT_MANAGEMENT_SERVICE
    return {
        "id": record_id or new_id(),
        "category": activity.category,
        "correlationId": correlation_id,
        "result": result,
        "resultReason": result_reason or "",
        "activityDisplayName": activity.name,
        "activityDateTime": at,
        "loggedByService": service,
        "operationType": activity.operation_type,
        "initiatedBy": initiated_by,
        "targetResources": targets,
        "additionalDetails": [{"key": key, "value": value} for key, value in details],
    }


def request_targets(
    *, package_id: str, package_name: str, policy_id: str | None, policy_name: str | None, request_id: str, target: User
) -> list[dict]:
    """The targets of an entitlement-management record: package, policy, request, user."""
    return [
        {"id": package_id, "displayName": package_name, "type": "AccessPackage"},
        {"id": policy_id, "displayName": policy_name, "type": "AccessPackageAssignmentPolicy"},
        {"id": request_id, "displayName": None, "type": "AccessPackageAssignmentRequest"},
        user_target(target),
    ]


def group_targets(user: User, group_id: str, group_name: str) -> list[dict]:
    return [user_target(user), {"id": group_id, "displayName": group_name, "type": "Group"}]


def app_role_targets(
    user: User,
    *,
    application_id: str,
    application_name: str,
    app_role_id: str | None,
    app_role_value: str | None,
    app_role_name: str | None,
) -> list[dict]:
    """Targets of an app role grant or removal, with the modified properties Graph lists
    (values JSON-encoded, as Graph gives them)."""
    properties = (
        ("AppRole.Id", app_role_id),
        ("AppRole.Value", app_role_value),
        ("AppRole.DisplayName", app_role_name),
        ("User.ObjectID", user.id),
        ("User.UPN", user.user_principal_name),
    )
    return [
        {
            "id": application_id,
            "displayName": application_name,
            "type": "ServicePrincipal",
            "modifiedProperties": [
                {"displayName": name, "oldValue": None, "newValue": json.dumps(value)} for name, value in properties
            ],
        },
        user_target(user),
    ]


def write_records(documents: list[dict]) -> None:
    """Append the documents to the audit chain in order (their AuditEvent.seq follows the list)."""
    audit_chain.append(event_fields(document) for document in documents)
