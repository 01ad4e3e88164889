"""Objects marked deleted (gone from the tenant) are never reported as current; their history
stays, and one that reappears in a later import is current again."""

from datetime import datetime, timezone

import pytest

from desktop.directory import search_users
from desktop.eligibility import requestable_policies, why_cannot_request
from desktop.importers import import_files, kinds
from desktop.importers.deletions import mark
from desktop.reports.access_packages import AccessPackagesReport
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.audit import AuditLogReport
from desktop.reports.connected_organizations import ConnectedOrganizationsReport
from desktop.reports.package_roles import roles_of_packages
from desktop.reports.user_packages import AssignedPackagesReport, CanRequestReport
from desktop.reports.user_resources import ResourceAssignmentsReport
from desktop.states import ACTIVE_ASSIGNMENT_STATES
from models import (
    AccessPackage,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    ConnectedOrganization,
    GroupMember,
    PolicyAllowedTarget,
    ResourceRoleAssignment,
    ResourceRoleScope,
    User,
    db,
)
from tests.helpers.graph_fixtures import ALL_FILES, NAMED_POLICY

GONE = datetime(2024, 6, 1, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def tenant(database):
    import_files(ALL_FILES)


def gone(kind: str, *ids: str) -> None:
    with db.atomic():
        assert mark(kind, ids, GONE) == len(ids)


def ids_in(report) -> set:
    return {value for row in report.iterate() for value in row if isinstance(value, str)}


def test_a_deleted_assignment_is_not_current_but_its_history_stays(tenant):
    assignment = Assignment.select().where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)).first()
    user, package = User.get_by_id(assignment.target_id), assignment.access_package
    counted = {row[-1]: row[3] for row in AccessPackagesReport().iterate()}[package.id]
    requests, audits = AssignmentRequest.select().count(), AuditLogReport().count()
    assert assignment.id in ids_in(AssignmentsReport(None)) and assignment.id in ids_in(AssignedPackagesReport(user))
    gone(kinds.ASSIGNMENT, assignment.id)
    assert assignment.id not in ids_in(AssignmentsReport(None))
    assert assignment.id not in ids_in(AssignmentsReport(package))
    assert AssignmentsReport(None).count() == len(list(AssignmentsReport(None).iterate()))
    assert assignment.id not in ids_in(AssignedPackagesReport(user))
    assert {row[-1]: row[3] for row in AccessPackagesReport().iterate()}[package.id] == counted - 1
    assert (AssignmentRequest.select().count(), AuditLogReport().count()) == (requests, audits)


def test_a_deleted_package_or_policy_cannot_be_requested_and_is_not_listed(tenant):
    user = next(u for u in User.select() if list(requestable_policies(u)))
    policy = list(requestable_policies(user))[0]
    package = policy.access_package
    assert package.id in ids_in(CanRequestReport(user)) and package.id in ids_in(AccessPackagesReport())
    gone(kinds.POLICY, policy.id)
    assert policy.id not in {p.id for p in requestable_policies(user)}
    assert why_cannot_request(user, AssignmentPolicy.get_by_id(policy.id)) == (
        f"Policy {policy.display_name!r} has been deleted from the tenant."
    )
    gone(kinds.ACCESS_PACKAGE, package.id)
    assert package.id not in ids_in(CanRequestReport(user)) and package.id not in ids_in(AccessPackagesReport())
    assert "has been deleted from the tenant" in why_cannot_request(user, AssignmentPolicy.get_by_id(policy.id))
    import_files(ALL_FILES)  # it reappears: current again
    assert package.id in ids_in(CanRequestReport(user)) and package.id in ids_in(AccessPackagesReport())
    assert AccessPackage.get_by_id(package.id).deleted_date_time is None


def test_a_deleted_user_is_not_in_the_picker_and_cannot_request(tenant):
    user = next(u for u in User.select().where(~User.is_reference) if list(requestable_policies(u)))
    assert user.id in {match.id for match in search_users(user.display_name)}
    gone(kinds.USER, user.id)
    assert user.id not in {match.id for match in search_users(user.display_name)}
    assert user.id not in {match.id for match in search_users("")}
    policy = list(requestable_policies(user))[0]
    assert why_cannot_request(User.get_by_id(user.id), policy) == (
        f"{user.display_name} has been deleted from the tenant."
    )


