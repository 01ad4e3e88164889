"""The moves every random-lifecycle state machine makes: submit, assign and decide, by any of the
small tenant's people on any of its packages. A refusal is part of the game; the machines'
invariants check it wrote nothing."""

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from desktop.clock import FixedClock
from desktop.errors import DeskError
from desktop.lifecycle import Lifecycle
from models import AssignmentRequest
from models.database import close_database, open_database
from tests.helpers import factories as f


class RandomLifecycle(RuleBasedStateMachine):
    def __init__(self, database: str | None = None, build=None):
        """Opens `database` (default: a new file in a temporary folder) and fills it with
        `build()` (a tenant of tests.helpers.lifecycle_tenant's shape)."""
        super().__init__()
        self.folder = tempfile.mkdtemp()
        open_database(database or Path(self.folder) / "tenant.db")
        self.tenant = build()
        t = self.tenant
        self.people = [t.alice, t.bob, t.carol, t.manager, t.approver, t.second_approver, t.admin]
        self.packages = [t.open_package, t.approval_package, t.staged_package]
        self.clock = FixedClock(f.T0)
        self.lifecycle = Lifecycle(self.clock)

    def teardown(self):
        close_database()
        shutil.rmtree(self.folder, ignore_errors=True)

    def attempt(self, action) -> None:
        try:
            action()
        except DeskError:
            pass

    @rule(person=st.integers(0, 2), package=st.integers(0, 2))
    def submit(self, person, package):
        self.attempt(lambda: self.lifecycle.submit(self.people[person], self.packages[package]))

    @rule(person=st.integers(0, 2), package=st.integers(0, 2), days=st.sampled_from([None, 1, 20]))
    def assign(self, person, package, days):
        package = self.packages[package]
        end = self.clock.now() + timedelta(days=days) if days else None
        self.attempt(
            lambda: self.lifecycle.assign(
                self.tenant.admin, self.people[person], package, package.policies.get(), end=end
            )
        )

    @rule(pick=st.integers(0, 50), decider=st.integers(0, 6), approve=st.booleans())
    def decide(self, pick, decider, approve):
        pending = list(AssignmentRequest.select().order_by(AssignmentRequest.created_date_time, AssignmentRequest.id))
        if pending:
            request = pending[pick % len(pending)]
            decide = self.lifecycle.approve if approve else self.lifecycle.deny
            self.attempt(lambda: decide(self.people[decider], request.id))
