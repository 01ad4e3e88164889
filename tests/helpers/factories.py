"""Small builders for test data: each makes one object with sensible defaults.

They write rows directly, as a fixture does; the code under test goes through `desktop/`.
"""

import itertools
from datetime import datetime, timezone

from models import (
    AccessPackage,
    ApprovalStage,
    ApprovalStageApprover,
    AssignmentPolicy,
    Catalog,
    ConnectedOrganization,
    DirectoryRole,
    DirectoryRoleAssignment,
    Group,
    GroupMember,
    PolicyAllowedTarget,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    ResourceScope,
    User,
)
from desktop.permissions import ROLE_TEMPLATE_IDS

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
_serial = itertools.count(1)


def user(
    name: str | None = None,
    *,
    user_type="Member",
    manager=None,
    department="Sales",
    connected_organization=None,
    domain="contoso.com",
) -> User:
    name = name or f"User {next(_serial)}"
    upn = f"{name.lower().replace(' ', '.')}@{domain}"
    return User.create(
        user_principal_name=upn,
        display_name=name,
        mail=upn,
        user_type=user_type,
        department=department,
        manager=manager,
        connected_organization=connected_organization,
        created_date_time=T0,
    )


def group(name: str, members=()) -> Group:
    created = Group.create(display_name=name, created_date_time=T0)
    for member in members:
        GroupMember.create(group=created, member=member)
    return created


def grant_role(holder: User, role_name: str) -> None:
    role, _ = DirectoryRole.get_or_create(
        display_name=role_name, defaults={"role_template_id": ROLE_TEMPLATE_IDS[role_name]}
    )
    DirectoryRoleAssignment.create(role=role, principal=holder)


def connected_organization(name: str, *, state="configured", domain="fabrikam.com") -> ConnectedOrganization:
    return ConnectedOrganization.create(
        display_name=name,
        state=state,
        created_date_time=T0,
        modified_date_time=T0,
        identity_sources=[
            {"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": domain, "displayName": name}
        ],
    )


def catalog(name="General") -> Catalog:
    return Catalog.create(display_name=name, created_date_time=T0, modified_date_time=T0)


def group_resource(target_catalog: Catalog, name: str) -> ResourceRole:
    """A group resource in the catalog; returns its Member role."""
    backing = group(name)
    resource = Resource.create(
        catalog=target_catalog, origin_id=backing.id, origin_system="AadGroup", display_name=name, created_date_time=T0
    )
    ResourceScope.create(
        resource=resource, origin_id=backing.id, origin_system="AadGroup", display_name="Root", is_root_scope=True
    )
    return ResourceRole.create(
        resource=resource, origin_id=f"Member_{backing.id}", origin_system="AadGroup", display_name="Member"
    )


def access_package(name: str, *, target_catalog: Catalog | None = None, roles=(), hidden=False) -> AccessPackage:
    target_catalog = target_catalog or Catalog.get_or_none() or catalog()
    package = AccessPackage.create(
        catalog=target_catalog,
        display_name=name,
        description=f"{name} access",
        is_hidden=hidden,
        created_date_time=T0,
        modified_date_time=T0,
    )
    for role in roles:
        ResourceRoleScope.create(
            access_package=package, role=role, scope=role.resource.scopes.get(), created_date_time=T0
        )
    return package


def policy(
    package: AccessPackage,
    name="Default",
    *,
    scope="allMemberUsers",
    stages=(),
    justification_required=False,
    expiration_type="noExpiration",
    duration=None,
    end=None,
    self_add=True,
    allowed=(),
) -> AssignmentPolicy:
    """`stages`: one list of approvers per stage; an approver is a User (singleUser), a Group
    (groupMembers) or one of the strings "requestorManager", "internalSponsors",
    "externalSponsors". `allowed`: Users, Groups or ConnectedOrganizations for specific scopes."""
    created = AssignmentPolicy.create(
        access_package=package,
        display_name=name,
        allowed_target_scope=scope,
        enable_targets_to_self_add_access=self_add,
        is_approval_required_for_add=bool(stages),
        is_requestor_justification_required=justification_required,
        expiration_type=expiration_type,
        expiration_duration=duration,
        expiration_end_date_time=end,
        created_date_time=T0,
        modified_date_time=T0,
    )
    for number, approvers in enumerate(stages, start=1):
        stage = ApprovalStage.create(policy=created, stage_number=number, duration_before_automatic_denial="P14D")
        for approver in approvers:
            ApprovalStageApprover.create(stage=stage, **_subject_set(approver))
    for target in allowed:
        PolicyAllowedTarget.create(policy=created, **_subject_set(target))
    return created


def _subject_set(subject) -> dict:
    if isinstance(subject, str):
        return {"subject_set_type": subject}
    if isinstance(subject, User):
        return {"subject_set_type": "singleUser", "user": subject}
    if isinstance(subject, Group):
        return {"subject_set_type": "groupMembers", "group": subject}
    if isinstance(subject, ConnectedOrganization):
        return {"subject_set_type": "connectedOrganizationMembers", "connected_organization": subject}
    raise TypeError(f"not a subject: {subject!r}")
