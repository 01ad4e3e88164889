"""Report 8: one request's history: its audit records (correlation id = request id) in
write order, the approvers each stage was sent to, the decisions, and what it waits for."""

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from desktop.durations import shift
from desktop.errors import InvalidInput, NotFound
from desktop.permissions import Action
from desktop.reports.audit import AuditQueryReport, json_value, target_text, utc_time
from desktop.reports.base import Column, ColumnType, QueryReport, authorize
from models import (
    ApprovalDecision,
    ApprovalStage,
    AssignmentRequest,
    AuditEvent,
    RequestApprover,
    User,
)


@dataclass(frozen=True)
class Waiting:
    """What a pending request waits for: a stage's approvers, until the stage times out."""

    stage: int
    approvers: tuple[str, ...]
    timeout: datetime | None


@dataclass(frozen=True)
class RequestState:
    request_id: str
    access_package: str
    policy: str | None
    requestor: str | None
    target: str
    request_type: str
    state: str
    status: str
    justification: str | None
    created: datetime
    completed: datetime | None
    waiting: Waiting | None


def _person(user: User | None) -> str | None:
    return user.label if user else None


def _stage_timeout(stage: ApprovalStage | None, started: datetime | None) -> datetime | None:
    """When a stage started at `started` times out; None when unknown (or unreadable: the
    policy's duration is reported by `process`)."""
    if stage is None or started is None:
        return None
    try:
        return shift(started, stage.duration_before_automatic_denial)
    except InvalidInput:
        return None


def request_state(request: AssignmentRequest) -> RequestState:
    """The request's current state and, while pendingApproval, what it waits for."""
    waiting = None
    if request.state == "pendingApproval" and request.current_stage:
        approvers = (
            User.select()
            .join(RequestApprover, on=RequestApprover.approver == User.id)
            .where((RequestApprover.request == request.id) & (RequestApprover.stage_number == request.current_stage))
            .order_by(User.display_name_key, User.id)
        )
        stage = ApprovalStage.get_or_none(
            (ApprovalStage.policy == request.assignment_policy_id)
            & (ApprovalStage.stage_number == request.current_stage)
        )
        timeout = _stage_timeout(stage, request.stage_started_date_time)
        waiting = Waiting(request.current_stage, tuple(_person(user) for user in approvers), timeout)
    policy = request.assignment_policy
    return RequestState(
        request_id=request.id,
        access_package=request.access_package.display_name,
        policy=policy.display_name if policy else None,
        requestor=_person(request.requestor),
        target=_person(request.target),
        request_type=request.request_type,
        state=request.state,
        status=request.status,
        justification=request.justification,
        created=request.created_date_time,
        completed=request.completed_date_time,
        waiting=waiting,
    )


class RequestHistoryReport(AuditQueryReport):
    """The audit records of one request, oldest first, in write order."""

    name = "Request history"
    columns = (
        Column("time", "Date (UTC)", ColumnType.DATETIME),
        Column("category", "Category"),
        Column("activity", "Activity"),
        Column("result", "Result"),
        Column("initiated_by", "Initiated by (actor)"),
        Column("target", "Target"),
        Column("additional_details", "Additional details", ColumnType.JSON),
        Column("id", "ID"),
    )

    def __init__(self, request_id: str, *, actor: User | None = None):
        """Raises NotFound when neither a request nor audit records carry `request_id`."""
        authorize(actor, Action.VIEW_AUDIT_LOG)
        self.request_id = request_id.strip().lower()
        self.request = AssignmentRequest.get_or_none(AssignmentRequest.id == self.request_id)
        if (
            self.request is None
            and not AuditEvent.select().where(AuditEvent.correlation_id == self.request_id).exists()
        ):
            raise NotFound(f"No request {request_id.strip()!r}: neither a request nor audit records carry that id.")

    def filters(self) -> list[tuple[str, str]]:
        return [("Request ID (correlation ID)", self.request_id)]

    def state(self) -> RequestState | None:
        """The request's state, or None when only its audit records are known (imported)."""
        return request_state(self.request) if self.request else None

    def conditions(self) -> list:
        return [AuditEvent.correlation_id == self.request_id]

    def default_order(self) -> list[tuple[object, bool]]:
        return [(AuditEvent.activity_date_time, False), (AuditEvent.seq, False)]

    def selected(self) -> tuple:
        e = AuditEvent
        return (
            e.activity_date_time,
            e.category,
            e.activity_display_name,
            e.result,
            e.initiated_by_upn,
            e.initiated_by_display_name,
            e.target_resources,
            e.additional_details,
            e.id,
        )

    def sort_expressions(self) -> dict:
        e = AuditEvent
        return {
            "time": e.activity_date_time,
            "category": e.category,
            "activity": e.activity_display_name,
            "result": e.result,
            "initiated_by": e.initiated_by_upn_key,
            "target": e.target_name_key,
            "additional_details": e.additional_details,
            "id": e.id,
        }

    def rows(self, records: list) -> list[tuple]:
        return [
            (
                utc_time(when),
                category,
                activity,
                result,
                upn or name,
                target_text(json_value(targets)),
                details,
                event_id,
            )
            for when, category, activity, result, upn, name, targets, details, event_id in records
        ]


