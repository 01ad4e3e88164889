"""Writing app role assignments (`servicePrincipals/{id}/appRoleAssignedTo`, `users/{id}/appRoleAssignments`):
the directory side of application access, which user holds which app role of which application."""

from desktop.importers.summary import UNCHANGED
from desktop.importers.values import guid, text, timestamp
from models import Application, AppRole, AppRoleAssignment

# The default access role Graph gives an assignment to an application without app roles.
DEFAULT_ACCESS_ROLE = "00000000-0000-0000-0000-000000000000"


class AppRoleWriter:
    """The app-role family of GraphWriter (a mixin over UpsertEngine)."""

    def _app_role_assignment(self, record: dict, context, pk: str) -> str | None:
        principal_type = text(record, "principalType")
        if principal_type not in (None, "User"):
            self._note(f"an app role assignment to a {principal_type} was not imported (only users are kept)")
            return None
        principal = self._user_stand_in(
            {"id": guid(record, "principalId", required=True), "displayName": text(record, "principalDisplayName")}
        )
        application = guid(record, "resourceId", required=True)
        if not self._exists(Application, application):
            name = text(record, "resourceDisplayName") or application
            self._stand_in(Application, {"id": application, "app_id": application, "display_name": name})
        role = guid(record, "appRoleId", required=True)
        app_role = None
        if role != DEFAULT_ACCESS_ROLE:
            if not self._exists(AppRole, role):
                self._stand_in(AppRole, {"id": role, "application": application, "display_name": role})
            app_role = role
        row = {
            "id": pk,
            "principal": principal,
            "application": application,
            "app_role": app_role,
            "created_date_time": timestamp(record, "createdDateTime", "creationTimestamp", required=True),
        }
        stored = (
            AppRoleAssignment.select()
            .where(
                (AppRoleAssignment.principal == principal)
                & (AppRoleAssignment.application == application)
                & (AppRoleAssignment.app_role == app_role)
                if app_role
                else (AppRoleAssignment.principal == principal)
                & (AppRoleAssignment.application == application)
                & AppRoleAssignment.app_role.is_null()
            )
            .dicts()
            .first()
        )
        if stored is not None and stored["id"] != pk:  # the same grant, made by this app's lifecycle
            return UNCHANGED
        return self._upsert(AppRoleAssignment, row)
