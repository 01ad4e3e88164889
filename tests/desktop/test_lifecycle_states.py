"""Random lifecycles on a small tenant: the invariants hold after every step."""

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from desktop.clock import FixedClock
from desktop.errors import DeskError
from desktop.lifecycle import Lifecycle
from desktop.states import ACTIVE_ASSIGNMENT_STATES
from models import Assignment, AssignmentRequest, AuditEvent
from models.database import close_database, open_database
from tests.helpers import factories as f
from tests.helpers.lifecycle_paths import PATHS, TOKENS
from tests.helpers.lifecycle_tenant import build


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = tempfile.mkdtemp()
        open_database(Path(self.folder) / "tenant.db")
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
            pass  # refusals are part of the game; the invariants check they wrote nothing

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

    @rule(pick=st.integers(0, 50), person=st.integers(0, 2))
    def cancel(self, pick, person):
        requests = list(AssignmentRequest.select().order_by(AssignmentRequest.created_date_time, AssignmentRequest.id))
        if requests:
            self.attempt(lambda: self.lifecycle.cancel(self.people[person], requests[pick % len(requests)].id))

    @rule(pick=st.integers(0, 50), actor=st.integers(0, 6))
    def remove(self, pick, actor):
        assignments = list(Assignment.select().order_by(Assignment.created_date_time, Assignment.id))
        if assignments:
            self.attempt(
                lambda: self.lifecycle.remove_assignment(self.people[actor], assignments[pick % len(assignments)].id)
            )

    @rule(hours=st.sampled_from([1, 12, 24 * 5, 24 * 15, 24 * 31]))
    def wait(self, hours):
        self.clock.advance(timedelta(hours=hours))

    @rule()
    def process_due(self):
        self.lifecycle.process_due(self.tenant.admin)
        now = self.clock.now()
        assert (
            not Assignment.select()
            .where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES) & (Assignment.schedule_end <= now))
            .exists()
        )
        assert self.lifecycle.process_due(self.tenant.admin) == (0, 0, ())

    @invariant()
    def assignment_is_active_exactly_while_delivered_and_not_ended(self):
        ended = {
            r.assignment_id
            for r in AssignmentRequest.select().where(
                AssignmentRequest.request_type.in_(["userRemove", "adminRemove", "systemRemove"])
            )
        }
        delivered = {
            r.assignment_id
            for r in AssignmentRequest.select().where(
                AssignmentRequest.request_type.in_(["userAdd", "adminAdd"]) & (AssignmentRequest.state == "delivered")
            )
        }
        active = {a.id for a in Assignment.select().where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES))}
        everything = {a.id for a in Assignment.select()}
        assert everything == delivered
        assert active == delivered - ended

    @invariant()
    def every_trail_is_a_valid_path(self):
        trails: dict[str, str] = {}
        for event in AuditEvent.select().order_by(AuditEvent.activity_date_time, AuditEvent.seq):
            trails[event.correlation_id] = trails.get(event.correlation_id, "") + TOKENS[event.activity_display_name]
        requests = {r.id: r.state for r in AssignmentRequest.select()}
        assert set(trails) == set(requests)
        for request_id, trail in trails.items():
            assert PATHS[requests[request_id]].fullmatch(trail), (requests[request_id], trail)


LifecycleMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=30, deadline=None)
TestLifecycleStates = pytest.mark.slow(LifecycleMachine.TestCase)
