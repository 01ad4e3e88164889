"""Months of realistic activity, driven through the lifecycle controller on whatever tenant
the database holds: requests approved, denied, timed out or canceled, multi-stage approvals,
direct assignments, removals, expiries, and app role grants that administrators make
outside entitlement management.

The clock moves forward through the period; a month of simulated days is one batch
transaction. Ids come from the random generator given, so one seed makes one history.
"""

import heapq
import itertools
import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import peewee

from desktop import audit_log as log
from desktop.clock import FixedClock
from desktop.errors import Cancelled, DeskError, InvalidInput
from desktop.lifecycle import Lifecycle
from desktop.permissions import GLOBAL_ADMINISTRATOR, IDENTITY_GOVERNANCE_ADMINISTRATOR
from models import (
    AccessPackage,
    Application,
    AppRole,
    AppRoleAssignment,
    AssignmentPolicy,
    ConnectedOrganization,
    DirectoryRole,
    DirectoryRoleAssignment,
    GroupMember,
    PolicyAllowedTarget,
    RequestApprover,
    User,
    db,
)
from models.base import time_ordered_guid
from models.prepared import Parameter, Prepared

# Requests (and direct assignments) made over the period.
SIZES = {"small": 3_000, "medium": 30_000, "large": 130_000}

DIRECT_ASSIGNMENT_SHARE = 0.12
CANCEL_SHARE = 0.03
UNANSWERED_SHARE = 0.04  # left for the stage to time out
DENY_SHARE = 0.07
REMOVAL_SHARE = 0.06

# Administrators grant app roles outside entitlement management as an organisation works:
# on weekdays (Mondays a little more), in bursts when a project brings a team on board,
# hardly ever at weekends, and not on public holidays or over the year's end.
WEEKDAY_GRANTS = (0, 1, 1, 1, 2, 2, 2, 3, 3, 3)  # one drawn per weekday
MONDAY_EXTRA = 1
BURST_CHANCE = 1 / 20  # a weekday starts an onboarding burst
BURST_DAYS = (2, 4)
BURST_GRANTS = (6, 12)  # a day of a burst
WEEKEND_CHANCE = 0.08  # the one on call grants a role
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (12, 24), (12, 25), (12, 26), (12, 31)})

# Every day rewrites pages all over the indexes keyed by the directory's random GUIDs and by
# name (requests and assignments by target user and package, audit records by actor and
# activity): committing a month at a time, with a page cache that holds what a month changes,
# writes each such page once a month instead of once a day (daily commits with the default
# 64 MiB cache, and random ids for new rows then, wrote 30 GB in the first third of the large
# history). The cache only grows as pages are read: the small history stays far below it.
DAYS_PER_TRANSACTION = 30
SQLITE_CACHE_KIB = 2 * 1024 * 1024

_USER = Prepared(lambda: User.select().where(User.id == Parameter("id")))
_APPROVERS_ASKED = Prepared(
    lambda: (
        RequestApprover.select(RequestApprover.stage_number, RequestApprover.approver)
        .where(RequestApprover.request == Parameter("request"))
        .order_by(RequestApprover.stage_number, RequestApprover.approver)
    )
)
_ADD_APP_ROLE_ASSIGNMENT = Prepared.insert(AppRoleAssignment, ignore_conflict=True)
_ALLOWED_TARGETS = Prepared(
    lambda: PolicyAllowedTarget.select().where(PolicyAllowedTarget.policy == Parameter("policy"))
)
_GROUP_MEMBERS = Prepared(lambda: GroupMember.select(GroupMember.member).where(GroupMember.group == Parameter("group")))


@dataclass
class HistorySummary:
    """What the generated history holds, by outcome."""

    requests: int = 0
    direct_assignments: int = 0
    approvals: int = 0
    denials: int = 0
    cancellations: int = 0
    removals: int = 0
    timed_out: int = 0
    expired: int = 0
    refused: int = 0
    outside_app_role_grants: int = 0


