"""The request lifecycle: each path's rows and audit trail, and refusals that write nothing."""

from datetime import datetime, timedelta, timezone

import pytest

from desktop import audit_log as log
from desktop.clock import FixedClock
from desktop.errors import Forbidden, InvalidInput, Refused
from desktop.durations import shift
from desktop.lifecycle import Lifecycle, Processed, delivery
from models import (
    AppRoleAssignment,
    ApprovalDecision,
    ApprovalStage,
    ApprovalStageApprover,
    Assignment,
    AssignmentRequest,
    ConnectedOrganizationSponsor,
    GroupMember,
    IncompatibleAccessPackage,
    RequestApprover,
    ResourceRoleAssignment,
)
from tests.helpers import factories as f
from tests.helpers.lifecycle_tenant import build, row_counts, trail

APP = log.IDENTITY_GOVERNANCE_APP_NAME
ALICE, BOB = "alice@contoso.com", "bob@contoso.com"
MANAGER, APPROVER, SECOND = "max.manager@contoso.com", "appro.ver@contoso.com", "second.approver@contoso.com"
ADMIN = "ada.admin@contoso.com"


def em(activity, initiator):
    return (activity.category, activity.name, initiator)


@pytest.fixture
def tenant(database):
    return build()


@pytest.fixture
def clock():
    return FixedClock(f.T0)


@pytest.fixture
def lifecycle(clock):
    return Lifecycle(clock)


def test_request_without_approval_is_delivered_at_once(tenant, lifecycle):
    """A request under a policy without approval is auto-approved, fulfilled and granted."""
    request = lifecycle.submit(tenant.alice, tenant.open_package)
    assert (request.request_type, request.state, request.status) == ("userAdd", "delivered", "Delivered")
    assert request.completed_date_time == f.T0
    assert trail(request.id) == [
        em(log.USER_REQUESTS, ALICE),
        em(log.AUTO_APPROVE, APP),
        em(log.READY_TO_FULFILL, APP),
        em(log.FULFILL, ALICE),
        em(log.ADD_APP_ROLE_ASSIGNMENT, APP),
        em(log.ADD_GROUP_MEMBER, APP),
    ]
    assignment = Assignment.get_by_id(request.assignment_id)
    assert (assignment.state, assignment.status, assignment.target_id) == ("delivered", "Delivered", tenant.alice.id)
    assert (assignment.schedule_start, assignment.schedule_end) == (f.T0, f.T0 + timedelta(days=30))
    assert [
        r.status for r in ResourceRoleAssignment.select().where(ResourceRoleAssignment.assignment == assignment.id)
    ] == ["Fulfilled", "Fulfilled"]
    assert GroupMember.select().where(GroupMember.member == tenant.alice.id).count() == 1
    assert AppRoleAssignment.select().where(AppRoleAssignment.principal == tenant.alice.id).count() == 1


def test_request_with_approval_waits_for_the_manager(tenant, lifecycle, clock):
    """The manager is asked, sees the request pending, and their approval delivers it."""
    request = lifecycle.submit(tenant.alice, tenant.approval_package)
    assert (request.state, request.status, request.current_stage) == ("pendingApproval", "PendingApproval", 1)
    assert [row.approver_id for row in RequestApprover.select()] == [tenant.manager.id]
    assert [r.id for r in lifecycle.pending_approvals(tenant.manager)] == [request.id]
    assert list(lifecycle.pending_approvals(tenant.approver)) == []
    clock.advance(timedelta(hours=2))
    approved = lifecycle.approve(tenant.manager, request.id, "Needed for Q3")
    assert (approved.state, approved.status, approved.current_stage) == ("delivered", "Delivered", None)
    assert approved.schedule_end is None  # noExpiration
    assert list(lifecycle.pending_approvals(tenant.manager)) == []
    assert trail(request.id) == [
        em(log.USER_REQUESTS, ALICE),
        em(log.CREATE_APPROVAL, APP),
        em(log.ADD_APPROVER, APP),
        em(log.APPROVE, MANAGER),
        em(log.READY_TO_FULFILL, APP),
        em(log.FULFILL, ALICE),
        em(log.ADD_GROUP_MEMBER, APP),
    ]
    decision = ApprovalDecision.get()
    assert (decision.review_result, decision.approver_id, decision.justification) == (
        "Approve",
        tenant.manager.id,
        "Needed for Q3",
    )


