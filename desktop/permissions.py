"""Which directory roles allow which actions, as the entitlement-management article sets out.

Access packages, reports, audit logs, connected organizations, requests and downloads need
Identity Governance Administrator or Global Administrator; the workbooks need one of the
monitoring roles. Deciding a request needs no role: the lifecycle controller checks that
the decider is one of the request's approvers.
"""

from enum import StrEnum

from desktop.errors import Forbidden
from models import DirectoryRole, DirectoryRoleAssignment, User

GLOBAL_ADMINISTRATOR = "Global Administrator"
IDENTITY_GOVERNANCE_ADMINISTRATOR = "Identity Governance Administrator"
SECURITY_ADMINISTRATOR = "Security Administrator"
SECURITY_READER = "Security Reader"
REPORTS_READER = "Reports Reader"
APPLICATION_ADMINISTRATOR = "Application Administrator"

# Role display name -> Graph roleTemplateId (the same in every tenant).
ROLE_TEMPLATE_IDS = {
    GLOBAL_ADMINISTRATOR: "62e90394-69f5-4237-9190-012177145e10",
    IDENTITY_GOVERNANCE_ADMINISTRATOR: "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
    SECURITY_ADMINISTRATOR: "194ae4cb-b126-40b2-bd5b-6091b380977d",
    SECURITY_READER: "5d6b6bb7-de71-4623-b4af-96380a352509",
    REPORTS_READER: "4a5d8f65-41da-4de4-8968-e035b65339cf",
    APPLICATION_ADMINISTRATOR: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
}


class Action(StrEnum):
    VIEW_ACCESS_PACKAGES = "view access packages"
    VIEW_REPORTS = "view reports"
    VIEW_AUDIT_LOG = "view audit logs"
    VIEW_CONNECTED_ORGANIZATIONS = "view connected organizations"
    MANAGE_REQUESTS = "manage requests and assignments"
    DOWNLOAD = "download reports"
    VIEW_WORKBOOKS = "view workbooks"
    MANAGE_DATABASE_LOGINS = "bind database logins to directory users"
    IMPORT = "import tenant data"
    SYNC = "sync the tenant from Microsoft Graph"


_GOVERNANCE = frozenset({IDENTITY_GOVERNANCE_ADMINISTRATOR, GLOBAL_ADMINISTRATOR})
_MONITORING = frozenset(
    {
        GLOBAL_ADMINISTRATOR,
        SECURITY_ADMINISTRATOR,
        SECURITY_READER,
        REPORTS_READER,
        APPLICATION_ADMINISTRATOR,
    }
)
ALLOWED_ROLES: dict[Action, frozenset[str]] = {
    Action.VIEW_ACCESS_PACKAGES: _GOVERNANCE,
    Action.VIEW_REPORTS: _GOVERNANCE,
    Action.VIEW_AUDIT_LOG: _GOVERNANCE,
    Action.VIEW_CONNECTED_ORGANIZATIONS: _GOVERNANCE,
    Action.MANAGE_REQUESTS: _GOVERNANCE,
    Action.DOWNLOAD: _GOVERNANCE,
    Action.VIEW_WORKBOOKS: _MONITORING,
    Action.MANAGE_DATABASE_LOGINS: frozenset({GLOBAL_ADMINISTRATOR}),
    Action.IMPORT: _GOVERNANCE,
    Action.SYNC: _GOVERNANCE,
}
ADMINISTRATOR_ROLES = _GOVERNANCE | _MONITORING


def roles_of(user: User) -> frozenset[str]:
    query = (
        DirectoryRole.select(DirectoryRole.display_name)
        .join(DirectoryRoleAssignment)
        .where(DirectoryRoleAssignment.principal == user)
    )
    return frozenset(role.display_name for role in query)


def why_not(user: User | None, action: Action) -> str | None:
    """None when `user` may take `action`; otherwise the reason, fit to show."""
    needed = ALLOWED_ROLES[action]
    if user is None:
        return f"To {action} you must act as a user holding {_either(needed)}."
    if roles_of(user) & needed:
        return None
    return f"{user.display_name} cannot {action}: that needs {_either(needed)}."


def can(user: User | None, action: Action) -> bool:
    return why_not(user, action) is None


def require(user: User | None, action: Action) -> None:
    reason = why_not(user, action)
    if reason:
        raise Forbidden(reason)


def administrators():
    """Users holding any role that opens a page of the app, by display name."""
    return (
        User.select()
        .distinct()
        .join(DirectoryRoleAssignment, on=DirectoryRoleAssignment.principal == User.id)
        .join(DirectoryRole)
        .where(DirectoryRole.display_name.in_(sorted(ADMINISTRATOR_ROLES)))
        .order_by(User.display_name_key)
    )


def _either(roles: frozenset[str]) -> str:
    names = sorted(roles)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
