"""Report 4: the audit log (Graph `directoryAudit` records), filtered in SQL.

"Initiated by" and "target" match a UPN or a display name by case-insensitive prefix on the
indexed `*_key` columns. Newest first; records of one request that share a timestamp keep
their write order (`seq`).
"""

import json
import re
from datetime import datetime, timezone
from functools import partial, reduce
from operator import and_

from desktop.audit_record import event_document, format_time
from desktop.errors import InvalidInput, NotFound
from desktop.lookup import prefix_range, search_key
from desktop.permissions import Action
from desktop.reports.base import Column, ColumnType, QueryReport, authorize
from models import AuditEvent, User, db
from models.base import quote_name
from models.streaming import streamed

GUID_LENGTH = 36
# Fewer characters would match a large share of the log, and no one quotes an ID that short.
MIN_CORRELATION_PREFIX = 4


def correlation_prefix(text: str | None) -> str | None:
    """A correlation ID or its first characters as quoted ("7f3c…", "7F3C-"), lower-cased; at
    least four characters, or InvalidInput saying so."""
    if not text:
        return None
    prefix = text.strip().rstrip("…").rstrip(".").strip().lower()
    if not prefix:
        return None
    if len(prefix) < MIN_CORRELATION_PREFIX:
        raise InvalidInput(
            f"Type at least {MIN_CORRELATION_PREFIX} characters of the correlation ID "
            f"({prefix!r} would match too many requests)."
        )
    return prefix


def utc_time(value) -> datetime | None:
    """A raw activity_date_time as an aware UTC datetime (SQLite gives text, PostgreSQL a
    naive datetime)."""
    if value is None:
        return None
    if value.__class__ is str:
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)


# How SQLite holds a time: a naive datetime's str(), with six fraction digits or none. Years
# before 1000 are left to format_time: its strftime writes them unpadded.
_STORED_TIME = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?")


def graph_time(value) -> str | None:
    """A raw activity_date_time as Graph's UTC text: `format_time(utc_time(value))`, but
    SQLite's stored text is rearranged instead of parsed and formatted again (that round
    trip was a fifth of a CSV export of the audit log)."""
    if value.__class__ is str and _STORED_TIME.fullmatch(value):
        datetime.fromisoformat(value)  # still refuses what utc_time refuses (a 30 February)
        fraction = value[19:].rstrip("0")
        return f"{value[:10]}T{value[11:19]}{fraction if fraction != '.' else ''}Z"
    return format_time(utc_time(value))


def json_value(text):
    """A raw JSON column's value."""
    return None if text is None else json.loads(text)


def target_text(targets: list | None) -> str | None:
    """The first target as the admin center shows it: its display name, else UPN, else id."""
    if not targets:
        return None
    first = next((t for t in targets if t.get("userPrincipalName")), targets[0])
    return first.get("displayName") or first.get("userPrincipalName") or first.get("id")


class AuditQueryReport(QueryReport):
    """A report over AuditEvent rows: subclasses give `conditions()`; the JSON export writes
    each record's full Graph document."""

    graph_type = "directoryAudit"

    def conditions(self) -> list:
        raise NotImplementedError

    def selected(self) -> tuple:
        """The AuditEvent columns `rows()` reads, in order."""
        raise NotImplementedError

    # Raw cursor rows: the audit reports convert their few typed columns themselves
    # (`utc_time`, `json_value`), which is most of an export's reading time saved.
    reads_raw = True

    def query(self):
        query = AuditEvent.select(*self.selected())
        conditions = self.conditions()
        if conditions:
            query = query.where(reduce(and_, conditions))
        return query.tuples()

    def default_order(self) -> list[tuple[object, bool]]:
        return [(AuditEvent.activity_date_time, True), (AuditEvent.seq, True)]

    def unique_key(self):
        return AuditEvent.seq

    def tie_breakers(self, sorted_by) -> list:
        # Follow the indexes, so a sorted first page needs no sort: (category, time) has the
        # time; the single-column indexes end in seq (the rowid).
        if sorted_by is AuditEvent.category:
            return [AuditEvent.activity_date_time, AuditEvent.seq]
        return [AuditEvent.seq]

    def events(self):
        """The AuditEvent rows of the report, streamed in its own order."""
        query = AuditEvent.select()
        conditions = self.conditions()
        if conditions:
            query = query.where(reduce(and_, conditions))
        order = [field.desc() if desc else field.asc() for field, desc in self.default_order()]
        return streamed(query.order_by(*order))

    def documents(self):
        """Each record's Graph `directoryAudit` document, in the report's order."""
        for event in self.events():
            yield event_document(event)


