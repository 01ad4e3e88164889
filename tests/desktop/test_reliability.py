"""Two machines deciding the same requests at once: exactly one decision each (on SQLite, and
on PostgreSQL when the suite runs there)."""

import multiprocessing

import pytest

from desktop.audit_chain import verify
from desktop.clock import FixedClock
from desktop.errors import Refused
from desktop.lifecycle import Lifecycle
from models import ApprovalDecision, AssignmentRequest, AuditEvent, User
from models.database import close_database, open_database
from tests.helpers import factories as f
from tests.helpers.lifecycle_paths import PATHS, TOKENS

RACED_REQUESTS = 500


def decide_all(target: str, request_ids: list[str], approve: bool, barrier, results) -> None:
    """Child process: as the manager, approve (or deny) every request; report what it won."""
    open_database(target)
    try:
        manager = User.get(User.display_name == "Manager")
        lifecycle = Lifecycle(FixedClock(f.T0))
        decide = lifecycle.approve if approve else lifecycle.deny
        won, refusals = [], []
        barrier.wait()
        for request_id in request_ids:
            try:
                decide(manager, request_id, "race")
                won.append(request_id)
            except Refused as refusal:
                refusals.append(str(refusal))
        results.put((approve, won, refusals))
    finally:
        close_database()


def audit_path(request_id: str) -> str:
    events = (
        AuditEvent.select(AuditEvent.activity_display_name)
        .where(AuditEvent.correlation_id == request_id)
        .order_by(AuditEvent.activity_date_time, AuditEvent.seq)
    )
    return "".join(TOKENS[e.activity_display_name] for e in events)


@pytest.mark.slow
def test_two_machines_decide_500_requests_exactly_once(database, database_target):
    """2 processes x 500 approve/deny decisions on the same requests: one decision each,
    one decision record each, a valid audit path each, and an intact audit chain."""
    manager = f.user("Manager")
    package = f.access_package("Contested")
    policy = f.policy(package, stages=[["requestorManager"]])
    lifecycle = Lifecycle(FixedClock(f.T0))
    with lifecycle.batch():
        request_ids = [
            lifecycle.submit(f.user(f"Requestor {n}", manager=manager), package, policy).id
            for n in range(RACED_REQUESTS)
        ]
    close_database()

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    # Opposite orders, so the two meet in the middle on the same requests at the same time.
    workers = [
        context.Process(target=decide_all, args=(str(database_target), order, approve, barrier, results))
        for order, approve in ((request_ids, True), (request_ids[::-1], False))
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    open_database(database_target)
    won = {approve: set(ids) for approve, ids, _ in outcomes}
    assert won[True] | won[False] == set(request_ids)
    assert not won[True] & won[False]
    assert all("already decided" in refusal for _, _, refusals in outcomes for refusal in refusals)
    assert sorted(d.request_id for d in ApprovalDecision.select()) == sorted(request_ids)
    states = dict(AssignmentRequest.select(AssignmentRequest.id, AssignmentRequest.state).tuples())
    for request_id in request_ids:
        state = "delivered" if request_id in won[True] else "denied"
        assert states[request_id] == state
        assert PATHS[state].fullmatch(audit_path(request_id)), audit_path(request_id)
    assert verify().intact