class _RequestTableReport(QueryReport):
    """A table about one request's approval (who was asked, who decided)."""

    def __init__(self, request_id: str, *, actor: User | None = None):
        authorize(actor, Action.VIEW_AUDIT_LOG)
        self.request_id = request_id.strip().lower()

    def filters(self) -> list[tuple[str, str]]:
        return [("Request ID", self.request_id)]


class RequestApproversReport(_RequestTableReport):
    """The approvers each stage of a request was sent to."""

    name = "Approvers"
    columns = (
        Column("stage", "Stage", ColumnType.NUMBER),
        Column("approver", "Approver"),
        Column("user_principal_name", "User principal name"),
        Column("fallback", "Fallback approver", ColumnType.BOOLEAN),
    )

    def query(self):
        return (
            RequestApprover.select(
                RequestApprover.stage_number, User.display_name, User.user_principal_name, RequestApprover.is_fallback
            )
            .join(User, on=RequestApprover.approver == User.id)
            .where(RequestApprover.request == self.request_id)
            .tuples()
        )

    def sort_expressions(self) -> dict:
        return {
            "stage": RequestApprover.stage_number,
            "approver": User.display_name_key,
            "user_principal_name": User.upn_key,
            "fallback": RequestApprover.is_fallback,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(RequestApprover.stage_number, False), (User.display_name_key, False), (RequestApprover.id, False)]

    def unique_key(self):
        return RequestApprover.id

    def rows(self, records: list) -> list[tuple]:
        return [tuple(record) for record in records]


class RequestDecisionsReport(_RequestTableReport):
    """The decision that ended each stage: approver (none for a timeout), result, justification."""

    name = "Decisions"
    columns = (
        Column("stage", "Stage", ColumnType.NUMBER),
        Column("approver", "Approver"),
        Column("result", "Review result"),
        Column("justification", "Justification"),
        Column("reviewed", "Reviewed (UTC)", ColumnType.DATETIME),
    )

    def query(self):
        return (
            ApprovalDecision.select(
                ApprovalDecision.stage_number,
                User.display_name,
                User.user_principal_name,
                ApprovalDecision.review_result,
                ApprovalDecision.justification,
                ApprovalDecision.reviewed_date_time,
            )
            .join(User, JOIN.LEFT_OUTER, on=ApprovalDecision.approver == User.id)
            .where(ApprovalDecision.request == self.request_id)
            .tuples()
        )

    def sort_expressions(self) -> dict:
        d = ApprovalDecision
        return {
            "stage": d.stage_number,
            "approver": User.display_name_key,
            "result": d.review_result,
            "justification": d.justification,
            "reviewed": d.reviewed_date_time,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(ApprovalDecision.stage_number, False), (ApprovalDecision.id, False)]

    def unique_key(self):
        return ApprovalDecision.id

    def rows(self, records: list) -> list[tuple]:
        return [
            (stage, f"{name} ({upn})" if name else None, result, justification, reviewed)
            for stage, name, upn, result, justification, reviewed in records
        ]


def request_history_reports(request_id: str, *, actor: User | None = None) -> list[QueryReport]:
    """The timeline, approvers and decisions of a request (one sheet each in a workbook)."""
    return [
        RequestHistoryReport(request_id, actor=actor),
        RequestApproversReport(request_id, actor=actor),
        RequestDecisionsReport(request_id, actor=actor),
    ]
