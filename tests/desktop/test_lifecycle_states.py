"""Random lifecycles on a small tenant: the invariants hold after every step."""

from datetime import timedelta

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import invariant, rule

from desktop.states import ACTIVE_ASSIGNMENT_STATES
from models import Assignment, AssignmentRequest, AuditEvent
from tests.helpers.lifecycle_machine import RandomLifecycle
from tests.helpers.lifecycle_paths import PATHS, TOKENS
from tests.helpers.lifecycle_tenant import build


class LifecycleMachine(RandomLifecycle):
    def __init__(self):
        super().__init__(build=build)

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
