"""Audit records (Graph `directoryAudit`) in bulk: checked, mapped by desktop.audit_record,
and appended to the tamper-evident chain (desktop.audit_chain) a chunk at a time.

Records are immutable in Entra and the log here is append-only: a known id with the same
data is unchanged, a known id with other data is reported and the stored record kept, and
the same id twice with different data within one import is an error. Rows written by this
run are told apart by their `seq`, so no set of a million ids is kept in memory.
"""

import re
from typing import Callable

import peewee
from peewee import fn

from desktop import audit_chain
from desktop.audit_record import event_fields
from desktop.importers.summary import CREATED, UNCHANGED, ImportSummary
from desktop.importers.values import NULL_TEXT, FieldError, enumeration, listing, nested, text, timestamp
from desktop.importers.kinds import AUDIT
from models import AuditEvent, db
from models.audit import AUDIT_RESULTS

# 22 columns a row: well under SQLite's 32,766 bound parameters a statement.
CHUNK = 1000
# The directoryAudit properties the AuditEvent columns hold; any other is kept in graph_extra.
MODELLED = frozenset(
    (
        "id",
        "category",
        "correlationId",
        "result",
        "resultReason",
        "activityDisplayName",
        "activityDateTime",
        "loggedByService",
        "operationType",
        "initiatedBy",
        "targetResources",
        "targetResource",
        "additionalDetails",
    )
)
_BEYOND_MICROSECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7,}Z$")
TEXT_FIELDS = ("category", "activityDisplayName", "operationType", "resultReason", "loggedByService", "correlationId")


def audit_fields(record: dict) -> dict:
    """AuditEvent column values of a `directoryAudit` record, after the quirks: "null" as
    null, `Type` for `type` in targets, capitalised results, any timestamp precision."""
    # Written for a million records a run: plain dict work on the common shape, and the
    # checked readers of desktop.importers.values only where a value is unusual.
    document = dict(record)
    pk = record.get("id")
    if pk.__class__ is not str:
        _reread(record, "id")
    if not pk.strip():
        raise FieldError("id", "is empty")
    document["activityDateTime"] = timestamp(record, "activityDateTime", required=True)
    extra = {key: record[key] for key in record.keys() - MODELLED if "@odata." not in key}
    moment = record.get("activityDateTime")
    if moment.__class__ is str and len(moment) > 27 and _BEYOND_MICROSECONDS.match(moment):
        extra["activityDateTime"] = moment  # kept exactly: a datetime holds 6 fraction digits
    if extra:
        document["graphExtra"] = extra
    for field in TEXT_FIELDS:
        value = record.get(field)
        if value.__class__ is not str:
            if value is not None:
                _reread(record, field)
        elif value == NULL_TEXT:
            document[field] = None
    result = record.get("result")
    if result not in AUDIT_RESULTS:
        document["result"] = enumeration(record, "result", allowed=AUDIT_RESULTS)
    initiator = record.get("initiatedBy")
    if initiator is not None:
        if initiator.__class__ is not dict:
            nested(record, "initiatedBy")
        document["initiatedBy"] = {role: _identity(initiator, role) for role in initiator}
    targets = record.get("targetResources")
    if targets is None and "targetResource" in record:  # the reference documents this singular form too
        single = record["targetResource"]
        targets = [single] if single.__class__ is dict else single
        record = {**record, "targetResources": targets}
    if targets:
        if targets.__class__ is not list or any(t.__class__ is not dict for t in targets):
            listing(record, "targetResources")
        document["targetResources"] = [_target(target) for target in targets]
    else:
        document["targetResources"] = []
    details = record.get("additionalDetails")
    if details is not None:
        if details.__class__ is not list:
            listing(record, "additionalDetails")
        for position, detail in enumerate(details):
            _key_value(detail, f"additionalDetails[{position}]")
    return event_fields(document)


