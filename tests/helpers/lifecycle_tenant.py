"""Helpers, not tests: a small tenant for the lifecycle tests: people, an administrator, packages granting a group
and an app role, and policies with and without approval."""

from dataclasses import dataclass

from desktop.lookup import search_key
from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR
from models import (
    AccessPackage,
    Application,
    AppRole,
    AssignmentPolicy,
    AuditEvent,
    Resource,
    ResourceRole,
    ResourceScope,
    User,
)
from tests.helpers import factories as f


def app_resource(target_catalog, name: str, role_name: str = "Reader") -> ResourceRole:
    """An application resource in the catalog with one app role; returns that role."""
    application = Application.create(
        app_id=f"00000000-0000-0000-0000-{abs(hash(name)) % 10**12:012d}", display_name=name
    )
    app_role = AppRole.create(application=application, display_name=role_name, value=role_name.lower())
    resource = Resource.create(
        catalog=target_catalog,
        origin_id=application.id,
        origin_system="AadApplication",
        display_name=name,
        created_date_time=f.T0,
    )
    ResourceScope.create(
        resource=resource,
        origin_id=application.id,
        origin_system="AadApplication",
        display_name="Root",
        is_root_scope=True,
    )
    return ResourceRole.create(
        resource=resource, origin_id=app_role.id, origin_system="AadApplication", display_name=role_name
    )


@dataclass
class Tenant:
    admin: User
    manager: User
    alice: User
    bob: User
    carol: User
    approver: User
    second_approver: User
    open_package: AccessPackage
    open_policy: AssignmentPolicy
    approval_package: AccessPackage
    approval_policy: AssignmentPolicy
    staged_package: AccessPackage
    staged_policy: AssignmentPolicy


def build() -> Tenant:
    """The tenant: alice/bob/carol report to manager; packages: open (no approval, 30 days),
    approval (manager approves), staged (approver then second approver)."""
    admin = f.user("Ada Admin")
    f.grant_role(admin, IDENTITY_GOVERNANCE_ADMINISTRATOR)
    manager = f.user("Max Manager")
    people = [f.user(name, manager=manager) for name in ("Alice", "Bob", "Carol")]
    approver, second = f.user("Appro Ver"), f.user("Second Approver")
    catalog = f.catalog()
    group_role = f.group_resource(catalog, "Sales team")
    app_role = app_resource(catalog, "CRM")
    open_package = f.access_package("Open", target_catalog=catalog, roles=[group_role, app_role])
    approval_package = f.access_package("Approval", target_catalog=catalog, roles=[group_role])
    staged_package = f.access_package("Staged", target_catalog=catalog, roles=[app_role])
    return Tenant(
        admin,
        manager,
        *people,
        approver,
        second,
        open_package,
        f.policy(open_package, expiration_type="afterDuration", duration="P30D"),
        approval_package,
        f.policy(approval_package, stages=[["requestorManager"]]),
        staged_package,
        f.policy(staged_package, stages=[[approver], [second]]),
    )


def trail(correlation_id: str) -> list[tuple[str, str, str | None]]:
    """(category, activity, initiator UPN or app name) of a request's records in write order."""
    return [
        (event.category, event.activity_display_name, event.initiated_by_upn or event.initiated_by_display_name)
        for event in AuditEvent.select()
        .where(AuditEvent.correlation_id == correlation_id)
        .order_by(AuditEvent.activity_date_time, AuditEvent.seq)
    ]


def row_counts() -> dict[str, int]:
    """Rows in every table, to show that a refused step wrote nothing."""
    from models import ALL_MODELS

    return {model.__name__: model.select().count() for model in ALL_MODELS}


def key(text):
    return search_key(text)
