"""A small tenant every report and export test reads (and `every_report` over it): packages, assignments, resource roles,
connected organizations, a pending request and audit records (built with direct rows)."""

import itertools
import uuid
from datetime import timedelta
from types import SimpleNamespace

from desktop.audit_record import event_fields
from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR, REPORTS_READER
from desktop.reports.app_role_activity import AppRoleActivityReport
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.audit import AuditLogReport
from desktop.reports.base import QueryReport
from desktop.reports.connected_organizations import ConnectedOrganizationsReport
from desktop.reports.package_activity import PackageActivityReport
from desktop.reports.request_history import RequestHistoryReport, request_history_reports
from desktop.reports.user_packages import AssignedPackagesReport, CanRequestReport
from desktop.reports.user_resources import ResourceAssignmentsReport
from models import (
    ApprovalDecision,
    Assignment,
    AssignmentRequest,
    AuditEvent,
    ConnectedOrganizationSponsor,
    RequestApprover,
    ResourceRoleAssignment,
)
from tests.helpers import factories
from tests.helpers.factories import T0

_ids = itertools.count(1)


def guid() -> str:
    return str(uuid.uuid4())


def user_target(user) -> dict:
    return {
        "id": user.id,
        "displayName": user.display_name,
        "type": "User",
        "userPrincipalName": user.user_principal_name,
        "modifiedProperties": [],
    }


def package_target(package) -> dict:
    return {"id": package.id, "displayName": package.display_name, "type": "AccessPackage", "modifiedProperties": []}


def audit(
    activity: str,
    when,
    *,
    category="EntitlementManagement",
    initiator=None,
    app=None,
    targets=(),
    correlation_id=None,
    details=(),
    result="success",
) -> AuditEvent:
    """Write one audit record from its Graph document, as the lifecycle and importers do."""
    if app is not None:
        initiated_by = {"user": None, "app": {"displayName": app, "servicePrincipalId": guid(), "appId": guid()}}
    elif initiator is not None:
        initiated_by = {
            "user": {
                "id": initiator.id,
                "displayName": initiator.display_name,
                "userPrincipalName": initiator.user_principal_name,
            },
            "app": None,
        }
    else:
        initiated_by = {"user": None, "app": None}
    document = {
        "id": guid(),
        "activityDateTime": when,
        "category": category,
        "activityDisplayName": activity,
        "operationType": "Add",
        "result": result,
        "resultReason": "",
        "loggedByService": "Core Directory",
        "correlationId": correlation_id or guid(),
        "initiatedBy": initiated_by,
        "targetResources": list(targets),
        "additionalDetails": list(details),
    }
    return AuditEvent.create(**event_fields(document))


def assign(package, policy, target, state="delivered", *, start=T0, end=None, roles=()) -> Assignment:
    status = {"delivered": "Delivered", "delivering": "Delivering", "expired": "Expired"}[state]
    assignment = Assignment.create(
        access_package=package,
        assignment_policy=policy,
        target=target,
        state=state,
        status=status,
        schedule_start=start,
        schedule_end=end,
        created_date_time=start,
    )
    for role in roles:
        ResourceRoleAssignment.create(
            assignment=assignment,
            role=role,
            scope=role.resource.scopes.get(),
            target=target,
            status="Fulfilled",
            created_date_time=start,
        )
    return assignment


def app_role_record(when, activity, application_id, application_name, subject, role, *, app=None, initiator=None):
    removed = activity.startswith("Remove")
    value = f'"{role}"'
    service_principal = {
        "id": application_id,
        "displayName": application_name,
        "type": "ServicePrincipal",
        "modifiedProperties": [
            {
                "displayName": "AppRole.DisplayName",
                "oldValue": value if removed else None,
                "newValue": None if removed else value,
            },
            {"displayName": "User.ObjectID", "oldValue": None, "newValue": f'"{subject.id}"'},
        ],
    }
    return audit(
        activity,
        when,
        category="ApplicationManagement",
        app=app,
        initiator=initiator,
        targets=[service_principal, user_target(subject)],
    )


