"""Assignment requests, the approvers each stage asked, and their decisions."""

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from models.assignments import Assignment
from models.base import BaseModel, GraphModel, UtcDateTimeField
from models.catalog import AccessPackage
from models.directory import User
from models.policy import AssignmentPolicy

# Graph `accessPackageRequestType` and `accessPackageRequestState` values.
REQUEST_TYPES = (
    "notSpecified",
    "userAdd",
    "userUpdate",
    "userRemove",
    "adminAdd",
    "adminUpdate",
    "adminRemove",
    "systemAdd",
    "systemUpdate",
    "systemRemove",
    "onBehalfAdd",
)
REQUEST_STATES = (
    "submitted",
    "pendingApproval",
    "delivering",
    "delivered",
    "deliveryFailed",
    "denied",
    "scheduled",
    "canceled",
    "partiallyDelivered",
)
TERMINAL_REQUEST_STATES = ("delivered", "deliveryFailed", "denied", "canceled", "partiallyDelivered")


class AssignmentRequest(GraphModel):
    """Graph `accessPackageAssignmentRequest`. `status` is Graph's free-text status
    (`Accepted`, `PendingApproval`, `Delivered`, `Denied`, `TimedOut`, `Canceled`, ...)."""

    access_package = ForeignKeyField(AccessPackage, backref="requests", on_delete="CASCADE")
    assignment_policy = ForeignKeyField(AssignmentPolicy, null=True, backref="requests", on_delete="CASCADE")
    request_type = CharField(max_length=16)
    state = CharField(max_length=24)
    status = CharField(max_length=32)
    requestor = ForeignKeyField(User, null=True, backref="requests_made", on_delete="SET NULL")
    target = ForeignKeyField(User, backref="requests", on_delete="CASCADE", index=False)
    justification = TextField(null=True)
    schedule_start = UtcDateTimeField(null=True)
    schedule_end = UtcDateTimeField(null=True)
    created_date_time = UtcDateTimeField()
    completed_date_time = UtcDateTimeField(null=True)
    # The assignment a delivered add request created, or the one a remove request ends.
    assignment = ForeignKeyField(Assignment, null=True, backref="requests", on_delete="SET NULL")
    # While pendingApproval: the stage being decided and when it started.
    current_stage = IntegerField(null=True)
    stage_started_date_time = UtcDateTimeField(null=True)

    class Meta:
        indexes = (
            (("state",), False),
            (("target", "access_package"), False),
            (("created_date_time",), False),
        )


class RequestApprover(BaseModel):
    """An approver a request's stage was sent to ("Add approver to request approval")."""

    request = ForeignKeyField(AssignmentRequest, backref="approvers", on_delete="CASCADE", index=False)
    stage_number = IntegerField()
    approver = ForeignKeyField(User, backref="approvals_assigned", on_delete="CASCADE")
    is_fallback = BooleanField(default=False)

    class Meta:
        indexes = (
            (("request", "stage_number", "approver"), True),
            (("approver",), False),
        )


class ApprovalDecision(GraphModel):
    """Graph `approvalStage` with a review result. One decision ends a stage: the unique
    index on (request, stage_number) makes a second decision on the same stage fail at the
    database, so two machines deciding at once have exactly one winner."""

    request = ForeignKeyField(AssignmentRequest, backref="decisions", on_delete="CASCADE", index=False)
    stage_number = IntegerField()
    approver = ForeignKeyField(User, null=True, on_delete="SET NULL")  # null: the system (timeout)
    review_result = CharField(max_length=16)  # Approve | Deny | TimedOut
    justification = TextField(null=True)
    reviewed_date_time = UtcDateTimeField()

    class Meta:
        indexes = ((("request", "stage_number"), True),)
