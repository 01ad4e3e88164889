"""The lifecycle test tenant with a recorded history (the history tables' change context set)."""

from datetime import timedelta

from desktop.clock import FixedClock
from desktop.lifecycle import Lifecycle
from models import db
from models.change_context import clear_change_context, set_change_context
from tests.helpers import factories as f
from tests.helpers.lifecycle_tenant import build

SET_UP = f.T0 - timedelta(days=1)


def build_at(moment):
    """The lifecycle test tenant, recorded as set up at `moment`."""
    with db.atomic():
        set_change_context("test", at=moment)
        tenant = build()
        clear_change_context()
    return tenant


def lifecycle_history():
    """Alice gets Open at once, Bob gets Approval after his manager approves, an admin removes
    Alice's, and Carol's direct assignment expires after a day."""
    tenant = build_at(SET_UP)
    clock = FixedClock(f.T0)
    lifecycle = Lifecycle(clock)
    alice = lifecycle.submit(tenant.alice, tenant.open_package)
    bob = lifecycle.submit(tenant.bob, tenant.approval_package, justification="Quarterly forecast")
    clock.advance(timedelta(hours=1))
    lifecycle.approve(tenant.manager, bob.id, "Fine for Q3")
    clock.advance(timedelta(hours=1))
    lifecycle.remove_assignment(tenant.admin, alice.assignment_id)
    lifecycle.assign(
        tenant.admin,
        tenant.carol,
        tenant.staged_package,
        tenant.staged_policy,
        end=clock.now() + timedelta(days=1),
        justification="Audit week",
    )
    clock.advance(timedelta(days=2))
    lifecycle.process_due(tenant.admin)
    return tenant
