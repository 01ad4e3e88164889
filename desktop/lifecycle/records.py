"""What a transition writes to record itself: the audit records of a request's steps (all
sharing the request's correlation id) and the approvers' decisions."""

from dataclasses import dataclass
from datetime import datetime

import peewee

from desktop import audit_log as log
from desktop.errors import Refused
from desktop.lifecycle import statements as sql
from desktop.lifecycle.transactions import Step
from models import AccessPackage, AssignmentPolicy, AssignmentRequest, AuditEvent, User, db


@dataclass(frozen=True)
class Subject:
    """What a request's audit records name."""

    request_id: str
    request_type: str
    package: AccessPackage
    policy: AssignmentPolicy
    target: User


def request_record(
    step: Step,
    activity,
    subject: Subject,
    at: datetime,
    initiator: dict,
    *,
    stage: int | None = None,
    justification: str | None = None,
    result: str = log.SUCCESS,
    extra=(),
) -> None:
    """Add the audit record of one step of `subject`'s request to the transition."""
    details = [
        ("RequestId", subject.request_id),
        ("PolicyId", subject.policy.id),
        ("AccessPackageId", subject.package.id),
        ("RequestType", subject.request_type),
    ]
    if stage is not None:
        details.append(("Stage", str(stage)))
    if justification:
        details.append(("Justification", justification))
    details.extend(extra)
    step.records.append(
        log.record(
            activity,
            at=at,
            initiated_by=initiator,
            correlation_id=subject.request_id,
            details=details,
            result=result,
            record_id=step.new_id(),
            targets=log.request_targets(
                package_id=subject.package.id,
                package_name=subject.package.display_name,
                policy_id=subject.policy.id,
                policy_name=subject.policy.display_name,
                request_id=subject.request_id,
                target=subject.target,
            ),
        )
    )


def record_decision(
    step: Step,
    request: AssignmentRequest,
    stage_number: int,
    approver_id: str | None,
    result: str,
    justification: str | None,
    now: datetime,
) -> None:
    """Insert a stage's decision; Refused when the stage was already decided (by anyone)."""
    try:
        with db.atomic():  # a savepoint, so PostgreSQL's transaction survives the conflict
            sql.INSERT_DECISION.execute(
                id=step.new_id(),
                request=request.id,
                stage_number=stage_number,
                approver=approver_id,
                review_result=result,
                justification=justification,
                reviewed_date_time=now,
            )
    except peewee.IntegrityError:
        raise Refused(f"Stage {stage_number} of request {request.id} was already decided.") from None


def refuse_time_travel_for_request(now: datetime, request_id: str) -> None:
    """Refuse to act on a request at a moment before its newest audit record."""
    _refuse_time_travel(now, sql.NEWEST_RECORD_OF_REQUEST.scalar(request=request_id))


def refuse_time_travel_for_assignment(now: datetime, assignment_id: str) -> None:
    """Refuse to act on an assignment at a moment before the newest audit record of its requests."""
    _refuse_time_travel(now, sql.NEWEST_RECORD_OF_ASSIGNMENT.scalar(assignment=assignment_id))


def _refuse_time_travel(now: datetime, newest_record) -> None:
    # `newest_record` is as the database returns it: a decision may not be dated before the
    # request it decides, whatever `--at` asks for.
    newest = AuditEvent.activity_date_time.python_value(newest_record)
    if newest is not None and newest > now:
        raise Refused(
            f"Cannot act at {now:%Y-%m-%d %H:%M:%S} UTC: the audit log already holds a record of "
            f"{newest:%Y-%m-%d %H:%M:%S} UTC for what this changes. Use a time no earlier than that."
        )