class _Tenant:
    """The directory the history acts on, read once: who may request which policy, and the
    administrators who assign directly."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.members = [
            i
            for (i,) in User.select(User.id)
            .where(
                (User.user_type == "Member")
                & (User.is_reference == False)  # noqa: E712
                & (User.account_enabled == True)  # noqa: E712
            )
            .order_by(User.id)
            .tuples()
        ]
        guests = list(
            User.select(User.id, User.connected_organization)
            .where((User.user_type == "Guest") & (User.is_reference == False))  # noqa: E712
            .order_by(User.id)
            .tuples()
        )
        configured = {
            i
            for (i,) in ConnectedOrganization.select(ConnectedOrganization.id)
            .where(ConnectedOrganization.state == "configured")
            .tuples()
        }
        self.guests = [user_id for user_id, _ in guests]
        self.everyone = self.members + self.guests
        self.guests_by_organization: dict[str, list[str]] = {}
        for user_id, organization in guests:
            if organization:
                self.guests_by_organization.setdefault(organization, []).append(user_id)
        self.configured_guests = [user_id for user_id, organization in guests if organization in configured]
        self.administrators = [
            User.get_by_id(i)
            for (i,) in DirectoryRoleAssignment.select(DirectoryRoleAssignment.principal)
            .join(DirectoryRole)
            .where(DirectoryRole.display_name.in_([IDENTITY_GOVERNANCE_ADMINISTRATOR, GLOBAL_ADMINISTRATOR]))
            .order_by(DirectoryRoleAssignment.principal)
            .tuples()
        ]
        policies = list(
            AssignmentPolicy.select(AssignmentPolicy, AccessPackage).join(AccessPackage).order_by(AssignmentPolicy.id)
        )
        self.all_policies = policies
        self.requestable = [
            p
            for p in policies
            if p.enable_targets_to_self_add_access
            and not p.access_package.is_hidden
            and p.allowed_target_scope != "notSpecified"
        ]
        self.app_roles = list(AppRole.select(AppRole, Application).join(Application).order_by(AppRole.id))
        self._candidates: dict[str, list[str]] = {}
        self._users: dict[str, User] = {}

    def user(self, user_id: str) -> User:
        if user_id not in self._users:
            self._users[user_id] = _USER.first(id=user_id)
        return self._users[user_id]

    def requestor_for(self, policy: AssignmentPolicy) -> str | None:
        candidates = self._candidates.get(policy.id)
        if candidates is None:
            candidates = self._candidates[policy.id] = self._read_candidates(policy)
        return self.rng.choice(candidates) if candidates else None

    def _read_candidates(self, policy: AssignmentPolicy) -> list[str]:
        scope = policy.allowed_target_scope
        if scope == "allMemberUsers":
            return self.members
        if scope == "allDirectoryUsers":
            return self.everyone
        if scope == "allExternalUsers":
            return self.guests
        if scope == "allConfiguredConnectedOrganizationUsers":
            return self.configured_guests
        targets = _ALLOWED_TARGETS.all(policy=policy.id)
        if scope == "specificConnectedOrganizationUsers":
            return [
                user_id
                for target in targets
                for user_id in self.guests_by_organization.get(target.connected_organization_id, [])
            ]
        if scope == "specificDirectoryUsers":
            listed = [target.user_id for target in targets if target.user_id]
            groups = [target.group_id for target in targets if target.group_id]
            listed += sorted(member_id for group_id in groups for (member_id,) in _GROUP_MEMBERS.tuples(group=group_id))
            return listed
        return []


def generate_history(
    rng: random.Random,
    size: str,
    start: datetime,
    end: datetime,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> HistorySummary:
    """Drive `SIZES[size]` requests and direct assignments between `start` and `end` through
    the lifecycle; returns what happened. `progress(done, total)` follows the requests made;
    `cancelled()` is asked once a simulated day (raising Cancelled: the months made stay)."""
    if size not in SIZES:
        raise InvalidInput(f"Unknown history size {size!r}: choose {', '.join(SIZES)}.")
    if end <= start:
        raise InvalidInput("The history must end after it starts.")
    tenant = _Tenant(rng)
    if not tenant.requestable and not tenant.all_policies:
        raise InvalidInput("The tenant has no access package policies to make history with.")
    history = _History(rng, tenant, FixedClock(start), SIZES[size])
    days = max(1, (end - start).days)
    per_day = SIZES[size] / days
    made = 0
    with _sqlite_page_cache(SQLITE_CACHE_KIB):
        for first_day in range(0, days, DAYS_PER_TRANSACTION):
            with history.lifecycle.batch():
                for day in range(first_day, min(days, first_day + DAYS_PER_TRANSACTION)):
                    if cancelled and cancelled():
                        raise Cancelled("The request history was not finished: cancelled.")
                    goal = round(per_day * (day + 1)) - made
                    history.run_day(start + timedelta(days=day), goal)
                    made += goal
                    if progress:
                        progress(made, SIZES[size])
        with history.lifecycle.batch():
            history.run_until(end)
    return history.summary


@contextmanager
def _sqlite_page_cache(kibibytes: int):
    """On SQLite, this connection's page cache enlarged to `kibibytes` while inside."""
    if not isinstance(db.obj, peewee.SqliteDatabase):
        yield
        return
    before = db.obj.cache_size
    db.obj.cache_size = -kibibytes
    try:
        yield
    finally:
        db.obj.cache_size = before


