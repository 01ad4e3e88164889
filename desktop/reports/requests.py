"""Access package assignment requests: every request (with a state filter), or the requests
waiting for one approver's decision (the controller's `pending_approvals`)."""

from peewee import JOIN

from desktop.errors import InvalidInput
from desktop.lifecycle import Lifecycle
from desktop.permissions import Action
from desktop.reports.base import Column, ColumnType, QueryReport, authorize
from models import AccessPackage, AssignmentPolicy, AssignmentRequest, User
from models.requests import REQUEST_STATES

# The state filter: "all", or one Graph request state.
STATE_FILTERS = ("all",) + REQUEST_STATES

Requestor = User.alias("requestor")
Target = User.alias("target")


class RequestsReport(QueryReport):
    """Requests, newest first. `state` keeps one Graph state; `pending_for` keeps the requests
    whose current stage waits for that approver (anyone may read their own queue)."""

    graph_type = None
    columns = (
        Column("created", "Created (UTC)", ColumnType.DATETIME),
        Column("requestor", "Requestor"),
        Column("target", "Target"),
        Column("target_upn", "Target UPN"),
        Column("package", "Access package"),
        Column("policy", "Policy"),
        Column("type", "Request type"),
        Column("state", "State"),
        Column("status", "Status"),
        Column("stage", "Stage", ColumnType.NUMBER),
        Column("completed", "Completed (UTC)", ColumnType.DATETIME),
        Column("id", "Request ID"),
    )

    def __init__(self, state: str = "all", *, pending_for: User | None = None, actor: User | None = None):
        if state not in STATE_FILTERS:
            raise InvalidInput(f"Unknown request state {state!r}: use one of {', '.join(STATE_FILTERS)}.")
        if pending_for is None or actor is None or actor.id != pending_for.id:
            authorize(actor, Action.MANAGE_REQUESTS)
        self.state = state
        self.pending_for = pending_for
        if pending_for is not None:
            self.name = f"Pending approvals of {pending_for.display_name}"
        else:
            self.name = "Access package assignment requests"

    def filters(self) -> list[tuple[str, str]]:
        filters = [("State", self.state)]
        if self.pending_for is not None:
            filters.append(("Waiting for", self.pending_for.label))
        return filters

    def query(self):
        r = AssignmentRequest
        query = (
            r.select(
                r.created_date_time,
                Requestor.display_name,
                Target.display_name,
                Target.user_principal_name,
                AccessPackage.display_name,
                AssignmentPolicy.display_name,
                r.request_type,
                r.state,
                r.status,
                r.current_stage,
                r.completed_date_time,
                r.id,
            )
            .join(Target, on=r.target == Target.id)
            .switch(r)
            .join(Requestor, JOIN.LEFT_OUTER, on=r.requestor == Requestor.id)
            .switch(r)
            .join(AccessPackage, on=r.access_package == AccessPackage.id)
            .switch(r)
            .join(AssignmentPolicy, JOIN.LEFT_OUTER, on=r.assignment_policy == AssignmentPolicy.id)
            .tuples()
        )
        if self.state != "all":
            query = query.where(r.state == self.state)
        if self.pending_for is not None:
            # The controller's own definition of the queue, so the table and a decision agree.
            waiting = Lifecycle().pending_approvals(self.pending_for).select(AssignmentRequest.id)
            query = query.where(r.id.in_(waiting))
        return query

    def sort_expressions(self) -> dict:
        r = AssignmentRequest
        return {
            "created": r.created_date_time,
            "requestor": Requestor.display_name_key,
            "target": Target.display_name_key,
            "target_upn": Target.upn_key,
            "package": AccessPackage.display_name_key,
            "policy": AssignmentPolicy.display_name,
            "type": r.request_type,
            "state": r.state,
            "status": r.status,
            "stage": r.current_stage,
            "completed": r.completed_date_time,
            "id": r.id,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        if self.pending_for is not None:
            return [(AssignmentRequest.created_date_time, False), (AssignmentRequest.id, False)]
        return [(AssignmentRequest.created_date_time, True), (AssignmentRequest.id, True)]

    def unique_key(self):
        return AssignmentRequest.id

    def rows(self, records: list) -> list[tuple]:
        return [tuple(record) for record in records]
