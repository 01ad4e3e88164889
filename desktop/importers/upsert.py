"""The generic upsert engine under the Graph writers: rows by Graph id, queued chunks,
stand-ins for the objects records refer to, and link sets replaced as a whole.

A record's fields that are absent leave the stored values alone (a `$select` export is
partial, not a statement that the rest is empty); present fields, null included, are
written. Expanded collections (`members`, `resourceRoleScopes`, `stages`, …) replace the
stored set when present. An object a record refers to that is neither in the import nor
in the database becomes a stand-in row, marked `is_reference` where the table has the
column, and is counted; a later record of that object turns it into a real row.
"""

from collections import defaultdict
from typing import Callable

from desktop.importers.summary import CREATED, UNCHANGED, UPDATED, ImportSummary
from desktop.importers.values import FieldError
from models import User

LINK_CHUNK = 500
# Users, assignments and requests (the tables of many rows, with nothing nested under a
# row) are upserted this many at a time.
ENTITY_CHUNK = 500


class UpsertEngine:
    """The row-level state of one import run, shared by the writers of every family."""

    def __init__(self, summary: ImportSummary, reject: Callable[[object, str, str, FieldError], None]):
        self.summary = summary
        # reject(where, id, kind, error): a queued record found invalid when its chunk is written.
        self.reject = reject
        self.known: dict[type, set[str]] = defaultdict(set)
        self.stand_ins: dict[type, set[str]] = defaultdict(set)
        # Real (not stand-in) users: a reference to one without a connected organization
        # changes nothing, so it needs no query.
        self.settled_users: set[str] = set()
        self.deferred: dict[type, dict[str, tuple]] = {}
        self.where = ""
        # Stand-ins inserted for the record being written, forgotten when it is rolled back.
        self.new_stand_ins: list[tuple[type, str]] = []

    def _exists(self, model, pk: str) -> bool:
        self._flush_if_queued(model, pk)
        if pk in self.known[model]:
            return True
        if model.select().where(model.id == pk).exists():
            self.known[model].add(pk)
            return True
        return False

    def _upsert(self, model, row: dict, defaults: dict | None = None, required: dict | None = None) -> str:
        """Insert or update the row with `row["id"]`. `defaults` fill a new row only;
        `required` maps columns a new row must have to the Graph field that gives them."""
        pk = row["id"]
        existing = model.select().where(model.id == pk).dicts().first()
        self.known[model].add(pk)
        if existing is not None:
            return self._update(model, existing, row)
        for column, field in (required or {}).items():
            if row.get(column) is None:
                raise FieldError(field, "is missing")
        model.insert({**(defaults or {}), **row}).execute()
        return CREATED

    def _update(self, model, existing: dict, row: dict) -> str:
        """Write what `row` changes in the stored row `existing`; a stand-in becomes real."""
        pk = row["id"]
        was_stand_in = pk in self.stand_ins[model] or bool(existing.get("is_reference"))
        if was_stand_in:
            self.stand_ins[model].discard(pk)
            if "is_reference" in existing:
                row = {**row, "is_reference": False}
        changes = {column: value for column, value in row.items() if existing[column] != value}
        if changes:
            model.update(changes).where(model.id == pk).execute()
        return CREATED if was_stand_in else UPDATED if changes else UNCHANGED

    def _defer(self, kind: str, model, row: dict, defaults: dict | None = None, required: dict | None = None) -> None:
        """Queue an upsert of a row nothing nests under, to write it with its chunk."""
        batch = self.deferred.setdefault(model, {})
        batch[row["id"]] = (kind, row, defaults or {}, required or {}, self.where)
        if len(batch) >= ENTITY_CHUNK:
            self._flush(model)

    def _flush(self, model) -> None:
        """Upsert the queued rows of `model`: one query for the stored ones, one insert_many."""
        batch = self.deferred.pop(model, None)
        if not batch:
            return
        stored = {row["id"]: row for row in model.select().where(model.id.in_(list(batch))).dicts()}
        if model is User:
            self._free_upn_keys(batch, stored)
        new = []
        for pk, (kind, row, defaults, required, where) in list(batch.items()):
            existing = stored.get(pk)
            if existing is not None:
                self.summary.count(kind, self._update(model, existing, row))
                continue
            missing = next((field for column, field in required.items() if row.get(column) is None), None)
            if missing:
                self.reject(where, pk, kind, FieldError(missing, "is missing"))
                del batch[pk]
                continue
            new.append({**defaults, **row})
            self.summary.count(kind, CREATED)
        if new:
            model.insert_many(uniform(model, new)).execute()
        self.known[model].update(batch)
        if model is User:
            self.settled_users.update(batch)

    def flush_all(self) -> None:
        """Write every queue (before a record that is written in a savepoint of its own)."""
        for model in list(self.deferred):
            self._flush(model)

    def forget_rolled_back(self) -> None:
        """After a record's savepoint was rolled back: what this run believes is stored may
        be wrong, so the caches go (they refill from the database) and its stand-ins are not counted."""
        for model, pk in self.new_stand_ins:
            self.stand_ins[model].discard(pk)
        self.new_stand_ins.clear()
        self.known.clear()
        self.settled_users.clear()

    def _flush_if_queued(self, model, pk: str) -> None:
        """Write `model`'s queue when `pk` waits in it, before something refers to it."""
        if pk in self.deferred.get(model, ()):
            self._flush(model)

    def _stand_in(self, model, row: dict) -> str:
        """The id of `row`'s object, inserting `row` as a stand-in when the object is unknown."""
        pk = row["id"]
        if not self._exists(model, pk):
            if "is_reference" in model._meta.fields:
                row = {**row, "is_reference": True}
            model.insert(row).execute()
            self.known[model].add(pk)
            self.stand_ins[model].add(pk)
            self.new_stand_ins.append((model, pk))
        return pk

    def _replace_links(self, owner_field, owner_id: str, other_field, wanted: set, **fixed) -> bool:
        """Make the link rows of one owner exactly `wanted`; True when anything changed."""
        model = owner_field.model
        condition = owner_field == owner_id
        for column, value in fixed.items():
            condition &= getattr(model, column) == value
        stored = {row[0] for row in model.select(other_field).where(condition).tuples()}
        removed, added = stored - wanted, wanted - stored
        if removed:
            model.delete().where(condition & other_field.in_(list(removed))).execute()
        rows = [{owner_field.name: owner_id, other_field.name: other, **fixed} for other in sorted(added)]
        for start in range(0, len(rows), LINK_CHUNK):
            model.insert_many(rows[start : start + LINK_CHUNK]).execute()
        return bool(removed or added)

    def _note(self, reason: str) -> None:
        self.summary.skip(self.where, reason)


def uniform(model, rows: list[dict]) -> list[dict]:
    """Rows with the same columns (insert_many takes its columns from the first row); a
    column a row lacks gets the field's default."""
    columns = {column for row in rows for column in row}
    defaults = {}
    for column in columns:
        default = model._meta.fields[column].default
        defaults[column] = default() if callable(default) else default
    return [{column: row.get(column, defaults[column]) for column in columns} for row in rows]


def changed(outcome: str, changed: bool) -> str:
    return UPDATED if changed and outcome == UNCHANGED else outcome


def canonical(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows)
