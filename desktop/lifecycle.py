"""The request lifecycle controller: submit, assign, approve, deny, cancel, remove, and the
due work (stage timeouts, expiries) that time brings.

Each transition is one database transaction holding its rows and its audit records; a
refused transition raises before anything is written. Time comes from the injected clock,
new ids from the injected id factory (the demo history draws them from its seed).
`Lifecycle.batch()` runs many transitions in one transaction (the demo history does): the
tenant's configuration is then read once and the audit records are inserted in bulk.

A transition runs a dozen small statements; their SQL is generated once (`Prepared`), since
peewee's query builder costs more than SQLite running them.
"""
import calendar
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, NamedTuple

import peewee

from desktop import audit_log as log
from desktop.approvers import ApproverDirectory, StageDefinition, stage_definitions
from desktop.clock import Clock, SystemClock
from desktop.eligibility import requestable_policies, why_cannot_request
from desktop.errors import DeskError, Forbidden, InvalidInput, NotFound, Refused
from desktop.permissions import Action, why_not
from models import (
    AccessPackage, Application, AppRole, AppRoleAssignment, ApprovalDecision, ApprovalStage, Assignment,
    AssignmentPolicy, AssignmentRequest, Group, GroupMember, IncompatibleAccessPackage,
    RequestApprover, Resource, ResourceRole, ResourceRoleAssignment, ResourceRoleScope, User, db,
    new_id,
)
from models.change_context import clear_change_context, set_change_context
from models.prepared import Parameter, Prepared

ACTIVE_ASSIGNMENT_STATES = ("delivering", "delivered")
PENDING_REQUEST_STATES = ("submitted", "pendingApproval", "delivering")

USER_ADD = "userAdd"
ADMIN_ADD = "adminAdd"
USER_REMOVE = "userRemove"
ADMIN_REMOVE = "adminRemove"
SYSTEM_REMOVE = "systemRemove"

AAD_GROUP = "AadGroup"
AAD_APPLICATION = "AadApplication"

_BATCH_RECORDS_PER_FLUSH = 2000
LIFECYCLE_SOURCE = "lifecycle"

# The statements of the transitions, each generated once per database.
_REQUEST = Prepared(lambda: AssignmentRequest.select().where(AssignmentRequest.id == Parameter("id")))
_ASSIGNMENT = Prepared(lambda: Assignment.select().where(Assignment.id == Parameter("id")))
_USER = Prepared(lambda: User.select().where(User.id == Parameter("id")))
_ACTIVE_ASSIGNMENT_EXISTS = Prepared(lambda: Assignment.select(Assignment.id).where(
    (Assignment.target == Parameter("target")) & (Assignment.access_package == Parameter("package"))
    & (Assignment.assignment_policy == Parameter("policy"))
    & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)).limit(1))
_PENDING_REQUEST_EXISTS = Prepared(lambda: AssignmentRequest.select(AssignmentRequest.id).where(
    (AssignmentRequest.target == Parameter("target"))
    & (AssignmentRequest.access_package == Parameter("package"))
    & (AssignmentRequest.assignment_policy == Parameter("policy"))
    & AssignmentRequest.state.in_(PENDING_REQUEST_STATES)).limit(1))
_STAGES_ASKED = Prepared(lambda: RequestApprover.select(RequestApprover.stage_number).where(
    (RequestApprover.request == Parameter("request")) & (RequestApprover.approver == Parameter("approver"))))
_ROLES_HELD = Prepared(lambda: ResourceRoleAssignment
                       .select(Resource.origin_system, Resource.origin_id, ResourceRole.origin_id)
                       .join(Assignment).switch(ResourceRoleAssignment).join(ResourceRole).join(Resource)
                       .where((ResourceRoleAssignment.target == Parameter("target"))
                              & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)))
_INSERT_REQUEST = Prepared.insert(AssignmentRequest)
_INSERT_REQUEST_APPROVER = Prepared.insert(RequestApprover)
_INSERT_DECISION = Prepared.insert(ApprovalDecision)
_INSERT_ASSIGNMENT = Prepared.insert(Assignment)
_INSERT_ROLE_ASSIGNMENT = Prepared.insert(ResourceRoleAssignment)
_ADD_GROUP_MEMBER = Prepared.insert(GroupMember, ignore_conflict=True)
_ADD_APP_ROLE_ASSIGNMENT = Prepared.insert(AppRoleAssignment, ignore_conflict=True)
_END_ASSIGNMENT = Prepared(lambda: Assignment.update(
    state="expired", status=Parameter("status", Assignment.status),
    expired_date_time=Parameter("ended", Assignment.expired_date_time)).where(Assignment.id == Parameter("id")))
_REMOVE_ROLE_ASSIGNMENTS = Prepared(lambda: ResourceRoleAssignment.update(status="Removed").where(
    ResourceRoleAssignment.assignment == Parameter("assignment")))
