"""Two processes deciding the same requests on one SQLite file: each request is decided once."""
import multiprocessing

from desktop.clock import FixedClock
from desktop.errors import Refused
from desktop.lifecycle import Lifecycle
from models import ApprovalDecision, AssignmentRequest, AuditEvent, User
from models.database import close_database, open_database
from tests import factories as f

REQUESTS = 60


def decide_all(path: str, request_ids: list[str], approve: bool, barrier, results) -> None:
    """Child process: as the manager, approve (or deny) every request; report the ids won."""
    open_database(path)
    try:
        manager = User.get(User.display_name == "Manager")
        lifecycle = Lifecycle(FixedClock(f.T0))
        decide = lifecycle.approve if approve else lifecycle.deny
        won, refusals = [], []
        list(lifecycle.pending_approvals(manager))  # warm up before the race starts
        barrier.wait()
        for request_id in request_ids:
            try:
                decide(manager, request_id)
                won.append(request_id)
            except Refused as refusal:
                refusals.append(str(refusal))
        results.put((approve, won, refusals))
    finally:
        close_database()


def test_two_processes_decide_each_request_exactly_once(database, db_path):
    """Racing approver and denier: every request has one decision, one decision record, one winner."""
    manager = f.user("Manager")
    package = f.access_package("Contested")
    policy = f.policy(package, stages=[["requestorManager"]])
    lifecycle = Lifecycle(FixedClock(f.T0))
    request_ids = [lifecycle.submit(f.user(f"Requestor {n}", manager=manager), package, policy).id
                   for n in range(REQUESTS)]
    close_database()

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    # Opposite orders: the two meet in the middle, where both reach the same requests at once.
    workers = [context.Process(target=decide_all, args=(str(db_path), order, approve, barrier, results))
               for order, approve in ((request_ids, True), (request_ids[::-1], False))]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    open_database(db_path)
    won = {approve: set(ids) for approve, ids, _ in outcomes}
    assert won[True] | won[False] == set(request_ids)
    assert not won[True] & won[False]
    for _, _, refusals in outcomes:
        assert all("already decided" in refusal for refusal in refusals)
    decisions = list(ApprovalDecision.select())
    assert sorted(d.request_id for d in decisions) == sorted(request_ids)
    decided_records = AuditEvent.select().where(AuditEvent.activity_display_name.in_([
        "Approve access package assignment request", "Deny access package assignment request"]))
    assert sorted(event.correlation_id for event in decided_records) == sorted(request_ids)
    states = {r.id: r.state for r in AssignmentRequest.select()}
    assert {states[i] for i in won[True]} <= {"delivered"} and {states[i] for i in won[False]} <= {"denied"}
