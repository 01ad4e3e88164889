"""The transactions transitions run in: one per transition, or one for a whole batch.

Each transaction gets a fresh `Reader`, so no user, role or approver read in one transaction
is trusted in the next; the configuration is kept only while its version is unchanged
(`ConfigurationCache`). The audit records a transition makes are written at the end of its
transaction (in bulk during a batch).
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import peewee

from desktop import audit_log as log
from desktop.approvers import ApproverDirectory
from desktop.errors import DeskError, Forbidden, NotFound
from desktop.lifecycle import statements as sql
from desktop.lifecycle.configuration import Configuration, ConfigurationCache, Policy
from desktop.permissions import Action, why_not
from models import User, db
from models.change_context import clear_change_context, set_change_context

_BATCH_RECORDS_PER_FLUSH = 2000
LIFECYCLE_SOURCE = "lifecycle"


class Reader:
    """What a transaction reads (users, roles, approvers), kept while it lives, and the
    configuration as it is in that transaction."""

    def __init__(self, configuration: Configuration):
        self._memory: dict = {}
        self.configuration = configuration
        self.approvers = ApproverDirectory(self._memory)

    def policy(self, policy_id: str) -> Policy:
        return self.configuration.policy(policy_id)

    def user(self, user_id: str) -> User:
        if ("user", user_id) not in self._memory:
            user = sql.USER.first(id=user_id)
            if user is None:
                raise NotFound(f"No user {user_id!r} in the directory.")
            self._memory["user", user_id] = user
        return self._memory["user", user_id]

    def check(self, actor: User, action: Action) -> None:
        if ("may", actor.id, action) not in self._memory:
            self._memory["may", actor.id, action] = why_not(actor, action)
        if self._memory["may", actor.id, action]:
            raise Forbidden(self._memory["may", actor.id, action])


@dataclass
class Step:
    """One transition: what it reads with, where its new ids come from, and the audit
    records it makes."""

    reader: Reader
    new_id: Callable[[], str]
    records: list[dict] = field(default_factory=list)


@contextmanager
def write_transaction():
    # SQLite: take the write lock at BEGIN, so two writers queue on the busy timeout instead
    # of deadlocking when both try to upgrade a read lock.
    if isinstance(db.obj, peewee.SqliteDatabase):
        with db.atomic("IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


class Transactions:
    """Where a Lifecycle's transitions run: each in its own transaction, or all inside one
    `batch()`."""

    def __init__(self, new_id: Callable[[], str], now: Callable[[], datetime]):
        self.new_id = new_id
        self.now = now
        self._batch: Step | None = None
        self._configuration = ConfigurationCache()

    @contextmanager
    def batch(self):
        """Run the transitions made inside in one transaction: configuration read once,
        audit records inserted in bulk. A refused transition still writes nothing."""
        if self._batch is not None:
            raise RuntimeError("Lifecycle.batch() does not nest.")
        try:
            with write_transaction():
                self._batch = Step(Reader(self._configuration.current()), self.new_id)
                yield
                log.write_records(self._batch.records)
                clear_change_context()
        finally:
            self._batch = None

    @contextmanager
    def transition(self, at: datetime | None = None):
        # The history keeps the rows a transition writes as valid from its business time `at`.
        if self._batch is None:
            with write_transaction():
                set_change_context(LIFECYCLE_SOURCE, at or self.now())
                step = Step(Reader(self._configuration.current()), self.new_id)
                yield step
                log.write_records(step.records)
                clear_change_context()
            return
        set_change_context(LIFECYCLE_SOURCE, at or self.now())
        step = Step(self._batch.reader, self.new_id)
        if isinstance(db.obj, peewee.SqliteDatabase):
            # A savepoint would copy every page the transition touches to SQLite's sub-journal
            # (a third of the time of a long batch). The transitions refuse before they write;
            # should one ever refuse after writing, the whole batch fails instead.
            changes = db.connection().total_changes
            try:
                yield step
            except DeskError as refusal:
                if db.connection().total_changes != changes:
                    raise RuntimeError("A transition refused after writing: the batch is rolled back.") from refusal
                raise
        else:
            with db.atomic():  # a savepoint: a failed transition leaves the batch as it was
                yield step
        pending = self._batch.records
        pending.extend(step.records)
        if len(pending) >= _BATCH_RECORDS_PER_FLUSH:
            log.write_records(pending)
            pending.clear()