def is_holiday(day: date) -> bool:
    """A fixed public holiday, or the quiet days between Christmas and the new year."""
    return (day.month, day.day) in FIXED_HOLIDAYS or (day.month == 12 and day.day >= 24)


class _AdminRhythm:
    """How many app roles administrators grant directly on a day."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.burst_days_left = 0

    def grants_on(self, day: date) -> int:
        rng = self.rng
        if is_holiday(day):
            return 0
        if day.weekday() >= 5:
            return 1 if rng.random() < WEEKEND_CHANCE else 0
        grants = rng.choice(WEEKDAY_GRANTS) + (MONDAY_EXTRA if day.weekday() == 0 else 0)
        if self.burst_days_left == 0 and rng.random() < BURST_CHANCE:
            self.burst_days_left = rng.randint(*BURST_DAYS)
        if self.burst_days_left:
            self.burst_days_left -= 1
            grants += rng.randint(*BURST_GRANTS)
        return grants


class _History:
    def __init__(self, rng: random.Random, tenant: _Tenant, clock: FixedClock, total: int):
        self.rng, self.tenant, self.clock = rng, tenant, clock
        # Ids from a generator of their own, so the choices do not depend on how many ids a step takes.
        self.new_id = _guids(random.Random(rng.getrandbits(64)), clock)
        self.admin_rhythm = _AdminRhythm(random.Random(rng.getrandbits(64)))
        self.lifecycle = Lifecycle(clock, self.new_id)
        self.summary = HistorySummary()
        self._waiting_requests = 0  # requests that did not deliver at once
        self._agenda: list[tuple[datetime, int, str, tuple]] = []  # a heap of future steps
        self._serial = itertools.count()

    def run_day(self, day_start: datetime, new_requests: int) -> None:
        # Requests arrive during working hours and administrators grant app roles in office
        # hours, all in time order.
        steps = [(day_start + timedelta(hours=self.rng.uniform(7, 19)), self._new_request) for _ in range(new_requests)]
        grants = self.admin_rhythm.grants_on(day_start.date())
        if self.tenant.app_roles and self.tenant.administrators:
            steps += [
                (day_start + timedelta(hours=self.rng.uniform(8, 18)), self._outside_app_role_grant)
                for _ in range(grants)
            ]
        for moment, step in sorted(steps, key=lambda entry: entry[0]):
            self.run_until(moment)
            self._move_to(moment)
            step()
        self.run_until(day_start + timedelta(hours=23, minutes=59))
        self._move_to(day_start + timedelta(hours=23, minutes=59))
        # The demo's first administrator runs the nightly processing.
        processed = self.lifecycle.process_due(self.tenant.administrators[0] if self.tenant.administrators else None)
        self.summary.timed_out += processed.timed_out
        self.summary.expired += processed.expired

    def run_until(self, moment: datetime) -> None:
        """Carry out the scheduled steps due by `moment`, in time order."""
        while self._agenda and self._agenda[0][0] <= moment:
            when, _, kind, arguments = heapq.heappop(self._agenda)
            self._move_to(when)
            getattr(self, f"_{kind}")(*arguments)

    def _move_to(self, moment: datetime) -> None:
        if moment > self.clock.now():
            self.clock.set(moment)

    def _later(self, delay: timedelta, kind: str, *arguments) -> None:
        heapq.heappush(self._agenda, (self.clock.now() + delay, next(self._serial), kind, arguments))

    def _attempt(self, action):
        try:
            return action()
        except DeskError:
            self.summary.refused += 1
            return None

    def _new_request(self) -> None:
        tenant = self.tenant
        if tenant.administrators and (self.rng.random() < DIRECT_ASSIGNMENT_SHARE or not tenant.requestable):
            policy = self.rng.choice(tenant.all_policies)
            target_id = self.rng.choice(tenant.members) if tenant.members else None
            if target_id is None:
                return
            request = self._attempt(
                lambda: self.lifecycle.assign(
                    self.rng.choice(tenant.administrators),
                    tenant.user(target_id),
                    policy.access_package,
                    policy,
                    justification=self.rng.choice([None, "Onboarding", "Project staffing", "Manager asked"]),
                )
            )
            if request is not None:
                self.summary.direct_assignments += 1
                self._maybe_remove_later(request.assignment_id, target_id)
            return
        if not tenant.requestable:
            return
        policy = self.rng.choice(tenant.requestable)
        requestor_id = tenant.requestor_for(policy)
        if requestor_id is None:
            return
        justification = self.rng.choice(
            ["Needed for my project", "New role", "Customer work", "Quarter-end reporting", "Access for onboarding"]
        )
        request = self._attempt(
            lambda: self.lifecycle.submit(tenant.user(requestor_id), policy.access_package, policy, justification)
        )
        if request is None:
            return
        self.summary.requests += 1
        if request.state == "delivered":
            self._maybe_remove_later(request.assignment_id, requestor_id)
            return
        roll = self.rng.random()
        # The first two requests that wait are cancelled and left to time out, so even a short
        # history shows every kind of step; the rest follow the shares.
        self._waiting_requests += 1
        if self._waiting_requests <= 2:
            roll = (0.0, CANCEL_SHARE)[self._waiting_requests - 1]
        if roll < CANCEL_SHARE:
            self._later(timedelta(hours=self.rng.uniform(0.5, 48)), "cancel", request.id, requestor_id)
        elif roll >= CANCEL_SHARE + UNANSWERED_SHARE:
            self._later(_decision_delay(self.rng), "decide", request.id, requestor_id)

    def _decide(self, request_id: str, requestor_id: str) -> None:
        asked = _APPROVERS_ASKED.tuples(request=request_id)
        if not asked:
            return
        current = [approver_id for stage, approver_id in asked if stage == asked[-1][0]]
        approver = self.tenant.user(self.rng.choice(current))
        if self.rng.random() < DENY_SHARE:
            if self._attempt(lambda: self.lifecycle.deny(approver, request_id, "Not needed for this role")):
                self.summary.denials += 1
            return
        request = self._attempt(lambda: self.lifecycle.approve(approver, request_id, "Approved"))
        if request is None:
            return
        if request.state == "pendingApproval":
            self._later(_decision_delay(self.rng), "decide", request_id, requestor_id)
        else:
            self.summary.approvals += 1
            self._maybe_remove_later(request.assignment_id, requestor_id)

    def _cancel(self, request_id: str, requestor_id: str) -> None:
        if self._attempt(lambda: self.lifecycle.cancel(self.tenant.user(requestor_id), request_id)):
            self.summary.cancellations += 1

    def _maybe_remove_later(self, assignment_id: str, target_id: str) -> None:
        if self.rng.random() < REMOVAL_SHARE:
            self._later(timedelta(days=self.rng.uniform(3, 90)), "remove", assignment_id, target_id)

    def _remove(self, assignment_id: str, target_id: str) -> None:
        by_user = self.rng.random() < 0.5 or not self.tenant.administrators
        actor = self.tenant.user(target_id) if by_user else self.rng.choice(self.tenant.administrators)
        if self._attempt(lambda: self.lifecycle.remove_assignment(actor, assignment_id)):
            self.summary.removals += 1

    def _outside_app_role_grant(self) -> None:
        """An administrator grants an app role directly in the directory, outside entitlement
        management: the directory records it with the administrator as initiator."""
        if not self.tenant.members:
            return
        admin = self.rng.choice(self.tenant.administrators)
        app_role = self.rng.choice(self.tenant.app_roles)
        user = self.tenant.user(self.rng.choice(self.tenant.members))
        now = self.clock.now()
        added = _ADD_APP_ROLE_ASSIGNMENT.rowcount(
            id=self.new_id(),
            principal=user.id,
            application=app_role.application_id,
            app_role=app_role.id,
            created_date_time=now,
        )
        if not added:
            return
        application = app_role.application
        log.write_records(
            [
                log.record(
                    log.ADD_APP_ROLE_ASSIGNMENT,
                    at=now,
                    initiated_by=log.user_initiator(admin),
                    correlation_id=self.new_id(),
                    record_id=self.new_id(),
                    targets=log.app_role_targets(
                        user,
                        application_id=application.id,
                        application_name=application.display_name,
                        app_role_id=app_role.id,
                        app_role_value=app_role.value,
                        app_role_name=app_role.display_name,
                    ),
                )
            ]
        )
        self.summary.outside_app_role_grants += 1


def _guids(rng: random.Random, clock: FixedClock) -> Callable[[], str]:
    """A function giving the time-ordered GUIDs `new_id` gives, seeded: the demo clock's
    time and random bits drawn from `rng`."""

    def guid() -> str:
        return time_ordered_guid(int(clock.now().timestamp() * 1000), rng.getrandbits(74))

    return guid


def _decision_delay(rng: random.Random) -> timedelta:
    """Most approvers answer within a day, some take a few."""
    roll = rng.random()
    if roll < 0.55:
        return timedelta(hours=rng.uniform(0.2, 8))
    if roll < 0.9:
        return timedelta(hours=rng.uniform(8, 30))
    return timedelta(hours=rng.uniform(30, 200))
