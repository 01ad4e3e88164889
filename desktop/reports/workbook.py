"""What the two audit workbooks share: the time ranges and counts per day for the chart."""

from datetime import date, datetime, timedelta

from peewee import fn

from desktop.errors import InvalidInput
from models import AuditEvent

RANGES = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "all": None,
}


def range_conditions(range_key: str, now: datetime) -> list:
    """Conditions keeping the records of the range ending at `now` ("all" keeps every past one)."""
    if range_key not in RANGES:
        raise InvalidInput(f"Unknown time range {range_key!r}: use one of {', '.join(RANGES)}.")
    conditions = [AuditEvent.activity_date_time <= now]
    if RANGES[range_key] is not None:
        conditions.append(AuditEvent.activity_date_time >= now - RANGES[range_key])
    return conditions


def daily_counts(query) -> list[tuple[date, str, int]]:
    """(UTC day, activity, record count) of an AuditEvent query, by day then activity."""
    day = fn.DATE(AuditEvent.activity_date_time).coerce(False)
    grouped = (
        query.select(day.alias("day"), AuditEvent.activity_display_name, fn.COUNT(AuditEvent.seq))
        .group_by(day, AuditEvent.activity_display_name)
        .order_by(day, AuditEvent.activity_display_name)
        .tuples()
    )
    # SQLite answers DATE() with text, PostgreSQL with a date.
    return [
        (value if isinstance(value, date) else date.fromisoformat(value), activity, count)
        for value, activity, count in grouped
    ]
