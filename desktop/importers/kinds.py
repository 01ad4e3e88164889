"""Which Graph resource a record is: from its `@odata.type`, else its shape, else the
`@odata.context` of the page it came in.

The shape comes before the context because one file may concatenate responses of several
queries, and only the first page's context is read when a page is streamed.
"""

import re

from desktop.importers.values import odata_type

USER = "user"
GROUP = "group"
DIRECTORY_ROLE = "directoryRole"
CONNECTED_ORGANIZATION = "connectedOrganization"
SUBJECT = "accessPackageSubject"
CATALOG = "accessPackageCatalog"
RESOURCE = "accessPackageResource"
ACCESS_PACKAGE = "accessPackage"
POLICY = "accessPackageAssignmentPolicy"
ASSIGNMENT = "accessPackageAssignment"
REQUEST = "accessPackageAssignmentRequest"
AUDIT = "directoryAudit"
APP_ROLE_ASSIGNMENT = "appRoleAssignment"
APPROVAL = "approval"
APPROVAL_STAGE = "approvalStage"

# Import order: an object after the objects it refers to, so fewer stand-ins are needed.
KINDS = (
    USER,
    GROUP,
    DIRECTORY_ROLE,
    CONNECTED_ORGANIZATION,
    SUBJECT,
    CATALOG,
    RESOURCE,
    ACCESS_PACKAGE,
    POLICY,
    ASSIGNMENT,
    REQUEST,
    APP_ROLE_ASSIGNMENT,
    APPROVAL,
    APPROVAL_STAGE,
    AUDIT,
)

# The last segment of `@odata.context` (v1.0 and beta collection names).
CONTEXT_KINDS = {
    "users": USER,
    "groups": GROUP,
    "directoryRoles": DIRECTORY_ROLE,
    "connectedOrganizations": CONNECTED_ORGANIZATION,
    "subjects": SUBJECT,
    "catalogs": CATALOG,
    "accessPackageCatalogs": CATALOG,
    "resources": RESOURCE,
    "accessPackageResources": RESOURCE,
    "accessPackages": ACCESS_PACKAGE,
    "assignmentPolicies": POLICY,
    "accessPackageAssignmentPolicies": POLICY,
    "assignments": ASSIGNMENT,
    "accessPackageAssignments": ASSIGNMENT,
    "assignmentRequests": REQUEST,
    "accessPackageAssignmentRequests": REQUEST,
    "directoryAudits": AUDIT,
    "assignmentApprovals": APPROVAL,
    "accessPackageAssignmentApprovals": APPROVAL,
    "stages": APPROVAL_STAGE,
    "steps": APPROVAL_STAGE,
    "appRoleAssignedTo": APP_ROLE_ASSIGNMENT,
    "appRoleAssignments": APP_ROLE_ASSIGNMENT,
}
_PARENTHESES = re.compile(r"\([^()]*\)")
_CATALOG_IN_CONTEXT = re.compile(r"(?:accessPackageC|c)atalogs\('([0-9a-fA-F-]{36})'\)")


def context_kind(context: str | None) -> str | None:
    """`…$metadata#identityGovernance/entitlementManagement/accessPackages(assignmentPolicies())`
    → accessPackage."""
    if not context or "#" not in context:
        return None
    path = context.split("#", 1)[1]
    if path.startswith("Collection(") and path.endswith(")"):
        return odata_type({"@odata.type": path[len("Collection(") : -1]})
    while _PARENTHESES.search(path):
        path = _PARENTHESES.sub("", path)
    segments = [s for s in path.split("/") if s and not s.startswith("$")]
    return CONTEXT_KINDS.get(segments[-1]) if segments else None


def list_name(context: str | None) -> str:
    """The collection a page's `@odata.context` names (`users`, `assignments`), for messages."""
    if not context or "#" not in context:
        return "records"
    path = context.split("#", 1)[1]
    while _PARENTHESES.search(path):
        path = _PARENTHESES.sub("", path)
    segments = [s for s in path.split("/") if s and not s.startswith("$")]
    return segments[-1] if segments else "records"


def context_catalog(context: str | None) -> str | None:
    """The catalog id in a context like `…/catalogs('<id>')/resources`, lowercase."""
    match = _CATALOG_IN_CONTEXT.search(context or "")
    return match.group(1).lower() if match else None


def classify(record: dict, context: str | None) -> str | None:
    """The resource `record` is, or None when it is none this importer knows."""
    declared = odata_type(record)
    if declared in KINDS:
        return declared
    return shape_kind(record) or context_kind(context)


def shape_kind(record: dict) -> str | None:
    """Recognise a record by the properties Graph always returns for its type."""
    keys = record.keys()
    if "activityDateTime" in keys and "activityDisplayName" in keys:
        return AUDIT
    if "reviewResult" in keys and ("reviewedBy" in keys or "reviewedDateTime" in keys):
        return APPROVAL_STAGE
    if {"appRoleId", "principalId", "resourceId"} <= keys:
        return APP_ROLE_ASSIGNMENT
    if "requestType" in keys or "requestState" in keys:
        return REQUEST
    if {"allowedTargetScope", "requestorSettings", "requestApprovalSettings", "specificAllowedTargets"} & keys:
        return POLICY
    if ("schedule" in keys or "assignmentState" in keys) and (
        {"state", "assignmentState", "target", "targetId"} & keys
    ):
        return ASSIGNMENT
    if (
        "originSystem" in keys
        and "isRootScope" not in keys
        and ({"createdDateTime", "roles", "scopes", "resourceType", "attributes"} & keys)
    ):
        return RESOURCE
    if "catalogType" in keys:
        return CATALOG
    if "identitySources" in keys:
        return CONNECTED_ORGANIZATION
    if "isHidden" in keys:
        return ACCESS_PACKAGE
    if "roleTemplateId" in keys:
        return DIRECTORY_ROLE
    if {"securityEnabled", "mailEnabled", "groupTypes"} & keys:
        return GROUP
    if "userPrincipalName" in keys:
        return USER
    if "subjectType" in keys or {"objectId", "principalName"} <= keys:
        return SUBJECT
    return None
