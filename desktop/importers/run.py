"""One import run: records of any origin (files, or Graph responses the sync fetched) through the
writers in one transaction, with every problem collected instead of stopping at the first.

A record is written whole or not at all: one the writers cannot take is rolled back to a
savepoint (or, for the tables written in chunks, left out of its chunk) and listed. At the
end the run raises ImportProblems listing them all, unless `skip_invalid` keeps the rest.
"""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from peewee import IntegrityError

from desktop.errors import InvalidInput
from desktop.importers import kinds
from desktop.importers.graph import GraphWriter
from desktop.importers.members import Owner
from desktop.importers.paging import PageTracker
from desktop.importers.problems import PROBLEMS_KEPT, ImportProblems, Problem
from desktop.importers.summary import ImportSummary
from desktop.importers.values import FieldError
from models import db

# Written in chunks, so a record of these kinds is checked before its chunk is written and
# needs no savepoint of its own.
CHUNKED_KINDS = (kinds.USER, kinds.ASSIGNMENT, kinds.REQUEST, kinds.AUDIT)


class ChunkFailed(InvalidInput):
    """A chunk of rows failed in the database; the transaction cannot go on."""


@dataclass(frozen=True)
class Place:
    """Where a record came from: a file (or request URL) and its number in it."""

    file: str
    record: str | None = None

    def __str__(self) -> str:
        return f"{self.file}: {self.record}" if self.record else self.file


class ImportRun:
    """Call inside one transaction: `record()` for each record, `finish()` once at the end."""

    def __init__(self, summary: ImportSummary, *, skip_invalid: bool = False):
        self.summary = summary
        self.skip_invalid = skip_invalid
        self.problems: list[Problem] = []
        self.problem_total = 0
        self.writer = GraphWriter(summary, reject=self.reject)
        self.pages = PageTracker()
        self.understood = Counter()
        self.removed: dict[str, set[str]] = {}

    def reject(self, where, pk: str | None, kind: str | None, error: FieldError) -> None:
        """A record that cannot be imported: listed, and left out."""
        file, record = (where.file, where.record) if isinstance(where, Place) else (str(where), None)
        self.problem(Problem(file, record, pk, error.field, error.reason, kind))

    def problem(self, problem: Problem) -> None:
        self.problem_total += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(problem)

    def record(self, where: Place, kind: str | None, record, context: str | None) -> bool:
        """Write one record; False when it is not a resource this app imports."""
        if not isinstance(record, dict):
            self.problem(
                Problem(where.file, where.record, None, None, f"is not a JSON object but {json.dumps(record)[:40]}")
            )
            return True
        kind = kind or kinds.classify(record, context)
        if kind is None:
            return False
        if "@removed" in record:  # a delta page's entry for an object gone from the tenant
            pk = _id_of(record)
            if pk:
                self.removed.setdefault(kind, set()).add(pk.lower())
            return True
        self.understood[kind] += 1
        pk = _id_of(record)
        try:
            if kind in CHUNKED_KINDS:
                self.writer.write(kind, record, context, where)
            else:
                self.writer.flush_all()  # a chunk must not be rolled back with this record
                self.writer.new_stand_ins.clear()
                with db.atomic():
                    self.writer.write(kind, record, context, where)
        except FieldError as error:
            self._rolled_back(kind, pk)
            self.reject(where, pk, kind, error)
        except IntegrityError as error:
            if kind in CHUNKED_KINDS:  # a chunk failed in the database: the transaction cannot go on
                raise ChunkFailed(f"{where}{_id_text(pk)}: conflicts with data already imported ({error})") from None
            self._rolled_back(kind, pk)
            self.problem(
                Problem(where.file, where.record, pk, None, f"conflicts with data already imported ({error})", kind)
            )
        return True

    def _rolled_back(self, kind: str, pk: str | None) -> None:
        self.writer.forget_rolled_back()
        for key in {pk, pk.lower() if pk else pk}:
            self.writer.fingerprints[kind].pop(key, None)

    def replace_members(self, owner: Owner, members: set[str], *, complete: bool = True) -> None:
        """Make a group's or directory role's user members exactly `members` (from its
        `members` pages), or add them to the stored ones when its list is not `complete`."""
        self.writer.flush_all()
        try:
            if owner.kind == "groups":
                self.writer.replace_group_members(owner.id, members, complete=complete)
            else:
                self.writer.replace_role_members(owner.id, members, by_template=owner.by_template, complete=complete)
        except FieldError as error:
            kind = kinds.GROUP if owner.kind == "groups" else kinds.DIRECTORY_ROLE
            self.reject(Place(str(owner)), owner.id, kind, error)

    def end_source(self) -> None:
        self.writer.end_file()

    def finish(self, complete=(), observed_at: datetime | None = None) -> None:
        """Write what is queued; raise ImportProblems unless invalid records are skipped."""
        self.writer.end_file()
        self.writer.finish()
        moment = observed_at or datetime.now(timezone.utc)
        for kind, ids in self.removed.items():
            self.writer.mark_deleted(kind, ids, moment)
        for kind in complete:
            self.writer.mark_unseen_deleted(kind, moment)
        self.summary.warnings.extend(self.pages.warnings())
        if self.problem_total and not self.skip_invalid:
            raise ImportProblems(self.problems, self.problem_total)
        self.summary.invalid = list(self.problems)
        self.summary.invalid_total = self.problem_total


def _id_of(record: dict) -> str | None:
    pk = record.get("id")
    return pk if isinstance(pk, str) else None


def _id_text(pk: str | None) -> str:
    return f" (id {pk})" if pk else ""
