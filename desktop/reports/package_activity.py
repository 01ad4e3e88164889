"""Report 6: the "Access package activity" workbook: one package's audit records in a range."""

from datetime import datetime, timezone
from functools import reduce
from operator import and_

from desktop.permissions import Action
from desktop.reports.audit import AuditQueryReport, target_text, utc_time
from desktop.reports.base import Column, ColumnType, authorize
from desktop.reports.workbook import daily_counts, range_conditions
from models import AccessPackage, AuditEvent, User


def packages_with_activity(range_key: str, now: datetime) -> list[tuple[str, str]]:
    """(access package id, label "displayName id") of the packages with records in the range,
    for the drop-down; a package no longer in the database takes its name from a record."""
    conditions = range_conditions(range_key, now) + [AuditEvent.access_package_id.is_null(False)]
    ids = [
        package_id
        for (package_id,) in AuditEvent.select(AuditEvent.access_package_id)
        .distinct()
        .where(reduce(and_, conditions))
        .tuples()
    ]
    names = (
        dict(
            AccessPackage.select(AccessPackage.id, AccessPackage.display_name).where(AccessPackage.id.in_(ids)).tuples()
        )
        if ids
        else {}
    )
    for package_id in ids:
        if package_id not in names:
            event = AuditEvent.get(AuditEvent.access_package_id == package_id)
            names[package_id] = next(
                (t.get("displayName") for t in event.target_resources if t.get("id") == package_id), None
            ) or target_text(event.target_resources)
    labels = [(package_id, f"{names[package_id]} {package_id}") for package_id in ids]
    return sorted(labels, key=lambda item: (item[1].casefold(), item[0]))


class PackageActivityReport(AuditQueryReport):
    """The records of one access package (of every package when None) in a range ending at `now`."""

    name = "Access package activity"
    # The workbooks' viewers may export what they see, as Azure Monitor lets them.
    download_action = Action.VIEW_WORKBOOKS
    columns = (
        Column("time", "Time", ColumnType.DATETIME),
        Column("access_package_id", "AccessPackageId"),
        Column("operation_name", "OperationName"),
        Column("initiated_by_id", "InitiatedById"),
        Column("initiated_by_upn", "InitiatedByUPN"),
        Column("initiated_by_display_name", "InitiatedByDisplayName"),
        Column("additional_details", "AdditionalDetails", ColumnType.JSON),
    )

    def __init__(
        self, package_id: str | None, range_key: str = "all", *, now: datetime | None = None, actor: User | None = None
    ):
        authorize(actor, Action.VIEW_WORKBOOKS)
        self.package_id = package_id.strip().lower() if package_id else None
        self.range_key = range_key
        self.now = now or datetime.now(timezone.utc)
        self._range = range_conditions(range_key, self.now)

    def filters(self) -> list[tuple[str, str]]:
        return [
            ("Access package ID", self.package_id or "all access packages"),
            ("Time range", f"{self.range_key} until {self.now:%Y-%m-%d %H:%M:%S} UTC"),
        ]

    def conditions(self) -> list:
        conditions = list(self._range)
        if self.package_id:
            conditions.append(AuditEvent.access_package_id == self.package_id)
        else:
            conditions.append(AuditEvent.access_package_id.is_null(False))
        return conditions

    def selected(self) -> tuple:
        e = AuditEvent
        return (
            e.activity_date_time,
            e.access_package_id,
            e.activity_display_name,
            e.initiated_by_id,
            e.initiated_by_upn,
            e.initiated_by_display_name,
            e.additional_details,
        )

    def sort_expressions(self) -> dict:
        e = AuditEvent
        return {
            "time": e.activity_date_time,
            "access_package_id": e.access_package_id,
            "operation_name": e.activity_display_name,
            "initiated_by_id": e.initiated_by_id,
            "initiated_by_upn": e.initiated_by_upn_key,
            "initiated_by_display_name": e.initiated_by_name_key,
            "additional_details": e.additional_details,
        }

    def rows(self, records: list) -> list[tuple]:
        # AdditionalDetails is the stored JSON text as is.
        return [(utc_time(record[0]), *record[1:]) for record in records]

    def daily_counts(self):
        """(UTC day, operation, count) for the chart."""
        return daily_counts(self.query())
