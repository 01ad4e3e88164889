"""Tamper evidence for the audit log: every record is chained to the one written before it.

`append` is the only way records enter the log (the lifecycle and the importers use it);
`verify` walks the log in write order and names the first record that was changed, removed
or slipped in.
"""

import contextlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

import peewee

from desktop.errors import Cancelled
from models import AuditEvent, SchemaInfo, db
from models.base import quote_name
from models.prepared import Parameter, Prepared
from models.audit_chain import (
    GENESIS,
    HEAD_KEY,
    chain_hash,
    content_hash,
    hashed_fields,
    hashed_values,
    record_content_hash,
    stored_values,
)

_FIELDS = hashed_fields(AuditEvent)
_BATCH = 1000


def append(rows: Iterable[dict]) -> int:
    """Insert audit rows (column values, as `audit_record.event_fields` gives) at the end of
    the chain, in the order given; returns how many. Runs inside the caller's transaction, so
    the records stand or fall with the change they describe."""
    insert = _insert_statement()
    # Inside the caller's transaction no savepoint is needed: its failure undoes these rows too.
    with contextlib.nullcontext() if db.in_transaction() else db.atomic():
        head = _locked_head()
        batch, count = [], 0
        for row in rows:
            stored = stored_values(_FIELDS, row)
            content = content_hash(hashed_values(_FIELDS, stored))
            head = chain_hash(head, content)
            batch.append((*stored, content, head))
            if len(batch) == _BATCH:
                count += _execute(insert, batch)
                batch = []
        if batch:
            count += _execute(insert, batch)
        _MOVE_HEAD.execute(key=HEAD_KEY, value=head)
    return count


def _insert_statement() -> str:
    # Built once per call rather than per row: peewee's query builder is the slow part of a
    # bulk insert, and every row has the same shape.
    columns = [field.column_name for field in _FIELDS] + ["content_hash", "chain_hash"]
    marks = ", ".join([db.obj.param] * len(columns))
    return (
        f"INSERT INTO {quote_name(AuditEvent._meta.table_name)} "
        f"({', '.join(quote_name(c) for c in columns)}) VALUES ({marks})"
    )


def _execute(statement: str, rows: list[tuple]) -> int:
    # peewee's wrapper turns the driver's errors into peewee's, as its own queries do.
    with peewee.__exception_wrapper__:
        db.cursor().executemany(statement, rows)
    return len(rows)


def _locked_head() -> str:
    """The chain head, locked for this transaction so that two writers cannot both extend it."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        head = _HEAD_FOR_UPDATE.scalar(key=HEAD_KEY)
    else:
        # SQLite: a write first takes the database's write lock before the head is read.
        _TAKE_WRITE_LOCK.execute(key=HEAD_KEY)
        head = _HEAD.scalar(key=HEAD_KEY)
    if head is None:
        SchemaInfo.create(key=HEAD_KEY, value=GENESIS)
        return GENESIS
    return head


# Every transition appends records: these run often enough to prepare once.
_HEAD = Prepared(lambda: SchemaInfo.select(SchemaInfo.value).where(SchemaInfo.key == Parameter("key")))
_HEAD_FOR_UPDATE = Prepared(
    lambda: SchemaInfo.select(SchemaInfo.value).where(SchemaInfo.key == Parameter("key")).for_update()
)
_TAKE_WRITE_LOCK = Prepared(lambda: SchemaInfo.update(value=SchemaInfo.value).where(SchemaInfo.key == Parameter("key")))
_MOVE_HEAD = Prepared(
    lambda: SchemaInfo.update(value=Parameter("value", SchemaInfo.value)).where(SchemaInfo.key == Parameter("key"))
)


@dataclass(frozen=True)
class ChainProblem:
    kind: str  # changed | inserted | removed
    seq: int | None
    record_id: str | None
    message: str


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(
    progress: Callable[[int, int], None] | None = None, cancelled: Callable[[], bool] | None = None
) -> ChainReport:
    """Walk the log in write order and report every place where the chain breaks."""
    total = AuditEvent.select().count()
    stored_head = SchemaInfo.get_or_none(SchemaInfo.key == HEAD_KEY)
    head = stored_head.value if stored_head else GENESIS
    report = ChainReport()
    rows = AuditEvent.select().order_by(AuditEvent.seq).dicts().iterator()
    current = next(rows, None)
    trusted = GENESIS  # chain hash of the last record that verified
    while current is not None:
        following = next(rows, None)
        report.checked += 1
        if report.checked % 10_000 == 0:
            if cancelled and cancelled():
                raise Cancelled("Audit verification cancelled.")
            if progress:
                progress(report.checked, total)
        trusted = _check(current, following, trusted, head, report)
        current = following
    if head != trusted:
        report.problems.append(
            ChainProblem(
                "removed",
                None,
                None,
                "The newest records were removed." if report.checked else "Every record was removed.",
            )
        )
    if progress:
        progress(report.checked, total)
    return report


def _check(row: dict, following: dict | None, trusted: str, head: str, report: ChainReport) -> str:
    seq, record_id = row["seq"], row["id"]
    where = (
        f"record {record_id} (write #{seq}, {row['activity_date_time']:%Y-%m-%d %H:%M:%S} UTC, "
        f"{row['activity_display_name']!r})"
    )
    if not row["content_hash"] or not row["chain_hash"]:
        report.problems.append(ChainProblem("inserted", seq, record_id, f"{where} was inserted outside the app."))
        return trusted
    stored_link_ok = row["chain_hash"] == chain_hash(trusted, row["content_hash"])
    content_ok = row["content_hash"] == record_content_hash(_FIELDS, row)
    if stored_link_ok and content_ok:
        return row["chain_hash"]
    if stored_link_ok:
        report.problems.append(ChainProblem("changed", seq, record_id, f"{where} was changed after it was written."))
        return row["chain_hash"]
    # The link to the last good record is broken: either this record was slipped in (the
    # next one, or for the newest record the stored head, still continues from the last good
    # record), or records before it were removed.
    slipped_in = (
        head == trusted
        if following is None
        else following["chain_hash"] == chain_hash(trusted, following["content_hash"] or "")
    )
    if slipped_in:
        report.problems.append(ChainProblem("inserted", seq, record_id, f"{where} was inserted out of order."))
        return trusted
    report.problems.append(
        ChainProblem("removed", seq, record_id, f"One or more records were removed just before {where}.")
    )
    return row["chain_hash"]
