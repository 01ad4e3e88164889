"""What the lifecycle acts on: the configuration as it is now (not as a long-lived Lifecycle
first read it), one vocabulary of states, and durations it cannot use reported per item."""

import copy
import json
from datetime import timedelta

import pytest

from desktop.cli import main
from desktop.clock import FixedClock
from desktop.errors import InvalidInput, Refused
from desktop.importers import import_documents, import_files
from desktop.lifecycle import Lifecycle
from desktop.reports.user_packages import AssignedPackagesReport
from desktop.states import CANCELABLE_REQUEST_STATES, PENDING_REQUEST_STATES
from models import (
    AccessPackage,
    ApprovalStage,
    ApprovalStageApprover,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    GroupMember,
    User,
)
from models.requests import REQUEST_STATES, TERMINAL_REQUEST_STATES
from tests.helpers import factories as f
from tests.helpers.connections import on_another_connection
from tests.helpers.graph_fixtures import ADELE, ALL_FILES, GRAPH, ISAIAH, SALES_POLICY, SALES_STARTER
from tests.helpers.lifecycle_tenant import build, row_counts


@pytest.fixture
def tenant(database):
    return build()


@pytest.fixture
def lifecycle():
    return Lifecycle(FixedClock(f.T0))


def test_a_policy_that_starts_requiring_approval_is_obeyed_by_an_open_lifecycle(tenant, lifecycle):
    """A Lifecycle that already delivered under a policy without approval sends the next
    request for approval once another connection made the policy require it."""
    first = lifecycle.submit(tenant.alice, tenant.open_package)
    assert first.state == "delivered"

    def require_approval():
        stage = ApprovalStage.create(
            policy=tenant.open_policy.id, stage_number=1, duration_before_automatic_denial="P14D"
        )
        ApprovalStageApprover.create(stage=stage, subject_set_type="requestorManager")
        AssignmentPolicy.update(is_approval_required_for_add=True).where(
            AssignmentPolicy.id == tenant.open_policy.id
        ).execute()

    on_another_connection(require_approval)
    second = lifecycle.submit(tenant.bob, tenant.open_package)
    assert (second.state, second.assignment_id) == ("pendingApproval", None)


def test_a_policy_another_import_makes_require_approval_is_obeyed_by_an_open_lifecycle(database):
    """The same, when the change is another administrator's import of the tenant's policies."""
    document = json.loads((GRAPH / "assignmentPolicies.json").read_text(encoding="utf-8"))
    (sales,) = [policy for policy in document["value"] if policy["id"] == SALES_POLICY]
    without_approval = copy.deepcopy(sales)
    without_approval["requestApprovalSettings"].update(isApprovalRequiredForAdd=False, stages=[])
    import_files(ALL_FILES)
    import_documents([(document["@odata.context"], {**document, "value": [without_approval]})])
    lifecycle = Lifecycle(FixedClock(f.T0 + timedelta(days=3 * 365)))
    sales_starter = AccessPackage.get_by_id(SALES_STARTER)
    policy = AssignmentPolicy.get_by_id(SALES_POLICY)

    first = lifecycle.submit(User.get_by_id(ADELE), sales_starter, policy, justification="New seller")
    assert first.state == "delivered"

    on_another_connection(lambda: import_documents([(document["@odata.context"], {**document, "value": [sales]})]))
    second = lifecycle.submit(User.get_by_id(ISAIAH), sales_starter, policy, justification="New seller")
    assert (second.state, second.assignment_id) == ("pendingApproval", None)


def test_resource_roles_changed_elsewhere_are_granted_by_an_open_lifecycle(tenant, lifecycle):
    """Two Lifecycles: the second delivers the package's roles as they are now, not as the
    first one (or it, earlier) read them."""
    other = Lifecycle(FixedClock(f.T0))
    other.submit(tenant.alice, tenant.approval_package, tenant.approval_policy)
    lifecycle.submit(tenant.carol, tenant.open_package)
    extra_role = f.group_resource(tenant.open_package.catalog, "Extra team")

    def add_role():
        f.ResourceRoleScope.create(
            access_package=tenant.open_package.id,
            role=extra_role.id,
            scope=extra_role.resource.scopes.get().id,
            created_date_time=f.T0,
        )

    on_another_connection(add_role)
    lifecycle.submit(tenant.bob, tenant.open_package)
    extra_group = extra_role.resource.origin_id
    assert [m.member_id for m in GroupMember.select().where(GroupMember.group == extra_group)] == [tenant.bob.id]


def test_a_batch_reads_the_configuration_once_but_never_from_before_it_began(tenant, lifecycle):
    """Configuration read by one batch is not carried into the next."""
    with lifecycle.batch():
        lifecycle.submit(tenant.alice, tenant.open_package)
    on_another_connection(
        lambda: (
            AssignmentPolicy.update(expiration_duration="P2D")
            .where(AssignmentPolicy.id == tenant.open_policy.id)
            .execute()
        )
    )
    with lifecycle.batch():
        request = lifecycle.submit(tenant.bob, tenant.open_package)
    assert request.schedule_end == f.T0 + timedelta(days=2)


def _partially_delivered(tenant) -> Assignment:
    """An assignment as an import brings it: Graph's partiallyDelivered."""
    return Assignment.create(
        access_package=tenant.open_package,
        assignment_policy=tenant.open_policy,
        target=tenant.alice,
        state="partiallyDelivered",
        status="PartiallyDelivered",
        schedule_start=f.T0,
        created_date_time=f.T0,
    )