def test_two_stage_request_asks_each_stage_in_turn(tenant, lifecycle):
    """Stage 1's approval completes the stage and asks stage 2; stage 2's approval delivers."""
    request = lifecycle.submit(tenant.bob, tenant.staged_package)
    assert [r.id for r in lifecycle.pending_approvals(tenant.second_approver)] == []
    after_first = lifecycle.approve(tenant.approver, request.id)
    assert (after_first.state, after_first.current_stage) == ("pendingApproval", 2)
    assert [r.id for r in lifecycle.pending_approvals(tenant.second_approver)] == [request.id]
    lifecycle.approve(tenant.second_approver, request.id)
    assert trail(request.id) == [
        em(log.USER_REQUESTS, BOB),
        em(log.CREATE_APPROVAL, APP),
        em(log.ADD_APPROVER, APP),
        em(log.STAGE_COMPLETED, APPROVER),
        em(log.ADD_APPROVER, APP),
        em(log.APPROVE, SECOND),
        em(log.READY_TO_FULFILL, APP),
        em(log.FULFILL, BOB),
        em(log.ADD_APP_ROLE_ASSIGNMENT, APP),
    ]
    assert ApprovalDecision.select().count() == 2


def test_denied_request_ends_without_access(tenant, lifecycle):
    """A denial ends the request as denied/Denied and grants nothing."""
    request = lifecycle.submit(tenant.alice, tenant.approval_package)
    denied = lifecycle.deny(tenant.manager, request.id, "Not in sales")
    assert (denied.state, denied.status, denied.completed_date_time) == ("denied", "Denied", f.T0)
    assert trail(request.id)[-1] == em(log.DENY, MANAGER)
    assert Assignment.select().count() == 0 and GroupMember.select().count() == 0


def test_stage_times_out_after_its_duration(tenant, lifecycle, clock):
    """process_due denies a stage nobody decided within its duration, once."""
    request = lifecycle.submit(tenant.alice, tenant.approval_package)
    clock.advance(timedelta(days=14) - timedelta(seconds=1))
    assert lifecycle.process_due(tenant.admin) == Processed(0, 0)
    clock.advance(timedelta(seconds=1))
    assert lifecycle.process_due(tenant.admin) == Processed(1, 0)
    assert lifecycle.process_due(tenant.admin) == Processed(0, 0)
    ended = AssignmentRequest.get_by_id(request.id)
    assert (ended.state, ended.status) == ("denied", "TimedOut")
    assert trail(request.id)[-1] == em(log.TIMED_OUT, APP)
    assert ApprovalDecision.get().review_result == "TimedOut"
    with pytest.raises(Refused, match="timed out"):
        lifecycle.approve(tenant.manager, request.id)


def test_stage_duration_in_hours_counts_from_stage_start(tenant, lifecycle, clock):
    """A PT12H stage times out twelve hours after that stage started, not after submission."""
    ApprovalStage.update(duration_before_automatic_denial="PT12H").execute()
    request = lifecycle.submit(tenant.bob, tenant.staged_package)
    clock.advance(timedelta(hours=10))
    lifecycle.approve(tenant.approver, request.id)
    clock.advance(timedelta(hours=11))
    assert lifecycle.process_due(tenant.admin).timed_out == 0
    clock.advance(timedelta(hours=1))
    assert lifecycle.process_due(tenant.admin).timed_out == 1


def test_requestor_cancels_a_pending_request(tenant, lifecycle):
    """Canceling ends the request as canceled; nobody can decide it afterwards."""
    request = lifecycle.submit(tenant.alice, tenant.approval_package)
    canceled = lifecycle.cancel(tenant.alice, request.id)
    assert (canceled.state, canceled.status) == ("canceled", "Canceled")
    assert trail(request.id)[-1] == em(log.CANCEL, ALICE)
    with pytest.raises(Refused, match="canceled"):
        lifecycle.approve(tenant.manager, request.id)