def test_members_of_a_deleted_group_are_no_longer_eligible_through_it(tenant):
    listed_group = PolicyAllowedTarget.get(
        (PolicyAllowedTarget.policy == NAMED_POLICY) & PolicyAllowedTarget.group.is_null(False)
    ).group_id
    singly = {t.user_id for t in PolicyAllowedTarget.select().where(PolicyAllowedTarget.policy == NAMED_POLICY)}
    member = next(
        User.get_by_id(m.member_id)
        for m in GroupMember.select().where(GroupMember.group == listed_group)
        if m.member_id not in singly
    )
    policy = AssignmentPolicy.get_by_id(NAMED_POLICY)
    assert why_cannot_request(member, policy) is None
    assert NAMED_POLICY in {p.id for p in requestable_policies(member)}
    gone(kinds.GROUP, listed_group)
    assert "is neither listed nor a member of a group listed" in why_cannot_request(member, policy)
    assert NAMED_POLICY not in {p.id for p in requestable_policies(member)}


def test_the_roles_of_a_deleted_resource_are_not_held(tenant):
    """Resource assignments and the packages' resource roles leave out a resource gone from the
    tenant (and the roles of a deleted assignment)."""
    scope = ResourceRoleScope.select().first()
    package = AccessPackage.get_by_id(scope.access_package_id)
    assignment = (
        Assignment.select()
        .where((Assignment.access_package == package.id) & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES))
        .first()
    )
    user = User.get_by_id(assignment.target_id)
    ResourceRoleAssignment.create(
        id="1b2c3d4e-5f60-4a7b-8c9d-00000000ff01",
        assignment=assignment.id,
        role=scope.role_id,
        scope=scope.scope_id,
        target=user.id,
        status="Fulfilled",
    )
    assert ResourceAssignmentsReport(user).count() == 1
    assert len(roles_of_packages([package.id])[package.id]) >= 1
    resource = scope.role.resource_id
    gone(kinds.RESOURCE, resource)
    assert list(ResourceAssignmentsReport(user).iterate()) == []
    assert all(row[0] != scope.role.resource.display_name for row in roles_of_packages([package.id])[package.id])
    import_files(ALL_FILES)
    assert len(list(ResourceAssignmentsReport(user).iterate())) == 1
    gone(kinds.ASSIGNMENT, assignment.id)
    assert list(ResourceAssignmentsReport(user).iterate()) == []


def test_a_deleted_connected_organization_is_not_listed_and_admits_no_guests(tenant):
    organization = ConnectedOrganization.select().where(ConnectedOrganization.state == "configured").first()
    guests = list(User.select().where((User.connected_organization == organization.id) & (User.user_type == "Guest")))
    admitted = {
        guest.id
        for guest in guests
        if any(
            p.allowed_target_scope.startswith(("specificConnected", "allConfigured"))
            for p in requestable_policies(guest)
        )
    }
    assert organization.id in ids_in(ConnectedOrganizationsReport())
    gone(kinds.CONNECTED_ORGANIZATION, organization.id)
    assert organization.id not in ids_in(ConnectedOrganizationsReport())
    for guest in guests:
        assert not any(
            p.allowed_target_scope.startswith(("specificConnected", "allConfigured"))
            for p in requestable_policies(guest)
        )
    assert admitted, "the fixture tenant has a guest admitted through their connected organization"


def test_a_deleted_assignment_neither_blocks_a_new_request_nor_can_be_removed(tenant):
    from desktop.errors import Refused
    from desktop.lifecycle import Lifecycle

    assignment = Assignment.select().where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)).first()
    user, policy = User.get_by_id(assignment.target_id), AssignmentPolicy.get_by_id(assignment.assignment_policy_id)
    AssignmentPolicy.update(enable_targets_to_self_add_access=True, allowed_target_scope="allDirectoryUsers").where(
        AssignmentPolicy.id == policy.id
    ).execute()
    with pytest.raises(Refused, match="already has access package"):
        Lifecycle().submit(user, policy.access_package, policy, "Needed again")
    gone(kinds.ASSIGNMENT, assignment.id)
    with pytest.raises(Refused, match="has been deleted from the tenant"):
        Lifecycle().remove_assignment(user, assignment.id)
    request = Lifecycle().submit(user, policy.access_package, AssignmentPolicy.get_by_id(policy.id), "Needed again")
    assert request.target_id == user.id