def _key_value(detail, field: str) -> None:
    """A Graph keyValue: an object whose `key` and `value` are text (or null), as exports expect."""
    if detail.__class__ is not dict:
        raise FieldError(field, f"must be an object with key and value, not {detail!r}"[:120])
    for name in ("key", "value"):
        value = detail.get(name)
        if value is not None and value.__class__ is not str:
            raise FieldError(f"{field}.{name}", "must be text")


def _reread(record: dict, field: str):
    """Read a field that failed the fast check with the checked reader, which raises."""
    return text(record, field, required=True)


def _target(target: dict) -> dict:
    if "Type" in target or NULL_TEXT in target.values():
        return {
            ("type" if key == "Type" else key): (None if value == NULL_TEXT else value) for key, value in target.items()
        }
    return target


def _identity(initiator: dict, role: str):
    identity = initiator[role]
    if identity is None or identity == NULL_TEXT:
        return None
    if identity.__class__ is not dict:
        raise FieldError(f"initiatedBy.{role}", "must be an object")
    if NULL_TEXT in identity.values():
        return {key: (None if value == NULL_TEXT else value) for key, value in identity.items()}
    return identity


class AuditWriter:
    """Buffers audit rows and appends them a chunk at a time; `end_file()` after each file.

    Graph and the admin center list the newest record first. Records that share a timestamp
    (the steps of one request often do) must still be appended in the order they were
    written, so in a newest-first file each run of equal timestamps is appended in reverse,
    and the run at the end of a chunk is held back until the next chunk shows where it ends.
    """

    def __init__(self, summary: ImportSummary, reject: Callable[[object, str, str, FieldError], None]):
        self.summary = summary
        self.reject = reject
        self.pending: dict[str, tuple[dict, str]] = {}
        self.held: dict[str, tuple[dict, str]] = {}  # new rows of a run of ties not yet ended
        self.newest_first: bool | None = None
        self.last_time = None
        self.first_seq_of_run = (AuditEvent.select(fn.MAX(AuditEvent.seq)).scalar() or 0) + 1
        self.stored_formats: set[bool] | None = None  # which of CSV (True) and Graph (False) rows are stored

    def add(self, fields: dict, where: str) -> None:
        """Queue one row; `where` names its record for an error found when it is written."""
        pk, moment = fields["id"], fields["activity_date_time"]
        earlier = self.pending.get(pk) or self.held.get(pk)
        if earlier is not None:
            if earlier[0] != fields:
                self.reject(where, pk, AUDIT, _duplicate(earlier[1]))
            return
        if self.newest_first is None and self.last_time is not None and moment != self.last_time:
            self.newest_first = moment < self.last_time
        self.last_time = moment
        self.pending[pk] = (fields, where)
        if len(self.pending) >= CHUNK:
            self._write(final=False)

    def end_file(self) -> None:
        """Write everything queued; the next file decides its own order."""
        self._write(final=True)
        self.newest_first = self.last_time = None

    def _write(self, final: bool) -> None:
        entries = self._without_copies_in_the_other_format({**self.held, **self.pending})
        self.pending.clear()
        try:
            # Most chunks are all new: appending first and looking up only on a conflict saves
            # a thousand index probes a chunk (a savepoint undoes the failed attempt). The chain
            # appends with the driver's executemany; peewee's wrapper turns the driver's errors
            # into peewee's, the same on SQLite and PostgreSQL.
            with peewee.__exception_wrapper__, db.atomic():
                self._append(entries, final)
        except peewee.IntegrityError:
            self._append(self._unstored(entries), final)

    def _without_copies_in_the_other_format(self, entries: dict[str, tuple[dict, str]]) -> dict:
        """The entries that are not an event already stored from the other format: the admin
        center's CSV has no record id (its rows get one of their own, desktop.importers.entra_csv),
        so one event imported from Graph JSON and from the CSV is matched by time, correlation
        id, activity and initiator, and kept once."""
        formats = {_from_csv(pk) for pk in entries}
        if self.stored_formats is None:
            self.stored_formats = _stored_formats()
        if not formats & {not stored for stored in self.stored_formats}:
            self.stored_formats |= formats
            return entries
        correlations = list({fields["correlation_id"] for fields, _ in entries.values() if fields["correlation_id"]})
        stored = {}
        for start in range(0, len(correlations), CHUNK):
            for row in (
                AuditEvent.select(
                    AuditEvent.id,
                    AuditEvent.activity_date_time,
                    AuditEvent.correlation_id,
                    AuditEvent.activity_display_name,
                    AuditEvent.initiated_by_id,
                )
                .where(AuditEvent.correlation_id.in_(correlations[start : start + CHUNK]))
                .tuples()
            ):
                stored.setdefault((_from_csv(row[0]), *row[1:]), row[0])
        kept = {}
        for pk, (fields, where) in entries.items():
            key = (
                not _from_csv(pk),
                fields["activity_date_time"],
                fields["correlation_id"],
                fields["activity_display_name"],
                fields["initiated_by_id"],
            )
            if key in stored:
                self.summary.count(AUDIT, UNCHANGED)
            else:
                kept[pk] = (fields, where)
        self.stored_formats |= formats
        return kept

    def _unstored(self, entries: dict[str, tuple[dict, str]]) -> dict[str, tuple[dict, str]]:
        """The entries whose ids are not stored yet; the others are counted or reported."""
        stored = {row["id"]: row for row in AuditEvent.select().where(AuditEvent.id.in_(list(entries))).dicts()}
        new = {}
        for pk, (fields, where) in entries.items():
            row = stored.get(pk)
            if row is None:
                new[pk] = (fields, where)
                continue
            written_by_this_run = row.pop("seq") >= self.first_seq_of_run
            del row["content_hash"], row["chain_hash"]
            if row == fields:
                if not written_by_this_run:
                    self.summary.count(AUDIT, UNCHANGED)
            elif written_by_this_run:
                self.reject(where, pk, AUDIT, _duplicate("an earlier record"))
            else:
                self.summary.skip(
                    f"{where} (id {pk})",
                    "differs from the stored audit record with this id; "
                    "the audit log is append-only, so the stored one was kept",
                )
        return new

    def _append(self, entries: dict[str, tuple[dict, str]], final: bool) -> None:
        """Append the entries' rows, holding back a run of ties at the end unless `final`."""
        rows = [fields for fields, _ in entries.values()]
        held = {}
        if rows and not final and self.newest_first is not False:
            last_time = rows[-1]["activity_date_time"]
            cut = len(rows)
            while cut and rows[cut - 1]["activity_date_time"] == last_time:
                cut -= 1
            held = {row["id"]: entries[row["id"]] for row in rows[cut:]}
            rows = rows[:cut]
        if self.newest_first:
            rows = _ties_reversed(rows)
        if rows:
            self.summary.count(AUDIT, CREATED, audit_chain.append(rows))
        self.held = held


def _from_csv(pk: str) -> bool:
    """Whether a record id is one this app gives an admin-center CSV row (a version-5 uuid)."""
    return len(pk) == 36 and pk[14] == "5" and pk[8] == "-"


def _stored_formats() -> set[bool]:
    """Which formats the stored audit records came from (one query, at the first chunk of a run)."""
    formats = set()
    if AuditEvent.select().where(~_csv_id()).exists():
        formats.add(False)
    if AuditEvent.select().where(_csv_id()).exists():
        formats.add(True)
    return formats


def _csv_id():
    return (
        (fn.LENGTH(AuditEvent.id) == 36)
        & (fn.SUBSTR(AuditEvent.id, 15, 1) == "5")
        & (fn.SUBSTR(AuditEvent.id, 9, 1) == "-")
    )


def _ties_reversed(rows: list[dict]) -> list[dict]:
    """`rows` with each run of equal timestamps in reverse order."""
    ordered, start = [], 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end]["activity_date_time"] != rows[start]["activity_date_time"]:
            ordered.extend(reversed(rows[start:end]))
            start = end
    return ordered


def _duplicate(earlier) -> FieldError:
    return FieldError("id", f"the same id as {earlier} in this import, with different data")