def test_administrator_assigns_directly(tenant, lifecycle):
    """A governance administrator's assignment is delivered without approval, with their dates."""
    end = f.T0 + timedelta(days=7)
    request = lifecycle.assign(
        tenant.admin, tenant.carol, tenant.approval_package, tenant.approval_policy, end=end, justification="Onboarding"
    )
    assert (request.request_type, request.requestor_id, request.target_id) == (
        "adminAdd",
        tenant.admin.id,
        tenant.carol.id,
    )
    assert Assignment.get_by_id(request.assignment_id).schedule_end == end
    assert trail(request.id) == [
        em(log.ADMIN_ASSIGNS, ADMIN),
        em(log.READY_TO_FULFILL, APP),
        em(log.FULFILL, "carol@contoso.com"),
        em(log.ADD_GROUP_MEMBER, APP),
    ]


def test_only_governance_administrators_assign(tenant, lifecycle):
    """Assigning as a user without Identity Governance Administrator is forbidden and writes nothing."""
    before = row_counts()
    with pytest.raises(Forbidden, match="Identity Governance Administrator"):
        lifecycle.assign(tenant.manager, tenant.carol, tenant.open_package, tenant.open_policy)
    assert row_counts() == before


def test_user_gives_up_access(tenant, lifecycle, clock):
    """The target removing their own assignment makes a userRemove request and revokes the roles."""
    delivered = lifecycle.submit(tenant.alice, tenant.open_package)
    clock.advance(timedelta(days=1))
    removal = lifecycle.remove_assignment(tenant.alice, delivered.assignment_id)
    assert (removal.request_type, removal.state, removal.status) == ("userRemove", "delivered", "Delivered")
    assignment = Assignment.get_by_id(delivered.assignment_id)
    assert (assignment.state, assignment.status, assignment.expired_date_time) == (
        "expired",
        "Removed",
        f.T0 + timedelta(days=1),
    )
    assert {r.status for r in assignment.resource_roles} == {"Removed"}
    assert GroupMember.select().count() == 0 and AppRoleAssignment.select().count() == 0
    assert trail(removal.id) == [
        em(log.REMOVE_ASSIGNMENT, ALICE),
        em(log.REMOVE_APP_ROLE_ASSIGNMENT, APP),
        em(log.REMOVE_GROUP_MEMBER, APP),
    ]


def test_administrator_removes_access(tenant, lifecycle):
    """Someone else removing an assignment needs the governance role and makes an adminRemove request."""
    delivered = lifecycle.submit(tenant.alice, tenant.open_package)
    before = row_counts()
    with pytest.raises(Forbidden):
        lifecycle.remove_assignment(tenant.bob, delivered.assignment_id)
    assert row_counts() == before
    removal = lifecycle.remove_assignment(tenant.admin, delivered.assignment_id)
    assert removal.request_type == "adminRemove"
    assert trail(removal.id)[0] == em(log.REMOVE_ASSIGNMENT, ADMIN)
    with pytest.raises(Refused, match="already ended"):
        lifecycle.remove_assignment(tenant.admin, delivered.assignment_id)


def test_assignment_expires_at_its_end(tenant, lifecycle, clock):
    """process_due ends an assignment at its end with a systemRemove request, once."""
    delivered = lifecycle.submit(tenant.alice, tenant.open_package)
    clock.advance(timedelta(days=30))
    assert lifecycle.process_due(tenant.admin) == Processed(0, 1)
    assert lifecycle.process_due(tenant.admin) == Processed(0, 0)
    assignment = Assignment.get_by_id(delivered.assignment_id)
    assert (assignment.state, assignment.status, assignment.expired_date_time) == (
        "expired",
        "Expired",
        f.T0 + timedelta(days=30),
    )
    removal = AssignmentRequest.get(AssignmentRequest.request_type == "systemRemove")
    assert removal.requestor_id is None and removal.assignment_id == assignment.id
    assert trail(removal.id)[0] == em(log.REMOVE_ASSIGNMENT, APP)


