"""Who can request what: a policy's allowedTargetScope against a user.

`why_cannot_request` explains one (user, policy) pair; `requestable_policies` finds every
policy a user can request as one SQL query. Both apply the same rules: the package is not
hidden, the policy lets targets add access themselves, and the user falls in the scope.
"""

from datetime import datetime

from peewee import SQL

from desktop.reports.as_of import row_as_of
from models import (
    AccessPackage,
    AssignmentPolicy,
    Catalog,
    ConnectedOrganization,
    Group,
    GroupMember,
    PolicyAllowedTarget,
    User,
)
from models.deletion import current
from models.prepared import Parameter, Prepared
from models.subqueries import in_subquery

MEMBER = "Member"
GUEST = "Guest"

SPECIFIC_DIRECTORY_USERS = "specificDirectoryUsers"
SPECIFIC_CONNECTED_ORGANIZATION_USERS = "specificConnectedOrganizationUsers"
ALL_MEMBER_USERS = "allMemberUsers"
ALL_DIRECTORY_USERS = "allDirectoryUsers"
ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS = "allConfiguredConnectedOrganizationUsers"
ALL_EXTERNAL_USERS = "allExternalUsers"

SINGLE_USER = "singleUser"
GROUP_MEMBERS = "groupMembers"
CONNECTED_ORGANIZATION_MEMBERS = "connectedOrganizationMembers"

_SPECIFIC_SCOPES = (SPECIFIC_DIRECTORY_USERS, SPECIFIC_CONNECTED_ORGANIZATION_USERS)


def why_cannot_request(user: User, policy: AssignmentPolicy) -> str | None:
    """None when `user` may request access through `policy`; otherwise the reason, fit to show."""
    package = policy.access_package
    for gone, what in (
        (user, user.display_name),
        (package, f"Access package {package.display_name!r}"),
        (policy, f"Policy {policy.display_name!r}"),
    ):
        if gone.deleted_date_time is not None:
            return f"{what} has been deleted from the tenant."
    if package.is_hidden:
        return f"Access package {package.display_name!r} is hidden: it cannot be requested."
    if not policy.enable_targets_to_self_add_access:
        return f"Policy {policy.display_name!r} does not let users request access themselves."
    scope = policy.allowed_target_scope
    organization_state = _organization_state(user)
    if scope in _scopes_open_to(user, organization_state):
        return None
    if scope in _SPECIFIC_SCOPES:
        organization_id = _guest_organization(user, organization_state)
        listed = _LISTS_MEMBER if organization_id is None else _LISTS_GUEST
        if listed.tuples(user=user.id, organization=organization_id, policy=policy.id):
            return None
    if scope == SPECIFIC_DIRECTORY_USERS:
        return (
            f"{user.display_name} is neither listed nor a member of a group listed in policy {policy.display_name!r}."
        )
    if scope == SPECIFIC_CONNECTED_ORGANIZATION_USERS:
        return (
            f"{user.display_name} is not a guest of a connected organization listed in policy {policy.display_name!r}."
        )
    return f"{user.display_name} is not in the users policy {policy.display_name!r} allows: " + {
        "notSpecified": "administrators assign it directly, nobody requests it.",
        ALL_MEMBER_USERS: "it is for member users only.",
        ALL_EXTERNAL_USERS: "it is for external (guest) users only.",
        ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS: "it is for guests of configured connected organizations only.",
    }.get(scope, f"its scope is {scope}.")


def requestable_policies(user: User, moment: datetime | None = None):
    """A query of the AssignmentPolicy rows `user` can request, with their AccessPackage and
    Catalog joined in, ordered by package and policy name.

    A user deleted from the tenant can request nothing. At a past `moment` the user's type,
    connected organization and deletion are those they had then (nothing when they did not
    exist yet), and the query must be read through `as_of(query, moment)`, which puts the
    policies, targets, groups, packages and catalogs of that moment under their tables' names."""
    if moment is not None:
        user = row_as_of(User, user.id, moment)
    if user is None or user.deleted_date_time is not None:
        return _policy_query(SQL("1 = 0"))  # nobody requests for a user who is gone
    scope = AssignmentPolicy.allowed_target_scope
    organization_state = _organization_state(user, moment)
    listed = in_subquery(
        AssignmentPolicy.id,
        _listed_targets(user.id, _guest_organization(user, organization_state)).select(PolicyAllowedTarget.policy),
    )
    open_scopes = sorted(_scopes_open_to(user, organization_state))
    in_scope = (scope.in_(open_scopes) | listed) if open_scopes else listed
    return _policy_query(in_scope)