def build_tenant() -> SimpleNamespace:
    t = SimpleNamespace()
    t.fabrikam = factories.connected_organization("Fabrikam", domain="fabrikam.com")
    t.admin = factories.user("Ada Admin")
    factories.grant_role(t.admin, IDENTITY_GOVERNANCE_ADMINISTRATOR)
    t.reader = factories.user("Rita Reader")
    factories.grant_role(t.reader, REPORTS_READER)
    t.alice = factories.user("Alice Archer")
    t.bob = factories.user("Bob Guest", user_type="Guest", connected_organization=t.fabrikam, domain="fabrikam.com")
    t.carol = factories.user("Carol Clark")
    t.nobody = factories.user("Nick Nobody")
    ConnectedOrganizationSponsor.create(connected_organization=t.fabrikam, user=t.admin, kind="internal")
    ConnectedOrganizationSponsor.create(connected_organization=t.fabrikam, user=t.carol, kind="internal")
    ConnectedOrganizationSponsor.create(connected_organization=t.fabrikam, user=t.bob, kind="external")
    t.contoso_org = factories.connected_organization("Contoso Partners", state="proposed", domain="partners.com")

    t.catalog = factories.catalog("General")
    t.sales_role = factories.group_resource(t.catalog, "Sales team")
    t.finance_role = factories.group_resource(t.catalog, "Finance team")
    t.sales = factories.access_package("Sales", target_catalog=t.catalog, roles=[t.sales_role])
    t.finance = factories.access_package("Finance", target_catalog=t.catalog, roles=[t.finance_role, t.sales_role])
    t.hidden = factories.access_package("Hidden", target_catalog=t.catalog, hidden=True)
    t.sales_open = factories.policy(t.sales, "Members", scope="allMemberUsers")
    t.sales_approved = factories.policy(t.sales, "With approval", scope="allDirectoryUsers", stages=[[t.admin]])
    t.finance_direct = factories.policy(t.finance, "Direct", scope="notSpecified")
    t.finance_approved = factories.policy(t.finance, "Approved", scope="allMemberUsers", stages=[[t.admin]])
    factories.policy(t.hidden, "Members", scope="allMemberUsers")

    t.alice_sales = assign(t.sales, t.sales_open, t.alice, roles=[t.sales_role], end=T0 + timedelta(days=30))
    t.alice_finance = assign(
        t.finance, t.finance_direct, t.alice, start=T0 + timedelta(days=1), roles=[t.finance_role, t.sales_role]
    )
    t.bob_sales = assign(t.sales, t.sales_approved, t.bob, "expired", roles=())
    t.carol_sales = assign(t.sales, t.sales_open, t.carol, "delivering", start=T0 + timedelta(hours=2))

    t.request = AssignmentRequest.create(
        access_package=t.finance,
        assignment_policy=t.finance_approved,
        request_type="userAdd",
        state="pendingApproval",
        status="PendingApproval",
        requestor=t.carol,
        target=t.carol,
        justification="Quarter close",
        created_date_time=T0 + timedelta(days=2),
        current_stage=1,
        stage_started_date_time=T0 + timedelta(days=2),
    )
    RequestApprover.create(request=t.request, stage_number=1, approver=t.admin)
    t.old_request = AssignmentRequest.create(
        access_package=t.sales,
        assignment_policy=t.sales_approved,
        request_type="userAdd",
        state="denied",
        status="Denied",
        requestor=t.bob,
        target=t.bob,
        created_date_time=T0,
        completed_date_time=T0 + timedelta(hours=3),
    )
    RequestApprover.create(request=t.old_request, stage_number=1, approver=t.admin)
    ApprovalDecision.create(
        request=t.old_request,
        stage_number=1,
        approver=t.admin,
        review_result="Deny",
        justification="Not a partner",
        reviewed_date_time=T0 + timedelta(hours=3),
    )

    when = T0 + timedelta(days=2)
    request_targets = [user_target(t.carol), package_target(t.finance)]
    t.request_events = [
        audit(
            "User requests access package assignment",
            when,
            initiator=t.carol,
            targets=request_targets,
            correlation_id=t.request.id,
            details=[{"key": "RequestType", "value": "UserAdd"}, {"key": "Justification", "value": "Quarter close"}],
        ),
        audit(
            "Create request approval",
            when,
            category="UserManagement",
            initiator=t.carol,
            targets=request_targets,
            correlation_id=t.request.id,
        ),
        audit(
            "Add approver to request approval",
            when,
            category="UserManagement",
            initiator=t.carol,
            targets=[user_target(t.admin), package_target(t.finance)],
            correlation_id=t.request.id,
        ),
    ]
    t.sales_events = [
        audit(
            "Administrator directly assigns user to access package",
            T0 - timedelta(days=40),
            initiator=t.admin,
            targets=[user_target(t.alice), package_target(t.sales)],
        ),
        audit(
            "Fulfill access package assignment",
            T0 - timedelta(days=3),
            initiator=t.alice,
            targets=[user_target(t.alice), package_target(t.sales)],
        ),
        audit(
            "Remove access package assignment",
            T0 - timedelta(hours=5),
            initiator=t.admin,
            result="failure",
            targets=[user_target(t.bob), package_target(t.sales)],
        ),
    ]
    t.application_id, t.other_application_id = guid(), guid()
    t.app_events = [
        app_role_record(
            T0 - timedelta(days=1),
            "Add app role assignment grant to user",
            t.application_id,
            "Payroll",
            t.alice,
            "Reader",
            app="Azure AD Identity Governance - User Management",
        ),
        app_role_record(
            T0 - timedelta(hours=1),
            "Remove app role assignment from user",
            t.application_id,
            "Payroll",
            t.bob,
            "Writer",
            initiator=t.admin,
        ),
        app_role_record(
            T0 - timedelta(hours=2),
            "Add app role assignment grant to user",
            t.other_application_id,
            "Travel",
            t.carol,
            "Booker",
            initiator=t.admin,
        ),
    ]
    t.now = T0 + timedelta(days=3)
    return t


def every_report(t) -> list[QueryReport]:
    return [
        AssignmentsReport(t.sales),
        AssignmentsReport(None),
        CanRequestReport(t.alice),
        AssignedPackagesReport(t.alice),
        ResourceAssignmentsReport(t.alice),
        AuditLogReport(),
        ConnectedOrganizationsReport(),
        PackageActivityReport(None, "all", now=t.now),
        AppRoleActivityReport(now=t.now),
        *request_history_reports(t.old_request.id),
        RequestHistoryReport(t.request.id),
    ]
