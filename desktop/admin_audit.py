"""Audit records of administration done in this app rather than in the tenant: binding
database logins, importing tenant data, and the directory-role changes an import brings.

Role changes carry Entra's own activity ("Add member to role", logged by Core Directory);
the app's own steps are logged by Entitlement Desk under the Other category.
"""

from datetime import datetime

from desktop import audit_log as log
from models import User, new_id

ENTITLEMENT_DESK_SERVICE = "Entitlement Desk"
ROLE_MANAGEMENT = "RoleManagement"
OTHER = "Other"

ADD_ROLE_MEMBER = log.Activity(ROLE_MANAGEMENT, "Add member to role", "Assign")
REMOVE_ROLE_MEMBER = log.Activity(ROLE_MANAGEMENT, "Remove member from role", "Unassign")
BIND_LOGIN = log.Activity(OTHER, "Bind database login to user", "Update")
UNBIND_LOGIN = log.Activity(OTHER, "Unbind database login", "Delete")
IMPORT = log.Activity(OTHER, "Import tenant data", "Add")


def login_binding_record(
    activity: log.Activity, actor: User | None, role_name: str, user: User | None, at: datetime
) -> dict:
    targets = [{"id": role_name, "displayName": role_name, "type": "DatabaseLogin"}]
    if user is not None:
        targets.append(log.user_target(user))
    return _app_record(activity, actor, at, targets)


def import_record(actor: User | None, at: datetime, sources: list[str], role_changes: int) -> dict:
    details = [("Sources", ", ".join(sources)), ("DirectoryRoleChanges", str(role_changes))]
    return _app_record(IMPORT, actor, at, [], details)


def role_change_record(
    activity: log.Activity,
    actor: User | None,
    at: datetime,
    role_id: str,
    role_name: str,
    principal: dict,
    correlation_id: str,
) -> dict:
    document = log.record(
        activity,
        at=at,
        initiated_by=_initiator(actor),
        correlation_id=correlation_id,
        targets=[principal, {"id": role_id, "displayName": role_name, "type": "Role"}],
    )
    document["loggedByService"] = log.CORE_DIRECTORY_SERVICE
    return document


def _app_record(activity, actor, at, targets, details=()) -> dict:
    document = log.record(
        activity, at=at, initiated_by=_initiator(actor), targets=targets, correlation_id=new_id(), details=details
    )
    document["loggedByService"] = ENTITLEMENT_DESK_SERVICE
    return document


def _initiator(actor: User | None) -> dict:
    return log.user_initiator(actor) if actor is not None else {"user": None, "app": None}
