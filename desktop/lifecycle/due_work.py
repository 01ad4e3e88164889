"""The work time brings: approval stages nobody decided in time, and assignments past their
end. One bad item (a policy with an unusable duration, a request that refuses) is reported
and skipped; the rest of the tenant is still processed."""

from datetime import datetime
from typing import NamedTuple

from desktop import audit_log as log
from desktop.durations import shift
from desktop.errors import InvalidInput, NotFound, Refused
from desktop.lifecycle import statements as sql
from desktop.lifecycle.delivery import end_assignment
from desktop.lifecycle.records import (
    Subject,
    record_decision,
    refuse_time_travel_for_assignment,
    refuse_time_travel_for_request,
    request_record,
)
from desktop.lifecycle.transactions import Transactions
from desktop.states import ACTIVE_ASSIGNMENT_STATES
from models import ApprovalStage, Assignment, AssignmentPolicy, AssignmentRequest

SYSTEM_REMOVE = "systemRemove"
# What one item can refuse with; anything else (a database failure) stops the run.
_ITEM_PROBLEMS = (InvalidInput, NotFound, Refused)


class Processed(NamedTuple):
    """What one `process_due` call did, and the items it could not process (one message each)."""

    timed_out: int
    expired: int
    skipped: tuple[str, ...] = ()

    def summary(self) -> str:
        """What was done, for a message box; then each item that was skipped, on its own line."""
        if not self.timed_out and not self.expired:
            done = "Nothing was due: no approval stage ran out and no assignment reached its end."
        else:
            timed_out = f"{self.timed_out:,} {'request' if self.timed_out == 1 else 'requests'} timed out"
            expired = f"{self.expired:,} {'assignment' if self.expired == 1 else 'assignments'} expired"
            done = f"{timed_out} (no approver acted in time); {expired} (their end date passed)."
        if not self.skipped:
            return done
        return "\n\n".join(
            [done, f"Skipped {len(self.skipped):,} that could not be processed:", "\n".join(self.skipped)]
        )


def process_due(transactions: Transactions, now: datetime) -> Processed:
    """Time out stages nobody decided in time and end assignments past their end, each in
    its own transition. Running it again at the same moment does nothing."""
    skipped: list[str] = []
    timed_out = 0
    for request_id, stage_number in _overdue_requests(now, skipped):
        try:
            timed_out += _time_out(transactions, request_id, stage_number, now)
        except _ITEM_PROBLEMS as problem:
            skipped.append(f"Request {request_id} was not timed out: {problem}")
    expired = 0
    due = (
        Assignment.select(Assignment.id)
        .where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES) & (Assignment.schedule_end <= now))
        .order_by(Assignment.schedule_end, Assignment.id)
    )
    for (assignment_id,) in list(due.tuples()):
        try:
            expired += _expire(transactions, assignment_id, now)
        except _ITEM_PROBLEMS as problem:
            skipped.append(f"Assignment {assignment_id} was not ended: {problem}")
    return Processed(timed_out, expired, tuple(skipped))


def _expire(transactions: Transactions, assignment_id: str, now: datetime) -> int:
    with transactions.transition(now) as step:
        current = sql.ASSIGNMENT.first(id=assignment_id)
        if current is None or current.state not in ACTIVE_ASSIGNMENT_STATES:
            return 0
        refuse_time_travel_for_assignment(now, assignment_id)
        policy = step.reader.policy(current.assignment_policy_id).row
        end_assignment(step, current, policy, SYSTEM_REMOVE, None, now, "Expired", current.schedule_end)
        return 1


def _time_out(transactions: Transactions, request_id: str, stage_number: int, now: datetime) -> int:
    with transactions.transition(now) as step:
        request = sql.REQUEST.first(id=request_id)
        if request is None or request.state != "pendingApproval" or request.current_stage != stage_number:
            return 0
        refuse_time_travel_for_request(now, request_id)
        try:
            record_decision(step, request, stage_number, None, "TimedOut", None, now)
        except Refused:
            return 0
        policy = step.reader.policy(request.assignment_policy_id).row
        subject = Subject(
            request.id, request.request_type, policy.access_package, policy, step.reader.user(request.target_id)
        )
        request_record(step, log.TIMED_OUT, subject, now, log.APP_INITIATOR, stage=stage_number, result=log.TIMEOUT)
        request.state, request.status, request.completed_date_time = "denied", "TimedOut", now
        request.current_stage = None
        sql.save_changes(request)
        return 1


def _overdue_requests(now: datetime, skipped: list[str]) -> list[tuple[str, int]]:
    """(request id, stage number) of pending requests whose current stage ran out. A stage
    duration that cannot be read is reported in `skipped`, naming its policies."""
    durations = [
        duration
        for (duration,) in ApprovalStage.select(ApprovalStage.duration_before_automatic_denial).distinct().tuples()
    ]
    overdue = None
    for duration in durations:
        try:
            started_before = shift(now, duration, -1)
        except InvalidInput as problem:
            skipped.extend(_unusable_stage_duration(duration, problem))
            continue
        condition = (ApprovalStage.duration_before_automatic_denial == duration) & (
            AssignmentRequest.stage_started_date_time <= started_before
        )
        overdue = condition if overdue is None else overdue | condition
    if overdue is None:
        return []
    return list(
        AssignmentRequest.select(AssignmentRequest.id, AssignmentRequest.current_stage)
        .join(
            ApprovalStage,
            on=(
                (ApprovalStage.policy == AssignmentRequest.assignment_policy)
                & (ApprovalStage.stage_number == AssignmentRequest.current_stage)
            ),
        )
        .where((AssignmentRequest.state == "pendingApproval") & overdue)
        .order_by(AssignmentRequest.stage_started_date_time, AssignmentRequest.id)
        .tuples()
    )


def _unusable_stage_duration(duration: str, problem: InvalidInput) -> list[str]:
    stages = (
        ApprovalStage.select(ApprovalStage.stage_number, AssignmentPolicy.id, AssignmentPolicy.display_name)
        .join(AssignmentPolicy)
        .where(ApprovalStage.duration_before_automatic_denial == duration)
        .order_by(AssignmentPolicy.display_name, AssignmentPolicy.id, ApprovalStage.stage_number)
        .tuples()
    )
    return [
        f"Policy {name!r} (id {policy_id}): stage {number} was not timed out: its "
        f"durationBeforeAutomaticDenial {problem}"
        for number, policy_id, name in stages
    ]