_REMOVE_GROUP_MEMBER = Prepared(lambda: GroupMember.delete().where(
    (GroupMember.group == Parameter("group")) & (GroupMember.member == Parameter("member"))))
_REMOVE_APP_ROLE_ASSIGNMENT = Prepared(lambda: AppRoleAssignment.delete().where(
    (AppRoleAssignment.principal == Parameter("principal"))
    & (AppRoleAssignment.application == Parameter("application"))
    & (AppRoleAssignment.app_role == Parameter("app_role"))))
_REMOVE_DEFAULT_APP_ROLE_ASSIGNMENT = Prepared(lambda: AppRoleAssignment.delete().where(
    (AppRoleAssignment.principal == Parameter("principal"))
    & (AppRoleAssignment.application == Parameter("application")) & AppRoleAssignment.app_role.is_null()))
_POLICY = Prepared(lambda: AssignmentPolicy.select().where(AssignmentPolicy.id == Parameter("id")))
_ACCESS_PACKAGE = Prepared(lambda: AccessPackage.select().where(AccessPackage.id == Parameter("id")))
_INCOMPATIBLE_PAIRS = Prepared(lambda: IncompatibleAccessPackage.select(
    IncompatibleAccessPackage.access_package, IncompatibleAccessPackage.incompatible_with).where(
    (IncompatibleAccessPackage.access_package == Parameter("package"))
    | (IncompatibleAccessPackage.incompatible_with == Parameter("package"))))
_PACKAGE_ROLES = Prepared(lambda: ResourceRoleScope
                          .select(ResourceRoleScope.role, ResourceRoleScope.scope, ResourceRole.origin_id,
                                  ResourceRole.display_name, Resource.origin_system, Resource.origin_id,
                                  Resource.display_name)
                          .join(ResourceRole).join(Resource)
                          .where(ResourceRoleScope.access_package == Parameter("package"))
                          .order_by(Resource.display_name, ResourceRole.display_name, ResourceRoleScope.id))
_GROUP_EXISTS = Prepared(lambda: Group.select(Group.id).where(Group.id == Parameter("id")))
_APPLICATION_EXISTS = Prepared(lambda: Application.select(Application.id).where(Application.id == Parameter("id")))
_APP_ROLE_VALUE = Prepared(lambda: AppRole.select(AppRole.value).where(AppRole.id == Parameter("id")))
# UPDATEs of a request's changed fields, by the names of those fields.
_REQUEST_UPDATES: dict[tuple[str, ...], Prepared] = {}

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?")


