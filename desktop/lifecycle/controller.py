"""The request lifecycle controller: the one place where requests and assignments change
state. Submit, assign, approve, deny, cancel, remove, and the due work time brings.

Each transition is one database transaction holding its rows and its audit records, and
acts on the configuration as it is in that transaction (read again whenever its version
changed); a refused transition raises
before anything is written. Time comes from the injected clock, new ids from the injected
id factory (the demo history draws them from its seed). `Lifecycle.batch()` runs many
transitions in one transaction (the demo history does): the configuration is then read
once and the audit records are inserted in bulk.
"""

from datetime import datetime
from typing import Callable

from desktop import audit_log as log
from desktop.clock import Clock, SystemClock
from desktop.eligibility import requestable_policies, why_cannot_request
from desktop.errors import NotFound, Refused
from desktop.lifecycle import statements as sql
from desktop.lifecycle.configuration import expiration
from desktop.lifecycle.delivery import deliver, end_assignment, mark_delivered
from desktop.lifecycle.due_work import Processed, process_due
from desktop.lifecycle.records import (
    Subject,
    record_decision,
    refuse_time_travel_for_assignment,
    refuse_time_travel_for_request,
    request_record,
)
from desktop.lifecycle.transactions import Step, Transactions
from desktop.permissions import Action, require
from desktop.session import check_acting
from desktop.states import ACTIVE_ASSIGNMENT_STATES, CANCELABLE_REQUEST_STATES
from models import (
    AccessPackage,
    ApprovalDecision,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    RequestApprover,
    User,
    new_id,
)
from models.deletion import current

USER_ADD = "userAdd"
ADMIN_ADD = "adminAdd"
USER_REMOVE = "userRemove"
ADMIN_REMOVE = "adminRemove"
# Request types that give access (Graph's; this app makes the first two).
ADD_REQUEST_TYPES = (USER_ADD, ADMIN_ADD, "systemAdd", "onBehalfAdd")