def test_partially_delivered_is_held_everywhere(tenant, lifecycle):
    """partiallyDelivered is listed as Assigned, refuses a second assignment, and can be removed."""
    held = _partially_delivered(tenant)
    assert [row[0] for row in AssignedPackagesReport(tenant.alice).iterate()] == ["Open"]
    with pytest.raises(Refused, match="already has access package 'Open'"):
        lifecycle.assign(tenant.admin, tenant.alice, tenant.open_package, tenant.open_policy)
    removal = lifecycle.remove_assignment(tenant.admin, held.id)
    assert removal.request_type == "adminRemove"
    assert Assignment.get_by_id(held.id).state == "expired"


def test_a_partially_delivered_assignment_past_its_end_expires(tenant, lifecycle):
    held = _partially_delivered(tenant)
    Assignment.update(schedule_end=f.T0 + timedelta(days=1)).where(Assignment.id == held.id).execute()
    assert lifecycle.process_due(tenant.admin, f.T0 + timedelta(days=2)).expired == 1


def _policy_with_stage_duration(tenant, name: str, duration: str) -> AssignmentPolicy:
    package = f.access_package(f"{name} package", target_catalog=tenant.open_package.catalog)
    policy = f.policy(package, name, stages=[["requestorManager"]])
    ApprovalStage.update(duration_before_automatic_denial=duration).where(ApprovalStage.policy == policy.id).execute()
    return policy


@pytest.mark.parametrize("duration", ["P10000Y", "P99999999999D", "fortnight"])
def test_process_reports_a_policy_with_an_unusable_stage_duration_and_goes_on(tenant, lifecycle, duration):
    """One policy's stage duration that cannot be used is reported, naming the policy; the
    other overdue requests still time out."""
    broken = _policy_with_stage_duration(tenant, "Broken", duration)
    lifecycle.submit(tenant.alice, broken.access_package, broken)
    overdue = lifecycle.submit(tenant.bob, tenant.approval_package)
    processed = lifecycle.process_due(tenant.admin, f.T0 + timedelta(days=15))
    assert (processed.timed_out, processed.expired) == (1, 0)
    assert AssignmentRequest.get_by_id(overdue.id).status == "TimedOut"
    [problem] = processed.skipped
    assert f"Policy 'Broken' (id {broken.id}): stage 1 was not timed out" in problem
    assert duration in problem
    assert "Skipped 1 that could not be processed" in processed.summary()


def test_an_expiration_too_long_is_refused_naming_the_policy(tenant, lifecycle):
    """P99999999999D as a policy's expiration is a refusal that names the policy, not an overflow."""
    AssignmentPolicy.update(expiration_duration="P99999999999D").where(
        AssignmentPolicy.id == tenant.open_policy.id
    ).execute()
    before = row_counts()
    with pytest.raises(
        InvalidInput,
        match=r"Policy 'Default' \(id .*\) has an unusable expiration duration: "
        r"'P99999999999D' is longer than 1,000 years",
    ):
        lifecycle.submit(tenant.alice, tenant.open_package)
    assert row_counts() == before


def test_the_cli_process_reports_skipped_items_and_exits_2(tenant, database_target, capsys):
    broken = _policy_with_stage_duration(tenant, "Broken", "P10000Y")
    Lifecycle(FixedClock(f.T0)).submit(tenant.alice, broken.access_package, broken)
    code = main(
        [
            "--db",
            str(database_target),
            "process",
            "--at",
            "2026-02-05T09:00:00Z",
            "--as",
            tenant.admin.user_principal_name,
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.splitlines() == ["timed out\t0", "expired\t0"]
    assert "skipped: Policy 'Broken'" in captured.err and "P10000Y" in captured.err
    assert "Traceback" not in captured.err


def test_removable_assignment_answers_for_an_add_request_in_one_query(tenant, lifecycle):
    """The Requests page asks the lifecycle which assignment a selected request could remove:
    an active one (partiallyDelivered included) that an add request delivered, else None."""
    delivered = lifecycle.submit(tenant.alice, tenant.open_package)
    found = lifecycle.removable_assignment(delivered.id.upper())
    assert (found.id, found.target.display_name, found.access_package.display_name) == (
        delivered.assignment_id,
        "Alice",
        "Open",
    )
    Assignment.update(state="partiallyDelivered").where(Assignment.id == delivered.assignment_id).execute()
    assert lifecycle.removable_assignment(delivered.id).id == delivered.assignment_id
    removal = lifecycle.remove_assignment(tenant.admin, delivered.assignment_id)
    assert lifecycle.removable_assignment(delivered.id) is None
    assert lifecycle.removable_assignment(removal.id) is None  # a remove request removes nothing
    pending = lifecycle.submit(tenant.bob, tenant.approval_package)
    assert lifecycle.removable_assignment(pending.id) is None
    assert lifecycle.waits_for(tenant.manager, pending.id) and not lifecycle.waits_for(tenant.admin, pending.id)


def test_the_vocabulary_of_states():
    """Every Graph request state is either pending or finished; cancelable ones are pending."""
    assert PENDING_REQUEST_STATES == ("submitted", "pendingApproval", "delivering", "scheduled")
    assert sorted(PENDING_REQUEST_STATES + TERMINAL_REQUEST_STATES) == sorted(REQUEST_STATES)
    assert set(CANCELABLE_REQUEST_STATES) <= set(PENDING_REQUEST_STATES)
