"""Report 7: the "Application role assignment activity" workbook.

Source records: category ApplicationManagement, activity "Add app role assignment grant to
user" or "Remove app role assignment from user", with a ServicePrincipal target (the
application, its modifiedProperties naming the app role) and a User target (the subject).
"""

import json
from datetime import datetime, timezone
from functools import reduce
from operator import and_

from peewee import OP, Expression, Value, fn

from desktop.errors import NotFound
from desktop.lookup import search_key
from desktop.permissions import Action
from desktop.reports.audit import AuditQueryReport, json_value, utc_time
from desktop.reports.base import Column, ColumnType, authorize
from desktop.reports.workbook import daily_counts, range_conditions
from models import Application, AuditEvent, User
from models.keys import folded

CATEGORY = "ApplicationManagement"
ADD_ACTIVITY = "Add app role assignment grant to user"
REMOVE_ACTIVITY = "Remove app role assignment from user"
ENTITLEMENT_MANAGEMENT_APP = "Azure AD Identity Governance - User Management"
SERVICE_PRINCIPAL = "ServicePrincipal"
# The modifiedProperties that name the role, the most readable first.
ROLE_PROPERTIES = ("AppRole.DisplayName", "AppRole.Value", "AppRole.Id")


def property_value(text):
    """A modifiedProperties value: Graph JSON-encodes them ("\\"Reader\\"" is Reader)."""
    if not isinstance(text, str):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, str) else text


def app_role_name(service_principal: dict, removed: bool) -> str | None:
    """The role a record grants (new value) or removes (old value)."""
    properties = {p.get("displayName"): p for p in service_principal.get("modifiedProperties") or ()}
    for name in ROLE_PROPERTIES:
        if name in properties:
            value = property_value(properties[name].get("oldValue" if removed else "newValue"))
            if value:
                return value
    return None


def _base_conditions(range_key: str, now: datetime) -> list:
    return range_conditions(range_key, now) + [
        AuditEvent.category == CATEGORY,
        AuditEvent.activity_display_name.in_((ADD_ACTIVITY, REMOVE_ACTIVITY)),
    ]


def applications_with_activity(range_key: str, now: datetime) -> list[tuple[str, str]]:
    """(service principal id, display name) of the applications with role assignment records
    in the range, by name, for the drop-down."""
    conditions = _base_conditions(range_key, now)
    applications = {}
    for (targets,) in (
        AuditEvent.select(AuditEvent.target_resources).where(reduce(and_, conditions)).tuples().iterator()
    ):
        for target in targets or ():
            if target.get("type") == SERVICE_PRINCIPAL and target.get("id"):
                applications[target["id"]] = target.get("displayName") or target["id"]
    return sorted(applications.items(), key=lambda item: (item[1].casefold(), item[0]))


def find_application(name_or_id: str, range_key: str = "all", now: datetime | None = None) -> tuple[str, str]:
    """(service principal id, display name) of an application named by id or display name:
    one in the directory, else one that appears in the records."""
    text = name_or_id.strip()
    match = (
        Application.select(Application.id, Application.display_name)
        .where((Application.id == text.lower()) | (folded(Application.display_name) == search_key(text)))
        .tuples()
        .first()
    )
    if match:
        return match
    for application in applications_with_activity(range_key, now or datetime.now(timezone.utc)):
        if text.lower() == application[0] or search_key(text) == search_key(application[1]):
            return application
    raise NotFound(f"No application {text!r}.")


class AppRoleActivityReport(AuditQueryReport):
    """App role grants and removals in a range ending at `now`, for one application (every
    one when None), optionally without the changes entitlement management made."""

    name = "Application role assignment activity"
    # The workbooks' viewers may export what they see, as Azure Monitor lets them.
    download_action = Action.VIEW_WORKBOOKS
    columns = (
        Column("date", "Date and Time", ColumnType.DATETIME),
        Column("activity", "Activity"),
        Column("user", "User"),
        Column("service_principal", "Service Principal"),
        Column("app", "App"),
        Column("target_app", "Target App"),
        Column("app_role", "App Role"),
        Column("subject_name", "Subject Name"),
        Column("subject_id", "Subject ID"),
    )

    def __init__(
        self,
        application: tuple[str, str] | None = None,
        *,
        omit_entitlement_management: bool = False,
        range_key: str = "all",
        now: datetime | None = None,
        actor: User | None = None,
    ):
        """`application`: (service principal id, display name), as `find_application` gives."""
        authorize(actor, Action.VIEW_WORKBOOKS)
        self.application = application
        self.omit_entitlement_management = omit_entitlement_management
        self.range_key = range_key
        self.now = now or datetime.now(timezone.utc)
        self._base = _base_conditions(range_key, self.now)

    def filters(self) -> list[tuple[str, str]]:
        application = f"{self.application[1]} ({self.application[0]})" if self.application else "all"
        return [
            ("Application", application),
            ("Omit changes made by entitlement management", "yes" if self.omit_entitlement_management else "no"),
            ("Time range", f"{self.range_key} until {self.now:%Y-%m-%d %H:%M:%S} UTC"),
        ]

    def conditions(self) -> list:
        conditions = list(self._base)
        if self.application:
            # The target list is JSON text with compact separators; an id is a GUID, so the
            # pattern has no wildcard characters in it.
            pattern = f'%"id":"{self.application[0]}"%'
            conditions.append(Expression(AuditEvent.target_resources, OP.ILIKE, Value(pattern, converter=str)))
        if self.omit_entitlement_management:
            conditions.append(fn.COALESCE(AuditEvent.initiated_by_display_name, "") != ENTITLEMENT_MANAGEMENT_APP)
        return conditions

    def selected(self) -> tuple:
        e = AuditEvent
        return (
            e.activity_date_time,
            e.activity_display_name,
            e.initiated_by_type,
            e.initiated_by_id,
            e.initiated_by_upn,
            e.initiated_by_display_name,
            e.target_resources,
        )

    def sort_expressions(self) -> dict:
        e = AuditEvent
        # Application, role and subject id live in the targets' JSON: sorted by its text.
        return {
            "date": e.activity_date_time,
            "activity": e.activity_display_name,
            "user": e.initiated_by_upn_key,
            "service_principal": e.initiated_by_id,
            "app": e.initiated_by_name_key,
            "target_app": e.target_resources,
            "app_role": e.target_resources,
            "subject_name": e.target_name_key,
            "subject_id": e.target_resources,
        }

    def rows(self, records: list) -> list[tuple]:
        rows = []
        for when, activity, initiator_type, initiator_id, upn, initiator_name, targets in records:
            targets = json_value(targets) or []
            application = next((t for t in targets if t.get("type") == SERVICE_PRINCIPAL), {})
            subject = next((t for t in targets if t.get("type") == "User"), {})
            is_app = initiator_type == "app"
            rows.append(
                (
                    utc_time(when),
                    activity,
                    None if is_app else (upn or initiator_name),
                    initiator_id if is_app else None,
                    initiator_name if is_app else None,
                    application.get("displayName"),
                    app_role_name(application, activity == REMOVE_ACTIVITY),
                    subject.get("displayName"),
                    subject.get("id"),
                )
            )
        return rows

    def daily_counts(self):
        """(UTC day, activity, count) for the chart."""
        return daily_counts(self.query())