def test_membership_stays_while_another_assignment_grants_it(tenant, lifecycle):
    """Ending one of two assignments that grant the same group keeps the membership until the last ends."""
    first = lifecycle.submit(tenant.alice, tenant.open_package)
    second = lifecycle.assign(tenant.admin, tenant.alice, tenant.approval_package, tenant.approval_policy)
    assert trail(second.id)[-1] == em(log.FULFILL, ALICE)  # already a member: no directory change
    removal = lifecycle.remove_assignment(tenant.alice, first.assignment_id)
    assert [step[1] for step in trail(removal.id)] == [log.REMOVE_ASSIGNMENT.name, log.REMOVE_APP_ROLE_ASSIGNMENT.name]
    assert GroupMember.select().count() == 1
    last = lifecycle.remove_assignment(tenant.admin, second.assignment_id)
    assert trail(last.id)[-1] == em(log.REMOVE_GROUP_MEMBER, APP)
    assert GroupMember.select().count() == 0


def test_fallback_approvers_are_asked_when_the_primary_set_is_empty(tenant, lifecycle):
    """A requestor without a manager goes to the stage's fallback approvers."""
    stage = ApprovalStage.get(ApprovalStage.policy == tenant.approval_policy)
    ApprovalStageApprover.create(stage=stage, subject_set_type="singleUser", user=tenant.approver, is_fallback=True)
    with_manager = lifecycle.submit(tenant.alice, tenant.approval_package)
    without_manager = lifecycle.submit(tenant.manager, tenant.approval_package)
    asked = {(row.request_id, row.approver_id, row.is_fallback) for row in RequestApprover.select()}
    assert asked == {(with_manager.id, tenant.manager.id, False), (without_manager.id, tenant.approver.id, True)}


def test_group_members_and_sponsors_approve(tenant, lifecycle):
    """groupMembers resolves to the group's members; sponsors to the guest's organization's sponsors."""
    organization = f.connected_organization("Fabrikam")
    guest = f.user("Gil Guest", user_type="Guest", connected_organization=organization, domain="fabrikam.com")
    ConnectedOrganizationSponsor.create(connected_organization=organization, user=tenant.approver, kind="internal")
    ConnectedOrganizationSponsor.create(
        connected_organization=organization, user=tenant.second_approver, kind="external"
    )
    reviewers = f.group("Reviewers", members=[tenant.bob, tenant.carol])
    package = f.access_package("Partner portal")
    f.policy(package, scope="allDirectoryUsers", stages=[["internalSponsors", "externalSponsors"], [reviewers]])
    request = lifecycle.submit(guest, package)
    stage_one = {row.approver_id for row in RequestApprover.select().where(RequestApprover.stage_number == 1)}
    assert stage_one == {tenant.approver.id, tenant.second_approver.id}
    lifecycle.approve(tenant.second_approver, request.id)
    stage_two = {row.approver_id for row in RequestApprover.select().where(RequestApprover.stage_number == 2)}
    assert stage_two == {tenant.bob.id, tenant.carol.id}


def test_requestor_is_never_their_own_approver(tenant, lifecycle):
    """A requestor who is in the approver group is not asked, and cannot decide anyway."""
    reviewers = f.group("Reviewers", members=[tenant.bob, tenant.carol])
    package = f.access_package("Reviewed")
    f.policy(package, stages=[[reviewers]])
    request = lifecycle.submit(tenant.bob, package)
    assert [row.approver_id for row in RequestApprover.select()] == [tenant.carol.id]
    with pytest.raises(Refused, match="nobody decides their own request"):
        lifecycle.approve(tenant.bob, request.id)


def test_policy_is_chosen_when_only_one_is_requestable(tenant, lifecycle):
    """Without a policy, the one requestable policy is used; with several the refusal names them."""
    f.policy(tenant.open_package, "Guests", scope="allExternalUsers")
    assert lifecycle.submit(tenant.alice, tenant.open_package).assignment_policy_id == tenant.open_policy.id
    f.policy(tenant.open_package, "Extended", scope="allMemberUsers")
    with pytest.raises(Refused, match="'Default', 'Extended'"):
        lifecycle.submit(tenant.bob, tenant.open_package)


def test_expiration_after_a_date(tenant, lifecycle):
    """An afterDateTime policy ends every assignment at its date."""
    end = datetime(2026, 6, 30, tzinfo=timezone.utc)
    package = f.access_package("Project")
    policy = f.policy(package, expiration_type="afterDateTime", end=end)
    request = lifecycle.submit(tenant.alice, package, policy)
    assert Assignment.get_by_id(request.assignment_id).schedule_end == end