def _policy_query(in_scope):
    return (
        AssignmentPolicy.select(AssignmentPolicy, AccessPackage, Catalog)
        .join(AccessPackage)
        .join(Catalog)
        .where(
            current(AssignmentPolicy)
            & current(AccessPackage)
            & current(Catalog)
            & (AccessPackage.is_hidden == False)  # noqa: E712 (peewee expression)
            & (AssignmentPolicy.enable_targets_to_self_add_access == True)  # noqa: E712
            & in_scope
        )
        .order_by(AccessPackage.display_name_key, AssignmentPolicy.display_name)
    )


def _scopes_open_to(user: User, organization_state: str | None) -> set[str]:
    """The scopes that admit `user` whoever the policy lists."""
    scopes = {ALL_DIRECTORY_USERS}
    if user.user_type == MEMBER:
        scopes.add(ALL_MEMBER_USERS)
    if user.user_type == GUEST:
        scopes.add(ALL_EXTERNAL_USERS)
        if organization_state == "configured":
            scopes.add(ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS)
    return scopes


def _organization_state(user: User, moment: datetime | None = None) -> str | None:
    """The state of `user`'s connected organization (at `moment`; None: now), None when they
    have none or it is deleted from the tenant."""
    if user.connected_organization_id is None:
        return None
    if moment is None:
        return _ORGANIZATION_STATE.scalar(id=user.connected_organization_id)
    organization = row_as_of(ConnectedOrganization, user.connected_organization_id, moment)
    return organization.state if organization is not None and organization.deleted_date_time is None else None


def _guest_organization(user: User, organization_state: str | None) -> str | None:
    """The connected organization whose members a guest counts among; None for members and for
    guests of an organization deleted from the tenant (`organization_state` None)."""
    if user.user_type != GUEST or organization_state is None:
        return None
    return user.connected_organization_id


def _listed_targets(user_id, organization_id):
    """PolicyAllowedTarget rows of specific-scope policies that admit the user: a
    specificDirectoryUsers policy listing them or a group of theirs, a
    specificConnectedOrganizationUsers policy listing their connected organization (guests:
    `organization_id` is not None)."""
    target = PolicyAllowedTarget
    groups = GroupMember.select(GroupMember.group).join(Group).where((GroupMember.member == user_id) & current(Group))
    names_user = ((target.subject_set_type == SINGLE_USER) & (target.user == user_id)) | (
        (target.subject_set_type == GROUP_MEMBERS) & in_subquery(target.group, groups)
    )
    admits = (AssignmentPolicy.allowed_target_scope == SPECIFIC_DIRECTORY_USERS) & names_user
    if organization_id is not None:
        admits |= (
            (AssignmentPolicy.allowed_target_scope == SPECIFIC_CONNECTED_ORGANIZATION_USERS)
            & (target.subject_set_type == CONNECTED_ORGANIZATION_MEMBERS)
            & (target.connected_organization == organization_id)
        )
    return target.select().join(AssignmentPolicy).where(admits)


# Whether a policy lists a user (`why_cannot_request` asks once per request).
_LISTS_MEMBER = Prepared(
    lambda: _listed_targets(Parameter("user"), None).where(PolicyAllowedTarget.policy == Parameter("policy")).limit(1)
)
_LISTS_GUEST = Prepared(
    lambda: (
        _listed_targets(Parameter("user"), Parameter("organization"))
        .where(PolicyAllowedTarget.policy == Parameter("policy"))
        .limit(1)
    )
)
# None for an organization deleted from the tenant: its guests no longer count among its members.
_ORGANIZATION_STATE = Prepared(
    lambda: ConnectedOrganization.select(ConnectedOrganization.state).where(
        (ConnectedOrganization.id == Parameter("id")) & current(ConnectedOrganization)
    )
)