class Lifecycle:
    """The one place where requests and assignments change state.

    Only the configuration is kept from one transaction to the next, and only while its
    version says nothing in it changed, so a long-lived Lifecycle (a page's) always acts on
    the configuration as it is now. `id_factory` gives the ids of the
    rows and audit records it writes (random GUIDs unless given).
    """

    def __init__(self, clock: Clock | None = None, id_factory: Callable[[], str] = new_id):
        self.clock = clock or SystemClock()
        self.new_id = id_factory
        self._transactions = Transactions(id_factory, self.clock.now)

    def batch(self):
        """Run the transitions made inside in one transaction: configuration read once,
        audit records inserted in bulk. A refused transition still writes nothing."""
        return self._transactions.batch()

    def _transition(self):
        return self._transactions.transition()

    # -- adding access ---------------------------------------------------------------------

    def submit(
        self,
        requestor: User,
        package: AccessPackage,
        policy: AssignmentPolicy | None = None,
        justification: str | None = None,
    ) -> AssignmentRequest:
        """A user asks for `package` for themselves (userAdd)."""
        justification = _clean(justification)
        check_acting(requestor)
        with self._transition() as step:
            now = self.clock.now()
            chosen = step.reader.policy(policy.id if policy else self._only_policy(requestor, package).id)
            row = chosen.row
            if row.access_package_id != package.id:
                raise Refused(
                    f"Policy {row.display_name!r} belongs to another access package than {package.display_name!r}."
                )
            reason = why_cannot_request(requestor, row)
            if reason:
                raise Refused(reason)
            if row.is_requestor_justification_required and not justification:
                raise Refused(f"Policy {row.display_name!r} requires a justification for the request.")
            self._refuse_duplicate(requestor, row)
            self._refuse_incompatible(step, requestor, row.access_package)
            first_approvers = None
            if chosen.needs_approval:
                first_approvers = step.reader.approvers.stage_approvers(chosen.stages[0], requestor)
                if not first_approvers[0]:
                    raise Refused(
                        f"Nobody can approve stage 1 of policy {row.display_name!r} "
                        f"for {requestor.display_name}: the policy names no approver "
                        "other than the requestor."
                    )
            subject = Subject(self.new_id(), USER_ADD, row.access_package, row, requestor)
            request_record(
                step, log.USER_REQUESTS, subject, now, log.user_initiator(requestor), justification=justification
            )
            request = AssignmentRequest(
                id=subject.request_id,
                access_package=package.id,
                assignment_policy=row.id,
                request_type=USER_ADD,
                requestor=requestor.id,
                target=requestor.id,
                justification=justification,
                created_date_time=now,
            )
            if first_approvers is not None:
                request.state, request.status = "pendingApproval", "PendingApproval"
                request.current_stage, request.stage_started_date_time = 1, now
                sql.insert_request(request)
                request_record(step, log.CREATE_APPROVAL, subject, now, log.APP_INITIATOR, stage=1)
                self._ask(step, subject, 1, *first_approvers, now)
                return request
            request_record(step, log.AUTO_APPROVE, subject, now, log.APP_INITIATOR)
            request_record(step, log.READY_TO_FULFILL, subject, now, log.APP_INITIATOR)
            start = now
            end = expiration(row, start)
            request.assignment = deliver(step, subject, now, start, end)
            request.schedule_start, request.schedule_end = start, end
            mark_delivered(request, now)
            sql.insert_request(request)
            return request

    def assign(
        self,
        admin: User,
        target: User,
        package: AccessPackage,
        policy: AssignmentPolicy,
        start: datetime | None = None,
        end: datetime | None = None,
        justification: str | None = None,
    ) -> AssignmentRequest:
        """An administrator assigns `package` to `target` directly (adminAdd): no approval."""
        justification = _clean(justification)
        check_acting(admin)
        with self._transition() as step:
            step.reader.check(admin, Action.MANAGE_REQUESTS)
            now = self.clock.now()
            row = step.reader.policy(policy.id).row
            if row.access_package_id != package.id:
                raise Refused(
                    f"Policy {row.display_name!r} belongs to another access package than {package.display_name!r}."
                )
            start = start or now
            end = end or expiration(row, start)
            if end is not None and end <= start:
                raise Refused("The assignment would end before it starts.")
            self._refuse_duplicate(target, row)
            self._refuse_incompatible(step, target, row.access_package)
            subject = Subject(self.new_id(), ADMIN_ADD, row.access_package, row, target)
            request_record(
                step, log.ADMIN_ASSIGNS, subject, now, log.user_initiator(admin), justification=justification
            )
            request_record(step, log.READY_TO_FULFILL, subject, now, log.APP_INITIATOR)
            request = AssignmentRequest(
                id=subject.request_id,
                access_package=package.id,
                assignment_policy=row.id,
                request_type=ADMIN_ADD,
                requestor=admin.id,
                target=target.id,
                justification=justification,
                created_date_time=now,
                schedule_start=start,
                schedule_end=end,
            )
            request.assignment = deliver(step, subject, now, start, end)
            mark_delivered(request, now)
            sql.insert_request(request)
            return request

    # -- approval --------------------------------------------------------------------------

    def approve(self, approver: User, request_id: str, justification: str | None = None) -> AssignmentRequest:
        """The approver approves the current stage; the last stage's approval delivers."""
        return self._decide(approver, request_id, justification, approve=True)

    def deny(self, approver: User, request_id: str, justification: str | None = None) -> AssignmentRequest:
        """The approver denies the request at its current stage."""
        return self._decide(approver, request_id, justification, approve=False)

    def _decide(self, approver: User, request_id: str, justification: str | None, approve: bool):
        justification = _clean(justification)
        verb = "approve" if approve else "deny"
        check_acting(approver)
        with self._transition() as step:
            now = self.clock.now()
            request = _load_request(request_id)
            refuse_time_travel_for_request(now, request.id)
            if approver.id in (request.target_id, request.requestor_id):
                raise Refused(
                    f"{approver.display_name} cannot {verb} request {request.id}: nobody decides their own request."
                )
            if request.state != "pendingApproval":
                raise Refused(_why_not_pending(request, verb))
            stage_number = request.current_stage
            asked = set(sql.STAGES_ASKED.tuples(request=request.id, approver=approver.id))
            if (stage_number,) not in asked:
                if asked:
                    raise Refused(
                        f"{approver.display_name} cannot {verb} request {request.id}: their "
                        f"stage was already decided; it is now at stage {stage_number}."
                    )
                raise Refused(
                    f"{approver.display_name} is not an approver of stage {stage_number} of request {request.id}."
                )
            policy = step.reader.policy(request.assignment_policy_id)
            stage = policy.stages[stage_number - 1]
            if stage.is_approver_justification_required and not justification:
                raise Refused(
                    f"Stage {stage_number} of policy {policy.row.display_name!r} requires the approver's justification."
                )
            record_decision(
                step, request, stage_number, approver.id, "Approve" if approve else "Deny", justification, now
            )
            subject = Subject(
                request.id,
                request.request_type,
                policy.row.access_package,
                policy.row,
                step.reader.user(request.target_id),
            )
            decided_by = log.user_initiator(approver)
            if not approve:
                request_record(
                    step, log.DENY, subject, now, decided_by, stage=stage_number, justification=justification
                )
                request.state, request.status, request.completed_date_time = "denied", "Denied", now
                request.current_stage = None
            elif stage_number < len(policy.stages):
                request_record(
                    step, log.STAGE_COMPLETED, subject, now, decided_by, stage=stage_number, justification=justification
                )
                following = policy.stages[stage_number]
                request.current_stage, request.stage_started_date_time = following.number, now
                self._ask(
                    step,
                    subject,
                    following.number,
                    *step.reader.approvers.stage_approvers(following, subject.target),
                    now,
                )
            else:
                request_record(
                    step, log.APPROVE, subject, now, decided_by, stage=stage_number, justification=justification
                )
                request_record(step, log.READY_TO_FULFILL, subject, now, log.APP_INITIATOR)
                start = now
                end = expiration(policy.row, start)
                request.assignment = deliver(step, subject, now, start, end)
                request.schedule_start, request.schedule_end = start, end
                request.current_stage = None
                mark_delivered(request, now)
            sql.save_changes(request)
            return request

    def _ask(
        self, step: Step, subject: Subject, stage_number: int, approver_ids: list[str], fallback: bool, now: datetime
    ) -> None:
        for approver_id in approver_ids:
            sql.INSERT_REQUEST_APPROVER.execute(
                request=subject.request_id, stage_number=stage_number, approver=approver_id, is_fallback=fallback
            )
        for approver in map(step.reader.user, approver_ids):
            request_record(
                step,
                log.ADD_APPROVER,
                subject,
                now,
                log.APP_INITIATOR,
                stage=stage_number,
                extra=(
                    ("ApproverId", approver.id),
                    ("ApproverUserPrincipalName", approver.user_principal_name),
                    ("IsFallbackApprover", "true" if fallback else "false"),
                ),
            )

    def pending_approvals(self, approver: User):
        """Requests waiting for `approver`'s decision at their current stage, oldest first."""
        return (
            AssignmentRequest.select()
            .join(
                RequestApprover,
                on=(
                    (RequestApprover.request == AssignmentRequest.id)
                    & (RequestApprover.stage_number == AssignmentRequest.current_stage)
                ),
            )
            .where(
                (RequestApprover.approver == approver.id)
                & (AssignmentRequest.state == "pendingApproval")
                & (AssignmentRequest.target != approver.id)
            )
            .order_by(AssignmentRequest.created_date_time, AssignmentRequest.id)
        )

    def waits_for(self, approver: User, request_id: str) -> bool:
        """Whether request `request_id` waits for `approver`'s decision now."""
        return self.pending_approvals(approver).where(AssignmentRequest.id == request_id).exists()

    @staticmethod
    def removable_assignment(request_id: str) -> Assignment | None:
        """The still active assignment that add request `request_id` delivered, with its
        target and access package (what a removal names); None when there is none to remove."""
        return (
            Assignment.select(Assignment, User, AccessPackage)
            .join(AssignmentRequest, on=AssignmentRequest.assignment == Assignment.id)
            .switch(Assignment)
            .join(User, on=Assignment.target == User.id)
            .switch(Assignment)
            .join(AccessPackage, on=Assignment.access_package == AccessPackage.id)
            .where(
                (AssignmentRequest.id == request_id.strip().lower())
                & AssignmentRequest.request_type.in_(ADD_REQUEST_TYPES)
                & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
                & current(Assignment)
            )
            .first()
        )

    # -- ending ----------------------------------------------------------------------------

    def cancel(self, requestor: User, request_id: str) -> AssignmentRequest:
        """The requestor withdraws a request that is still pending."""
        check_acting(requestor)
        with self._transition() as step:
            now = self.clock.now()
            request = _load_request(request_id)
            refuse_time_travel_for_request(now, request.id)
            if requestor.id != request.requestor_id:
                raise Refused(f"Only the requestor can cancel request {request.id}.")
            if request.state not in CANCELABLE_REQUEST_STATES:
                raise Refused(_why_not_pending(request, "cancel"))
            policy = step.reader.policy(request.assignment_policy_id).row
            subject = Subject(
                request.id, request.request_type, policy.access_package, policy, step.reader.user(request.target_id)
            )
            request_record(step, log.CANCEL, subject, now, log.user_initiator(requestor))
            request.state, request.status, request.completed_date_time = "canceled", "Canceled", now
            request.current_stage = None
            sql.save_changes(request)
            return request

    def remove_assignment(self, actor: User, assignment_id: str) -> AssignmentRequest:
        """End an assignment: its target gives it up (userRemove, if the policy lets them) or
        an administrator removes it (adminRemove). Returns the remove request."""
        check_acting(actor)
        with self._transition() as step:
            now = self.clock.now()
            assignment = sql.ASSIGNMENT.first(id=assignment_id)
            if assignment is None:
                raise NotFound(f"No assignment {assignment_id!r}.")
            refuse_time_travel_for_assignment(now, assignment.id)
            if assignment.state not in ACTIVE_ASSIGNMENT_STATES:
                raise Refused(f"Assignment {assignment.id} has already ended ({assignment.status}).")
            if assignment.deleted_date_time is not None:
                raise Refused(f"Assignment {assignment.id} has been deleted from the tenant.")
            policy = step.reader.policy(assignment.assignment_policy_id).row
            if actor.id == assignment.target_id:
                if not policy.enable_targets_to_self_remove_access:
                    raise Refused(
                        f"Policy {policy.display_name!r} does not let users remove their "
                        "own access; ask an administrator."
                    )
                request_type = USER_REMOVE
            else:
                step.reader.check(actor, Action.MANAGE_REQUESTS)
                request_type = ADMIN_REMOVE
            return end_assignment(step, assignment, policy, request_type, actor, now, "Removed", now)

    # -- due work --------------------------------------------------------------------------

    def process_due(self, actor: User | None, now: datetime | None = None) -> Processed:
        """Time out stages nobody decided in time and end assignments past their end, as the
        administrator `actor`; an item that cannot be processed is reported in
        `Processed.skipped` and the rest goes on. Running it again at the same moment does nothing."""
        check_acting(actor)
        require(actor, Action.MANAGE_REQUESTS)
        return process_due(self._transactions, now or self.clock.now())

    # -- checks and records ----------------------------------------------------------------

    @staticmethod
    def _only_policy(requestor: User, package: AccessPackage) -> AssignmentPolicy:
        choices = list(requestable_policies(requestor).where(AssignmentPolicy.access_package == package.id))
        if len(choices) == 1:
            return choices[0]
        if choices:
            names = ", ".join(repr(choice.display_name) for choice in choices)
            raise Refused(
                f"Access package {package.display_name!r} has several policies "
                f"{requestor.display_name} can request through: choose one of {names}."
            )
        policies = list(
            AssignmentPolicy.select(AssignmentPolicy, AccessPackage)
            .join(AccessPackage)
            .where(AssignmentPolicy.access_package == package.id)
            .order_by(AssignmentPolicy.display_name)
        )
        if not policies:
            raise Refused(f"Access package {package.display_name!r} has no assignment policy.")
        raise Refused(
            why_cannot_request(requestor, policies[0])
            if len(policies) == 1
            else f"{requestor.display_name} cannot request access package {package.display_name!r} "
            "through any of its policies."
        )

    @staticmethod
    def _refuse_duplicate(target: User, policy: AssignmentPolicy) -> None:
        same = {"target": target.id, "package": policy.access_package_id, "policy": policy.id}
        if sql.ACTIVE_ASSIGNMENT_EXISTS.tuples(**same):
            raise Refused(
                f"{target.display_name} already has access package "
                f"{policy.access_package.display_name!r} through policy {policy.display_name!r}."
            )
        if sql.PENDING_REQUEST_EXISTS.tuples(**same):
            raise Refused(
                f"{target.display_name} already has a pending request for access package "
                f"{policy.access_package.display_name!r} through policy {policy.display_name!r}."
            )

    @staticmethod
    def _refuse_incompatible(step: Step, target: User, package: AccessPackage) -> None:
        incompatible = step.reader.configuration.incompatible(package.id)
        if not incompatible:
            return
        held = (
            AccessPackage.select(AccessPackage.display_name)
            .join(Assignment)
            .where(
                (Assignment.target == target.id)
                & Assignment.access_package.in_(sorted(incompatible))
                & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
                & current(Assignment)
            )
            .order_by(AccessPackage.display_name)
            .first()
        )
        if held is not None:
            raise Refused(
                f"{target.display_name} holds access package {held.display_name!r}, which is "
                f"incompatible with {package.display_name!r} (separation of duties)."
            )


def _load_request(request_id: str) -> AssignmentRequest:
    request = sql.REQUEST.first(id=request_id.strip().lower())
    if request is None:
        raise NotFound(f"No request {request_id!r}.")
    return request


def _why_not_pending(request: AssignmentRequest, verb: str) -> str:
    if request.status == "TimedOut":
        return f"Request {request.id} timed out: it can no longer be decided or canceled."
    if request.state == "canceled":
        return f"Request {request.id} was canceled: there is nothing left to {verb}."
    if (
        request.state in ("delivered", "denied")
        and request.request_type == USER_ADD
        and ApprovalDecision.select().where(ApprovalDecision.request == request.id).exists()
    ):
        return f"Request {request.id} was already decided ({request.status}): it cannot be changed."
    return f"Request {request.id} is {request.state}: there is nothing to {verb}."


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None