def refusal_cases():
    """(name, setup returning the refused call, expected error, message part)."""

    def ineligible(t, lc):
        guest = f.user("Gus", user_type="Guest")
        return lambda: lc.submit(guest, t.open_package)

    def justification_missing(t, lc):
        package = f.access_package("Finance")
        policy = f.policy(package, justification_required=True)
        return lambda: lc.submit(t.alice, package, policy, justification="   ")

    def already_assigned(t, lc):
        lc.submit(t.alice, t.open_package)
        return lambda: lc.submit(t.alice, t.open_package)

    def already_pending(t, lc):
        lc.submit(t.alice, t.approval_package)
        return lambda: lc.submit(t.alice, t.approval_package)

    def assign_while_pending(t, lc):
        lc.submit(t.alice, t.approval_package)
        return lambda: lc.assign(t.admin, t.alice, t.approval_package, t.approval_policy)

    def incompatible_submit(t, lc):
        IncompatibleAccessPackage.create(access_package=t.approval_package, incompatible_with=t.open_package)
        lc.submit(t.alice, t.open_package)
        return lambda: lc.submit(t.alice, t.approval_package)

    def incompatible_assign(t, lc):
        IncompatibleAccessPackage.create(access_package=t.approval_package, incompatible_with=t.open_package)
        lc.assign(t.admin, t.alice, t.approval_package, t.approval_policy)
        return lambda: lc.assign(t.admin, t.alice, t.open_package, t.open_policy)

    def not_an_approver(t, lc):
        request = lc.submit(t.alice, t.approval_package)
        return lambda: lc.approve(t.approver, request.id)

    def out_of_stage(t, lc):
        request = lc.submit(t.alice, t.staged_package)
        return lambda: lc.approve(t.second_approver, request.id)

    def decided_twice(t, lc):
        request = lc.submit(t.alice, t.approval_package)
        lc.approve(t.manager, request.id)
        return lambda: lc.approve(t.manager, request.id)

    def stage_already_decided(t, lc):
        request = lc.submit(t.alice, t.staged_package)
        lc.approve(t.approver, request.id)
        return lambda: lc.deny(t.approver, request.id)

    def approve_denied(t, lc):
        request = lc.submit(t.alice, t.approval_package)
        lc.deny(t.manager, request.id)
        return lambda: lc.approve(t.manager, request.id)

    def approve_auto_delivered(t, lc):
        request = lc.submit(t.alice, t.open_package)
        return lambda: lc.approve(t.manager, request.id)

    def justification_required_to_deny(t, lc):
        ApprovalStage.update(is_approver_justification_required=True).execute()
        request = lc.submit(t.alice, t.approval_package)
        return lambda: lc.deny(t.manager, request.id)

    def cancel_by_someone_else(t, lc):
        request = lc.submit(t.alice, t.approval_package)
        return lambda: lc.cancel(t.bob, request.id)

    def cancel_delivered(t, lc):
        request = lc.submit(t.alice, t.open_package)
        return lambda: lc.cancel(t.alice, request.id)

    def self_remove_not_allowed(t, lc):
        t.open_policy.enable_targets_to_self_remove_access = False
        t.open_policy.save()
        request = lc.submit(t.alice, t.open_package)
        return lambda: lc.remove_assignment(t.alice, request.assignment_id)

    def nobody_to_approve(t, lc):
        return lambda: lc.submit(t.manager, t.approval_package)

    def end_before_start(t, lc):
        return lambda: lc.assign(t.admin, t.alice, t.open_package, t.open_policy, end=f.T0 - timedelta(days=1))

    return [
        ("ineligible", ineligible, Refused, "member users only"),
        ("justification missing", justification_missing, Refused, "requires a justification"),
        ("already assigned", already_assigned, Refused, "already has access package"),
        ("already pending", already_pending, Refused, "already has a pending request"),
        ("assign while pending", assign_while_pending, Refused, "already has a pending request"),
        ("incompatible submit", incompatible_submit, Refused, "holds access package 'Open'"),
        ("incompatible assign", incompatible_assign, Refused, "holds access package 'Approval'"),
        ("not an approver", not_an_approver, Refused, "not an approver of stage 1"),
        ("out of stage", out_of_stage, Refused, "not an approver of stage 1"),
        ("decided twice", decided_twice, Refused, "already decided"),
        ("stage already decided", stage_already_decided, Refused, "already decided"),
        ("approve denied", approve_denied, Refused, "already decided"),
        ("approve auto-delivered", approve_auto_delivered, Refused, "is delivered"),
        (
            "deny without justification",
            justification_required_to_deny,
            Refused,
            "requires the approver's justification",
        ),
        ("cancel by someone else", cancel_by_someone_else, Refused, "Only the requestor"),
        ("cancel delivered", cancel_delivered, Refused, "nothing to cancel"),
        ("self-remove not allowed", self_remove_not_allowed, Refused, "does not let users remove"),
        ("nobody to approve", nobody_to_approve, Refused, "Nobody can approve stage 1"),
        ("end before start", end_before_start, Refused, "end before it starts"),
    ]


