"""The demo history: months of activity through the lifecycle on a small tenant."""

import random
from datetime import timedelta

import pytest

from desktop import audit_log as log
from desktop.demo_history import generate_history
from desktop.errors import InvalidInput
from models import AssignmentRequest, AuditEvent
from tests.helpers import factories as f
from tests.helpers.lifecycle_paths import PATHS, TOKENS
from tests.helpers.lifecycle_tenant import build


@pytest.fixture
def tenant(database):
    """The lifecycle tenant with forty more people reporting to its manager."""
    built = build()
    for n in range(40):
        f.user(f"Staff {n}", manager=built.manager)
    return built


def test_small_history_drives_every_kind_of_step(tenant):
    """A small history makes requests of every outcome, all with valid audit trails."""
    seen = []
    summary = generate_history(
        random.Random(7),
        "small",
        f.T0,
        f.T0 + timedelta(days=90),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (3000, 3000)
    assert summary.requests and summary.direct_assignments and summary.approvals and summary.denials
    assert summary.cancellations and summary.removals and summary.timed_out and summary.expired
    assert summary.outside_app_role_grants
    states = {r.id: r.state for r in AssignmentRequest.select()}
    trails: dict[str, str] = {}
    for event in (
        AuditEvent.select()
        .where(AuditEvent.correlation_id.in_(list(states)))
        .order_by(AuditEvent.activity_date_time, AuditEvent.seq)
    ):
        trails[event.correlation_id] = trails.get(event.correlation_id, "") + TOKENS[event.activity_display_name]
    assert set(trails) == set(states)
    for request_id, trail in trails.items():
        assert PATHS[states[request_id]].fullmatch(trail), (states[request_id], trail)
    outside = AuditEvent.select().where(
        (AuditEvent.activity_display_name == log.ADD_APP_ROLE_ASSIGNMENT.name)
        & (AuditEvent.initiated_by_type == "user")
    )
    assert outside.count() == summary.outside_app_role_grants
    assert {event.initiated_by_upn for event in outside} == {"ada.admin@contoso.com"}
    assert max(e.activity_date_time for e in AuditEvent.select()) <= f.T0 + timedelta(days=90)


def test_unknown_size_is_invalid_input(tenant):
    """Sizes are small, medium and large."""
    with pytest.raises(InvalidInput, match="small, medium, large"):
        generate_history(random.Random(1), "huge", f.T0, f.T0 + timedelta(days=1))