class AuditLogReport(AuditQueryReport):
    """The audit log with the admin center's filters; every filter is optional."""

    name = "Audit log"
    columns = (
        Column("date", "Date (UTC)", ColumnType.DATETIME),
        Column("service", "Service"),
        Column("category", "Category"),
        Column("activity", "Activity"),
        Column("result", "Result"),
        Column("result_reason", "Result reason"),
        Column("initiated_by", "Initiated by (actor)"),
        Column("target", "Target"),
        Column("correlation_id", "Correlation ID"),
        Column("access_package_id", "Access package ID"),
        Column("id", "ID"),
    )

    def __init__(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        category: str | None = None,
        activity: str | None = None,
        result: str | None = None,
        initiated_by: str | None = None,
        target: str | None = None,
        correlation_id: str | None = None,
        access_package_id: str | None = None,
        actor: User | None = None,
    ):
        authorize(actor, Action.VIEW_AUDIT_LOG)
        self.since, self.until = since, until
        self.category, self.activity, self.result = category, activity, result
        self.initiated_by, self.target = initiated_by, target
        self.correlation_id = correlation_prefix(correlation_id)
        self.access_package_id = access_package_id.strip().lower() if access_package_id else None

    def filters(self) -> list[tuple[str, str]]:
        values = [
            ("Since (UTC)", self.since),
            ("Until (UTC, not included)", self.until),
            ("Category", self.category),
            ("Activity", self.activity),
            ("Result", self.result),
            ("Initiated by (starts with)", self.initiated_by),
            ("Target (starts with)", self.target),
            (
                "Correlation ID"
                if self.correlation_id and len(self.correlation_id) == GUID_LENGTH
                else "Correlation ID (starts with)",
                self.correlation_id,
            ),
            ("Access package ID", self.access_package_id),
        ]
        return [(label, _text(value)) for label, value in values if value]

    def conditions(self) -> list:
        conditions = []
        if self.since:
            conditions.append(AuditEvent.activity_date_time >= self.since)
        if self.until:
            conditions.append(AuditEvent.activity_date_time < self.until)
        if self.category:
            conditions.append(AuditEvent.category == self.category)
        if self.activity:
            conditions.append(AuditEvent.activity_display_name == self.activity)
        if self.result:
            conditions.append(AuditEvent.result == self.result)
        if self.initiated_by:
            key = search_key(self.initiated_by.strip())
            conditions.append(
                prefix_range(AuditEvent.initiated_by_upn_key, key) | prefix_range(AuditEvent.initiated_by_name_key, key)
            )
        if self.target:
            key = search_key(self.target.strip())
            conditions.append(
                prefix_range(AuditEvent.target_upn_key, key) | prefix_range(AuditEvent.target_name_key, key)
            )
        if self.correlation_id:
            conditions.append(
                AuditEvent.correlation_id == self.correlation_id
                if len(self.correlation_id) == GUID_LENGTH
                else prefix_range(AuditEvent.correlation_id, self.correlation_id)
            )
        if self.access_package_id:
            conditions.append(AuditEvent.access_package_id == self.access_package_id)
        return conditions

    def selected(self) -> tuple:
        e = AuditEvent
        return (
            e.activity_date_time,
            e.logged_by_service,
            e.category,
            e.activity_display_name,
            e.result,
            e.result_reason,
            e.initiated_by_upn,
            e.initiated_by_display_name,
            e.target_resources,
            e.correlation_id,
            e.access_package_id,
            e.id,
        )

    def graph_rows(self, sort_key: str | None = None, descending: bool = False):
        query = self._ordered(self._order(sort_key, descending))
        return self.stream(query, partial(self.rows, time=graph_time))

    def sort_expressions(self) -> dict:
        e = AuditEvent
        return {
            "date": e.activity_date_time,
            "service": e.logged_by_service,
            "category": e.category,
            "activity": e.activity_display_name,
            "result": e.result,
            "result_reason": e.result_reason,
            "initiated_by": e.initiated_by_upn_key,
            "target": e.target_name_key,
            "correlation_id": e.correlation_id,
            "access_package_id": e.access_package_id,
            "id": e.id,
        }

    def rows(self, records: list, time=utc_time) -> list[tuple]:
        """The rows of raw records, their times converted by `time` (`graph_time` for
        `graph_rows`)."""
        return [
            (
                time(when),
                service,
                category,
                activity,
                result,
                reason,
                upn or name,
                target_text(json_value(targets)),
                correlation,
                package,
                event_id,
            )
            for (
                when,
                service,
                category,
                activity,
                result,
                reason,
                upn,
                name,
                targets,
                correlation,
                package,
                event_id,
            ) in records
        ]


def audit_document(event_id: str) -> dict:
    """One record's full Graph `directoryAudit` document (the JSON shown on demand)."""
    event = AuditEvent.get_or_none(AuditEvent.id == event_id)
    if event is None:
        raise NotFound(f"No audit record {event_id!r}.")
    return event_document(event)


def audit_categories() -> list[str]:
    """The categories present in the audit log, for the filter drop-down."""
    return _distinct_values(AuditEvent.category)


def audit_activities(category: str | None = None) -> list[str]:
    """The activities present (in `category`, if given), for the filter drop-down."""
    return _distinct_values(AuditEvent.activity_display_name, (AuditEvent.category, category) if category else None)


def _distinct_values(column, equal_to: tuple | None = None) -> list[str]:
    """The distinct values of an indexed column, found by jumping through the index from one
    value to the next: a few dozen index probes instead of a scan of a million records (which
    also filled the page cache)."""
    table, name = quote_name(AuditEvent._meta.table_name), quote_name(column.column_name)
    mark = db.obj.param
    where, params = "", []
    if equal_to is not None:
        where = f" AND {quote_name(equal_to[0].column_name)} = {mark}"
        params = [equal_to[1]]
    sql = (
        f"WITH RECURSIVE present(value) AS ("
        f"SELECT MIN({name}) FROM {table} WHERE {name} IS NOT NULL{where} "
        f"UNION ALL SELECT (SELECT MIN({name}) FROM {table} WHERE {name} > present.value{where}) "
        f"FROM present WHERE present.value IS NOT NULL) "
        f"SELECT value FROM present WHERE value IS NOT NULL"
    )
    return [value for (value,) in db.execute_sql(sql, params * 2)]


def _text(value) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)