def shift(moment: datetime, duration: str, sign: int = 1) -> datetime:
    """`moment` moved by an ISO 8601 duration (P14D, PT12H, P1Y6M); sign -1 moves back.
    Years and months are calendar steps, clamped to the month's last day."""
    text = (duration or "").strip().upper()
    match = _DURATION.fullmatch(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise InvalidInput(f"{duration!r} is not an ISO 8601 duration such as P14D or PT12H.")
    parts = {name: float(value) if value else 0.0 for name, value in match.groupdict().items()}
    months = sign * int(12 * parts["years"] + parts["months"])
    if months:
        index = moment.year * 12 + moment.month - 1 + months
        year, month = divmod(index, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        moment = moment.replace(year=year, month=month + 1, day=day)
    return moment + sign * timedelta(weeks=parts["weeks"], days=parts["days"], hours=parts["hours"],
                                     minutes=parts["minutes"], seconds=parts["seconds"])


class Processed(NamedTuple):
    """What one `process_due` call did."""

    timed_out: int
    expired: int


@dataclass(frozen=True)
class _Policy:
    row: AssignmentPolicy  # its access_package joined in
    stages: tuple[StageDefinition, ...]

    @property
    def needs_approval(self) -> bool:
        return bool(self.row.is_approval_required_for_add and self.stages)


@dataclass(frozen=True)
class _Grant:
    """One resource role a package grants, with what its directory side needs."""

    role_id: str
    scope_id: str
    origin_system: str
    resource_origin_id: str
    resource_name: str
    role_origin_id: str
    role_name: str
    in_directory: bool  # the group or application exists here
    app_role_id: str | None = None
    app_role_value: str | None = None


@dataclass(frozen=True)
class _Subject:
    """What a request's audit records name."""

    request_id: str
    request_type: str
    package: AccessPackage
    policy: AssignmentPolicy
    target: User


class _Configuration:
    """Policies with their stages, the roles each package grants and incompatibilities, read
    once per Lifecycle: the lifecycle itself never changes them."""

    def __init__(self):
        self._memory: dict = {}

    def _remember(self, key, read):
        if key not in self._memory:
            self._memory[key] = read()
        return self._memory[key]

    def policy(self, policy_id: str) -> _Policy:
        def read():
            row = _POLICY.first(id=policy_id)
            if row is None:
                raise NotFound(f"No assignment policy {policy_id!r}.")
            row.access_package = _ACCESS_PACKAGE.first(id=row.access_package_id)
            row._dirty.clear()
            return _Policy(row, stage_definitions(policy_id))
        return self._remember(("policy", policy_id), read)

    def incompatible(self, package_id: str) -> frozenset[str]:
        """Ids of the packages incompatible with `package_id`, declared either way round."""
        def read():
            return frozenset(incompatible_with if declared_by == package_id else declared_by
                             for declared_by, incompatible_with in _INCOMPATIBLE_PAIRS.tuples(package=package_id))
        return self._remember(("incompatible", package_id), read)

    def grants(self, package_id: str) -> tuple[_Grant, ...]:
        return self._remember(("grants", package_id), lambda: _read_grants(package_id))


class _Reader:
    """Directory facts a transition reads (users, roles, approvers), kept while it lives: one
    transition, or one batch."""

    def __init__(self, configuration: _Configuration):
        self._memory: dict = {}
        self.configuration = configuration
        self.approvers = ApproverDirectory(self._memory)

    def policy(self, policy_id: str) -> _Policy:
        return self.configuration.policy(policy_id)

    def user(self, user_id: str) -> User:
        if ("user", user_id) not in self._memory:
            user = _USER.first(id=user_id)
            if user is None:
                raise NotFound(f"No user {user_id!r} in the directory.")
            self._memory["user", user_id] = user
        return self._memory["user", user_id]

    def check(self, actor: User, action: Action) -> None:
        if ("may", actor.id, action) not in self._memory:
            self._memory["may", actor.id, action] = why_not(actor, action)
        if self._memory["may", actor.id, action]:
            raise Forbidden(self._memory["may", actor.id, action])


def _read_grants(package_id: str) -> tuple[_Grant, ...]:
    grants = []
    for role_id, scope_id, role_origin_id, role_name, system, resource_origin_id, resource_name \
            in _PACKAGE_ROLES.tuples(package=package_id):
        exists = {AAD_GROUP: _GROUP_EXISTS, AAD_APPLICATION: _APPLICATION_EXISTS}.get(system)
        in_directory = bool(exists and exists.tuples(id=resource_origin_id))
        app_role = None  # (id, value) of the application's role the package grants
        if in_directory and system == AAD_APPLICATION:
            app_role = next(((role_origin_id, value) for (value,) in _APP_ROLE_VALUE.tuples(id=role_origin_id)),
                            None)
        grants.append(_Grant(
            role_id=role_id, scope_id=scope_id, origin_system=system,
            resource_origin_id=resource_origin_id, resource_name=resource_name,
            role_origin_id=role_origin_id, role_name=role_name, in_directory=in_directory,
            app_role_id=app_role[0] if app_role else None,
            app_role_value=app_role[1] if app_role else None))
    return tuple(grants)


@dataclass
class _Step:
    reader: _Reader
    records: list[dict] = field(default_factory=list)


@contextmanager
def _write_transaction():
    # SQLite: take the write lock at BEGIN, so two writers queue on the busy timeout instead
    # of deadlocking when both try to upgrade a read lock.
    if isinstance(db.obj, peewee.SqliteDatabase):
        with db.atomic("IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


class Lifecycle:
    """The one place where requests and assignments change state.

    A Lifecycle reads each policy (with its stages), each package's resource roles and its
    incompatible packages once and keeps them: make a new one after the configuration
    changes (an import, a rebuilt demo tenant). `id_factory` gives the ids of the rows and
    audit records it writes (random GUIDs unless given).
    """

    def __init__(self, clock: Clock | None = None, id_factory: Callable[[], str] = new_id):
        self.clock = clock or SystemClock()
        self.new_id = id_factory
        self._configuration = _Configuration()
        self._batch: _Step | None = None

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def batch(self):
        """Run the transitions made inside in one transaction: configuration read once,
        audit records inserted in bulk. A refused transition still writes nothing."""
        if self._batch is not None:
            raise RuntimeError("Lifecycle.batch() does not nest.")
        self._batch = _Step(_Reader(self._configuration))
        try:
            with _write_transaction():
                yield self
                log.write_records(self._batch.records)
                clear_change_context()
        finally:
            self._batch = None

    @contextmanager
    def _transition(self, at: datetime | None = None):
        # The history records the transition's rows as valid from its business time.
        if self._batch is None:
            step = _Step(_Reader(self._configuration))
            with _write_transaction():
                set_change_context(LIFECYCLE_SOURCE, at or self.clock.now())
                yield step
                log.write_records(step.records)
                clear_change_context()
            return
        set_change_context(LIFECYCLE_SOURCE, at or self.clock.now())
        step = _Step(self._batch.reader)
        if isinstance(db.obj, peewee.SqliteDatabase):
            # A savepoint would copy every page the transition touches to SQLite's sub-journal
            # (a third of the time of a long batch). The transitions refuse before they write;
            # should one ever refuse after writing, the whole batch fails instead.
            changes = db.connection().total_changes
            try:
                yield step
            except DeskError as refusal:
                if db.connection().total_changes != changes:
                    raise RuntimeError("A transition refused after writing: the batch is rolled back.") from refusal
                raise
        else:
            with db.atomic():  # a savepoint: a failed transition leaves the batch as it was
                yield step
        pending = self._batch.records
        pending.extend(step.records)
        if len(pending) >= _BATCH_RECORDS_PER_FLUSH:
            log.write_records(pending)
            pending.clear()

    # -- adding access ---------------------------------------------------------------------

    def submit(self, requestor: User, package: AccessPackage, policy: AssignmentPolicy | None = None,
               justification: str | None = None) -> AssignmentRequest:
        """A user asks for `package` for themselves (userAdd)."""
        justification = _clean(justification)
        with self._transition() as step:
            now = self.clock.now()
            chosen = step.reader.policy(policy.id if policy else self._only_policy(requestor, package).id)
            row = chosen.row
            if row.access_package_id != package.id:
                raise Refused(f"Policy {row.display_name!r} belongs to another access package "
                              f"than {package.display_name!r}.")
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
                    raise Refused(f"Nobody can approve stage 1 of policy {row.display_name!r} "
                                  f"for {requestor.display_name}: the policy names no approver "
                                  "other than the requestor.")
            subject = _Subject(self.new_id(), USER_ADD, row.access_package, row, requestor)
            step.records.append(self._record(log.USER_REQUESTS, subject, now, log.user_initiator(requestor),
                                             justification=justification))
            request = AssignmentRequest(
                id=subject.request_id, access_package=package.id, assignment_policy=row.id,
                request_type=USER_ADD, requestor=requestor.id, target=requestor.id,
                justification=justification, created_date_time=now)
            if first_approvers is not None:
                request.state, request.status = "pendingApproval", "PendingApproval"
                request.current_stage, request.stage_started_date_time = 1, now
                _insert(request)
                step.records.append(self._record(log.CREATE_APPROVAL, subject, now, log.APP_INITIATOR, stage=1))
                self._ask(step, subject, 1, *first_approvers, now)
                return request
            step.records.append(self._record(log.AUTO_APPROVE, subject, now, log.APP_INITIATOR))
            step.records.append(self._record(log.READY_TO_FULFILL, subject, now, log.APP_INITIATOR))
            start = now
            end = _expiration(row, start)
            request.assignment = self._deliver(step, subject, now, start, end)
            request.schedule_start, request.schedule_end = start, end
            _mark_delivered(request, now)
            _insert(request)
            return request

    def assign(self, admin: User, target: User, package: AccessPackage, policy: AssignmentPolicy,
               start: datetime | None = None, end: datetime | None = None,
               justification: str | None = None) -> AssignmentRequest:
        """An administrator assigns `package` to `target` directly (adminAdd): no approval."""
        justification = _clean(justification)
        with self._transition() as step:
            step.reader.check(admin, Action.MANAGE_REQUESTS)
            now = self.clock.now()
            row = step.reader.policy(policy.id).row
            if row.access_package_id != package.id:
                raise Refused(f"Policy {row.display_name!r} belongs to another access package "
                              f"than {package.display_name!r}.")
            start = start or now
            end = end or _expiration(row, start)
            if end is not None and end <= start:
                raise Refused("The assignment would end before it starts.")
            self._refuse_duplicate(target, row)
            self._refuse_incompatible(step, target, row.access_package)
            subject = _Subject(self.new_id(), ADMIN_ADD, row.access_package, row, target)
            step.records.append(self._record(log.ADMIN_ASSIGNS, subject, now, log.user_initiator(admin),
                                             justification=justification))
            step.records.append(self._record(log.READY_TO_FULFILL, subject, now, log.APP_INITIATOR))
            request = AssignmentRequest(
                id=subject.request_id, access_package=package.id, assignment_policy=row.id,
                request_type=ADMIN_ADD, requestor=admin.id, target=target.id,
                justification=justification, created_date_time=now,
                schedule_start=start, schedule_end=end)
            request.assignment = self._deliver(step, subject, now, start, end)
            _mark_delivered(request, now)
            _insert(request)
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
        with self._transition() as step:
            now = self.clock.now()
            request = _load_request(request_id)
            if approver.id in (request.target_id, request.requestor_id):
                raise Refused(f"{approver.display_name} cannot {verb} request {request.id}: "
                              "nobody decides their own request.")
            if request.state != "pendingApproval":
                raise Refused(_why_not_pending(request, verb))
            stage_number = request.current_stage
            asked = set(_STAGES_ASKED.tuples(request=request.id, approver=approver.id))
            if (stage_number,) not in asked:
                if asked:
                    raise Refused(f"{approver.display_name} cannot {verb} request {request.id}: their "
                                  f"stage was already decided; it is now at stage {stage_number}.")
                raise Refused(f"{approver.display_name} is not an approver of stage {stage_number} "
                              f"of request {request.id}.")
            policy = step.reader.policy(request.assignment_policy_id)
            stage = policy.stages[stage_number - 1]
            if stage.is_approver_justification_required and not justification:
                raise Refused(f"Stage {stage_number} of policy {policy.row.display_name!r} requires "
                              "the approver's justification.")
            self._record_decision(request, stage_number, approver.id,
                                  "Approve" if approve else "Deny", justification, now)
            subject = _Subject(request.id, request.request_type, policy.row.access_package, policy.row,
                               step.reader.user(request.target_id))
            decided_by = log.user_initiator(approver)
            if not approve:
                step.records.append(self._record(log.DENY, subject, now, decided_by, stage=stage_number,
                                                 justification=justification))
                request.state, request.status, request.completed_date_time = "denied", "Denied", now
                request.current_stage = None
            elif stage_number < len(policy.stages):
                step.records.append(self._record(log.STAGE_COMPLETED, subject, now, decided_by,
                                                 stage=stage_number, justification=justification))
                following = policy.stages[stage_number]
                request.current_stage, request.stage_started_date_time = following.number, now
                self._ask(step, subject, following.number,
                          *step.reader.approvers.stage_approvers(following, subject.target), now)
            else:
                step.records.append(self._record(log.APPROVE, subject, now, decided_by, stage=stage_number,
                                                 justification=justification))
                step.records.append(self._record(log.READY_TO_FULFILL, subject, now, log.APP_INITIATOR))
                start = now
                end = _expiration(policy.row, start)
                request.assignment = self._deliver(step, subject, now, start, end)
                request.schedule_start, request.schedule_end = start, end
                request.current_stage = None
                _mark_delivered(request, now)
            _save_changes(request)
            return request

    def _record_decision(self, request, stage_number, approver_id, result, justification, now) -> None:
        try:
            with db.atomic():  # a savepoint, so PostgreSQL's transaction survives the conflict
                _INSERT_DECISION.execute(
                    id=self.new_id(), request=request.id, stage_number=stage_number, approver=approver_id,
                    review_result=result, justification=justification, reviewed_date_time=now)
        except peewee.IntegrityError:
            raise Refused(f"Stage {stage_number} of request {request.id} was already decided.") from None

    def _ask(self, step: _Step, subject: _Subject, stage_number: int, approver_ids: list[str],
             fallback: bool, now: datetime) -> None:
        for approver_id in approver_ids:
            _INSERT_REQUEST_APPROVER.execute(request=subject.request_id, stage_number=stage_number,
                                             approver=approver_id, is_fallback=fallback)
        for approver in map(step.reader.user, approver_ids):
            step.records.append(self._record(
                log.ADD_APPROVER, subject, now, log.APP_INITIATOR, stage=stage_number,
                extra=(("ApproverId", approver.id), ("ApproverUserPrincipalName", approver.user_principal_name),
                       ("IsFallbackApprover", "true" if fallback else "false"))))

    def pending_approvals(self, approver: User):
        """Requests waiting for `approver`'s decision at their current stage, oldest first."""
        return (AssignmentRequest.select()
                .join(RequestApprover, on=((RequestApprover.request == AssignmentRequest.id)
                                           & (RequestApprover.stage_number == AssignmentRequest.current_stage)))
                .where((RequestApprover.approver == approver.id)
                       & (AssignmentRequest.state == "pendingApproval")
                       & (AssignmentRequest.target != approver.id))
                .order_by(AssignmentRequest.created_date_time, AssignmentRequest.id))

    # -- ending ----------------------------------------------------------------------------

    def cancel(self, requestor: User, request_id: str) -> AssignmentRequest:
        """The requestor withdraws a request that is still pending."""
        with self._transition() as step:
            now = self.clock.now()
            request = _load_request(request_id)
            if requestor.id != request.requestor_id:
                raise Refused(f"Only the requestor can cancel request {request.id}.")
            if request.state not in ("submitted", "pendingApproval"):
                raise Refused(_why_not_pending(request, "cancel"))
            policy = step.reader.policy(request.assignment_policy_id).row
            subject = _Subject(request.id, request.request_type, policy.access_package, policy,
                               step.reader.user(request.target_id))
            step.records.append(self._record(log.CANCEL, subject, now, log.user_initiator(requestor)))
            request.state, request.status, request.completed_date_time = "canceled", "Canceled", now
            request.current_stage = None
            _save_changes(request)
            return request

    def remove_assignment(self, actor: User, assignment_id: str) -> AssignmentRequest:
        """End an assignment: its target gives it up (userRemove, if the policy lets them) or
        an administrator removes it (adminRemove). Returns the remove request."""
        with self._transition() as step:
            now = self.clock.now()
            assignment = _ASSIGNMENT.first(id=assignment_id)
            if assignment is None:
                raise NotFound(f"No assignment {assignment_id!r}.")
            if assignment.state not in ACTIVE_ASSIGNMENT_STATES:
                raise Refused(f"Assignment {assignment.id} has already ended ({assignment.status}).")
            policy = step.reader.policy(assignment.assignment_policy_id).row
            if actor.id == assignment.target_id:
                if not policy.enable_targets_to_self_remove_access:
                    raise Refused(f"Policy {policy.display_name!r} does not let users remove their "
                                  "own access; ask an administrator.")
                request_type = USER_REMOVE
            else:
                step.reader.check(actor, Action.MANAGE_REQUESTS)
                request_type = ADMIN_REMOVE
            return self._end(step, assignment, policy, request_type, actor, now, "Removed", now)

    def _end(self, step: _Step, assignment: Assignment, policy: AssignmentPolicy, request_type: str,
             actor: User | None, now: datetime, status: str, ended: datetime) -> AssignmentRequest:
        target = step.reader.user(assignment.target_id)
        subject = _Subject(self.new_id(), request_type, policy.access_package, policy, target)
        request = AssignmentRequest(
            id=subject.request_id, access_package=assignment.access_package_id,
            assignment_policy=policy.id, request_type=request_type, requestor=actor.id if actor else None,
            target=target.id, created_date_time=now, assignment=assignment.id)
        _mark_delivered(request, now)
        _insert(request)
        _END_ASSIGNMENT.execute(id=assignment.id, status=status, ended=ended)
        _REMOVE_ROLE_ASSIGNMENTS.execute(assignment=assignment.id)
        initiator = log.user_initiator(actor) if actor else log.APP_INITIATOR
        step.records.append(self._record(log.REMOVE_ASSIGNMENT, subject, now, initiator,
                                         extra=(("AssignmentId", assignment.id),)))
        grants = step.reader.configuration.grants(assignment.access_package_id)
        kept = _still_granted(target, grants)
        for grant in grants:
            # A group membership stays while any role of that group is still granted.
            still = (any(key[:2] == (AAD_GROUP, grant.resource_origin_id) for key in kept)
                     if grant.origin_system == AAD_GROUP else
                     (grant.origin_system, grant.resource_origin_id, grant.role_origin_id) in kept)
            if not still:
                self._revoke(step, grant, target, now, subject.request_id)
        return request

    # -- due work --------------------------------------------------------------------------

    def process_due(self, now: datetime | None = None) -> Processed:
        """Time out stages nobody decided in time and end assignments past their end.
        Running it again at the same moment does nothing."""
        now = now or self.clock.now()
        timed_out = sum(self._time_out(request_id, stage_number, now)
                        for request_id, stage_number in _overdue_requests(now))
        expired = 0
        for assignment in (Assignment.select()
                           .where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
                                  & (Assignment.schedule_end <= now))
                           .order_by(Assignment.schedule_end, Assignment.id)):
            with self._transition(now) as step:
                current = _ASSIGNMENT.first(id=assignment.id)
                if current is None or current.state not in ACTIVE_ASSIGNMENT_STATES:
                    continue
                policy = step.reader.policy(current.assignment_policy_id).row
                self._end(step, current, policy, SYSTEM_REMOVE, None, now, "Expired", current.schedule_end)
                expired += 1
        return Processed(timed_out, expired)

    def _time_out(self, request_id: str, stage_number: int, now: datetime) -> int:
        with self._transition(now) as step:
            request = _REQUEST.first(id=request_id)
            if request is None or request.state != "pendingApproval" or request.current_stage != stage_number:
                return 0
            try:
                self._record_decision(request, stage_number, None, "TimedOut", None, now)
            except Refused:
                return 0
            policy = step.reader.policy(request.assignment_policy_id).row
            subject = _Subject(request.id, request.request_type, policy.access_package, policy,
                               step.reader.user(request.target_id))
            step.records.append(self._record(log.TIMED_OUT, subject, now, log.APP_INITIATOR,
                                             stage=stage_number, result=log.TIMEOUT))
            request.state, request.status, request.completed_date_time = "denied", "TimedOut", now
            request.current_stage = None
            _save_changes(request)
            return 1

    # -- delivery and its directory side ---------------------------------------------------

    def _deliver(self, step: _Step, subject: _Subject, now: datetime, start: datetime,
                 end: datetime | None) -> str:
        assignment_id = self.new_id()
        target = subject.target
        _INSERT_ASSIGNMENT.execute(
            id=assignment_id, access_package=subject.package.id, assignment_policy=subject.policy.id,
            target=target.id, state="delivered", status="Delivered", schedule_start=start,
            schedule_end=end, created_date_time=now)
        grants = step.reader.configuration.grants(subject.package.id)
        for grant in grants:
            _INSERT_ROLE_ASSIGNMENT.execute(
                id=self.new_id(), assignment=assignment_id, role=grant.role_id, scope=grant.scope_id,
                target=target.id, status="Fulfilled", created_date_time=now)
        step.records.append(self._record(log.FULFILL, subject, now, log.user_initiator(target),
                                         extra=(("AssignmentId", assignment_id),)))
        for grant in grants:
            self._grant(step, grant, target, now, subject.request_id)
        return assignment_id

    def _grant(self, step: _Step, grant: _Grant, target: User, now: datetime, correlation_id: str) -> None:
        if not grant.in_directory:
            return
        if grant.origin_system == AAD_GROUP:
            if _ADD_GROUP_MEMBER.rowcount(group=grant.resource_origin_id, member=target.id):
                step.records.append(log.record(
                    log.ADD_GROUP_MEMBER, at=now, initiated_by=log.APP_INITIATOR, correlation_id=correlation_id,
                    targets=log.group_targets(target, grant.resource_origin_id, grant.resource_name),
                    record_id=self.new_id()))
        elif grant.origin_system == AAD_APPLICATION:
            if _ADD_APP_ROLE_ASSIGNMENT.rowcount(
                    id=self.new_id(), principal=target.id, application=grant.resource_origin_id,
                    app_role=grant.app_role_id, created_date_time=now):
                step.records.append(_app_role_record(log.ADD_APP_ROLE_ASSIGNMENT, grant, target, now,
                                                     log.APP_INITIATOR, correlation_id, self.new_id()))

    def _revoke(self, step: _Step, grant: _Grant, target: User, now: datetime, correlation_id: str) -> None:
        if not grant.in_directory:
            return
        if grant.origin_system == AAD_GROUP:
            if _REMOVE_GROUP_MEMBER.rowcount(group=grant.resource_origin_id, member=target.id):
                step.records.append(log.record(
                    log.REMOVE_GROUP_MEMBER, at=now, initiated_by=log.APP_INITIATOR,
                    correlation_id=correlation_id,
                    targets=log.group_targets(target, grant.resource_origin_id, grant.resource_name),
                    record_id=self.new_id()))
        elif grant.origin_system == AAD_APPLICATION:
            delete = _REMOVE_APP_ROLE_ASSIGNMENT if grant.app_role_id else _REMOVE_DEFAULT_APP_ROLE_ASSIGNMENT
            if delete.rowcount(principal=target.id, application=grant.resource_origin_id,
                               app_role=grant.app_role_id):
                step.records.append(_app_role_record(log.REMOVE_APP_ROLE_ASSIGNMENT, grant, target, now,
                                                     log.APP_INITIATOR, correlation_id, self.new_id()))

    # -- checks and records ----------------------------------------------------------------

    @staticmethod
    def _only_policy(requestor: User, package: AccessPackage) -> AssignmentPolicy:
        choices = list(requestable_policies(requestor).where(AssignmentPolicy.access_package == package.id))
        if len(choices) == 1:
            return choices[0]
        if choices:
            names = ", ".join(repr(choice.display_name) for choice in choices)
            raise Refused(f"Access package {package.display_name!r} has several policies "
                          f"{requestor.display_name} can request through: choose one of {names}.")
        policies = list(AssignmentPolicy.select(AssignmentPolicy, AccessPackage).join(AccessPackage)
                        .where(AssignmentPolicy.access_package == package.id)
                        .order_by(AssignmentPolicy.display_name))
        if not policies:
            raise Refused(f"Access package {package.display_name!r} has no assignment policy.")
        raise Refused(why_cannot_request(requestor, policies[0]) if len(policies) == 1 else
                      f"{requestor.display_name} cannot request access package {package.display_name!r} "
                      "through any of its policies.")

    @staticmethod
    def _refuse_duplicate(target: User, policy: AssignmentPolicy) -> None:
        same = {"target": target.id, "package": policy.access_package_id, "policy": policy.id}
        if _ACTIVE_ASSIGNMENT_EXISTS.tuples(**same):
            raise Refused(f"{target.display_name} already has access package "
                          f"{policy.access_package.display_name!r} through policy {policy.display_name!r}.")
        if _PENDING_REQUEST_EXISTS.tuples(**same):
            raise Refused(f"{target.display_name} already has a pending request for access package "
                          f"{policy.access_package.display_name!r} through policy {policy.display_name!r}.")

    @staticmethod
    def _refuse_incompatible(step: _Step, target: User, package: AccessPackage) -> None:
        incompatible = step.reader.configuration.incompatible(package.id)
        if not incompatible:
            return
        held = (AccessPackage.select(AccessPackage.display_name).join(Assignment)
                .where((Assignment.target == target.id) & Assignment.access_package.in_(sorted(incompatible))
                       & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES))
                .order_by(AccessPackage.display_name).first())
        if held is not None:
            raise Refused(f"{target.display_name} holds access package {held.display_name!r}, which is "
                          f"incompatible with {package.display_name!r} (separation of duties).")

    def _record(self, activity, subject: _Subject, at: datetime, initiator: dict, *, stage: int | None = None,
                justification: str | None = None, result: str = log.SUCCESS, extra=()) -> dict:
        details = [("RequestId", subject.request_id), ("PolicyId", subject.policy.id),
                   ("AccessPackageId", subject.package.id), ("RequestType", subject.request_type)]
        if stage is not None:
            details.append(("Stage", str(stage)))
        if justification:
            details.append(("Justification", justification))
        details.extend(extra)
        return log.record(
            activity, at=at, initiated_by=initiator, correlation_id=subject.request_id, details=details,
            result=result, record_id=self.new_id(), targets=log.request_targets(
                package_id=subject.package.id, package_name=subject.package.display_name,
                policy_id=subject.policy.id, policy_name=subject.policy.display_name,
                request_id=subject.request_id, target=subject.target))


def _app_role_record(activity, grant: _Grant, target: User, now: datetime, initiator: dict,
                     correlation_id: str | None, record_id: str) -> dict:
    return log.record(activity, at=now, initiated_by=initiator, correlation_id=correlation_id, record_id=record_id,
                      targets=log.app_role_targets(
                          target, application_id=grant.resource_origin_id,
                          application_name=grant.resource_name, app_role_id=grant.app_role_id,
                          app_role_value=grant.app_role_value, app_role_name=grant.role_name))


def _still_granted(target: User, grants: tuple[_Grant, ...]) -> set[tuple[str, str, str]]:
    """(origin system, resource origin id, role origin id) of the given grants' resources that
    another active assignment of `target` still grants (the ending one is already ended)."""
    resources = {grant.resource_origin_id for grant in grants if grant.in_directory}
    if not resources:
        return set()
    return {held for held in _ROLES_HELD.tuples(target=target.id) if held[1] in resources}


def _overdue_requests(now: datetime) -> list[tuple[str, int]]:
    """(request id, stage number) of pending requests whose current stage ran out."""
    durations = [duration for (duration,) in ApprovalStage.select(
        ApprovalStage.duration_before_automatic_denial).distinct().tuples()]
    if not durations:
        return []
    overdue = None
    for duration in durations:
        condition = ((ApprovalStage.duration_before_automatic_denial == duration)
                     & (AssignmentRequest.stage_started_date_time <= shift(now, duration, -1)))
        overdue = condition if overdue is None else overdue | condition
    return list(AssignmentRequest
                .select(AssignmentRequest.id, AssignmentRequest.current_stage)
                .join(ApprovalStage, on=((ApprovalStage.policy == AssignmentRequest.assignment_policy)
                                         & (ApprovalStage.stage_number == AssignmentRequest.current_stage)))
                .where((AssignmentRequest.state == "pendingApproval") & overdue)
                .order_by(AssignmentRequest.stage_started_date_time, AssignmentRequest.id)
                .tuples())


def _expiration(policy: AssignmentPolicy, start: datetime) -> datetime | None:
    if policy.expiration_type == "afterDuration" and policy.expiration_duration:
        return shift(start, policy.expiration_duration)
    if policy.expiration_type == "afterDateTime":
        return policy.expiration_end_date_time
    return None


def _insert(request: AssignmentRequest) -> None:
    _INSERT_REQUEST.execute(**request.__data__)
    request._dirty.clear()


def _save_changes(request: AssignmentRequest) -> None:
    """UPDATE the fields of `request` changed since it was read (what `save(only=dirty)` does)."""
    changed = tuple(sorted(field.name for field in request.dirty_fields))
    if changed not in _REQUEST_UPDATES:
        _REQUEST_UPDATES[changed] = Prepared(lambda: AssignmentRequest.update({
            AssignmentRequest._meta.fields[name]: Parameter(name, AssignmentRequest._meta.fields[name])
            for name in changed}).where(AssignmentRequest.id == Parameter("id")))
    _REQUEST_UPDATES[changed].execute(**request.__data__)
    request._dirty.clear()


def _mark_delivered(request: AssignmentRequest, now: datetime) -> None:
    request.state, request.status, request.completed_date_time = "delivered", "Delivered", now


def _load_request(request_id: str) -> AssignmentRequest:
    request = _REQUEST.first(id=request_id.strip().lower())
    if request is None:
        raise NotFound(f"No request {request_id!r}.")
    return request


def _why_not_pending(request: AssignmentRequest, verb: str) -> str:
    if request.status == "TimedOut":
        return f"Request {request.id} timed out: it can no longer be decided or canceled."
    if request.state == "canceled":
        return f"Request {request.id} was canceled: there is nothing left to {verb}."
    if request.state in ("delivered", "denied") and request.request_type == USER_ADD \
            and ApprovalDecision.select().where(ApprovalDecision.request == request.id).exists():
        return f"Request {request.id} was already decided ({request.status}): it cannot be changed."
    return f"Request {request.id} is {request.state}: there is nothing to {verb}."


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None