@pytest.mark.parametrize(
    "setup, error, message", [case[1:] for case in refusal_cases()], ids=[case[0] for case in refusal_cases()]
)
def test_refused_transitions_write_nothing(tenant, lifecycle, setup, error, message):
    """Each refused transition raises its specific error and leaves every table as it was."""
    refused_call = setup(tenant, lifecycle)
    before = row_counts()
    with pytest.raises(error, match=message):
        refused_call()
    assert row_counts() == before


def test_batch_keeps_every_transition_and_drops_a_refused_one(tenant, lifecycle):
    """Inside a batch, transitions commit together; a refused one inside it writes nothing."""
    with lifecycle.batch():
        first = lifecycle.submit(tenant.alice, tenant.open_package)
        with pytest.raises(Refused):
            lifecycle.submit(tenant.alice, tenant.open_package)
        pending = lifecycle.submit(tenant.bob, tenant.approval_package)
        lifecycle.approve(tenant.manager, pending.id)
    assert AssignmentRequest.select().count() == 2
    assert len(trail(first.id)) == 6 and len(trail(pending.id)) == 7


def test_batch_never_keeps_half_a_transition(tenant, lifecycle, monkeypatch, on_postgresql):
    """A transition that refuses after it has written: on PostgreSQL its savepoint drops it and
    the batch goes on; on SQLite (no savepoint per transition) the whole batch is rolled back."""
    before = row_counts()
    record = delivery.request_record

    def refuse_at_fulfilment(step, activity, *args, **kwargs):
        if activity is log.FULFILL:
            raise Refused("refused after writing")
        return record(step, activity, *args, **kwargs)

    monkeypatch.setattr(delivery, "request_record", refuse_at_fulfilment)
    if on_postgresql:
        with lifecycle.batch():
            with pytest.raises(Refused):
                lifecycle.submit(tenant.alice, tenant.open_package)
            lifecycle.submit(tenant.bob, tenant.approval_package)
        assert AssignmentRequest.select().count() == 1
    else:
        with pytest.raises(RuntimeError, match="refused after writing"):
            with lifecycle.batch():
                lifecycle.submit(tenant.bob, tenant.approval_package)
                lifecycle.submit(tenant.alice, tenant.open_package)
        assert row_counts() == before


@pytest.mark.parametrize(
    "duration, expected",
    [
        ("P14D", datetime(2026, 1, 19, 9, tzinfo=timezone.utc)),
        ("PT12H", datetime(2026, 1, 5, 21, tzinfo=timezone.utc)),
        ("P1W", datetime(2026, 1, 12, 9, tzinfo=timezone.utc)),
        ("P1Y", datetime(2027, 1, 5, 9, tzinfo=timezone.utc)),
        ("P1DT30M", datetime(2026, 1, 6, 9, 30, tzinfo=timezone.utc)),
    ],
)
def test_shift_reads_iso_durations(duration, expected):
    """ISO 8601 durations move a moment by calendar years and months and exact days and times."""
    assert shift(f.T0, duration) == expected
    assert shift(expected, duration, -1) == f.T0


def test_shift_clamps_months_and_rejects_nonsense():
    """A month after 31 January is the month's last day; a malformed duration is invalid input."""
    assert shift(datetime(2026, 1, 31, tzinfo=timezone.utc), "P1M") == datetime(2026, 2, 28, tzinfo=timezone.utc)
    for bad in ("14D", "P", "PT", "P1H", "P1DT"):
        with pytest.raises(InvalidInput):
            shift(f.T0, bad)
