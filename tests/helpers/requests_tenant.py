"""A small tenant whose requests and audit trail come from the lifecycle controller, for the
audit log, request, timeline and workbook GUI tests."""

from dataclasses import dataclass
from datetime import timedelta

from desktop.audit_log import REMOVE_APP_ROLE_ASSIGNMENT, app_role_targets, record, user_initiator, write_records
from desktop.clock import FixedClock
from desktop.lifecycle import Lifecycle
from desktop.permissions import GLOBAL_ADMINISTRATOR, IDENTITY_GOVERNANCE_ADMINISTRATOR, REPORTS_READER
from models import (
    AccessPackage,
    Application,
    AppRole,
    ApprovalStage,
    AssignmentRequest,
    Resource,
    ResourceRole,
    ResourceScope,
    User,
    new_id,
)
from tests.helpers import factories
from tests.helpers.factories import T0


@dataclass
class LifecycleTenant:
    lifecycle: Lifecycle
    clock: FixedClock
    admin: User  # Identity Governance Administrator
    global_admin: User
    reader: User  # Reports Reader
    manager: User  # approves stage 1
    alice: User
    bob: User
    carol: User
    open_package: AccessPackage
    approval_package: AccessPackage
    payroll: AccessPackage
    pending: AssignmentRequest  # Bob's, waiting for the manager (stage 1 of 2)
    denied: AssignmentRequest
    delivered: AssignmentRequest  # Alice's, auto-approved
    payroll_id: str  # the Payroll application's service principal id


def app_role(catalog, name: str, role_name: str) -> tuple[ResourceRole, Application]:
    application = Application.create(app_id=new_id(), display_name=name)
    role = AppRole.create(application=application, display_name=role_name, value=role_name.lower())
    resource = Resource.create(
        catalog=catalog,
        origin_id=application.id,
        origin_system="AadApplication",
        display_name=name,
        created_date_time=T0,
    )
    ResourceScope.create(
        resource=resource,
        origin_id=application.id,
        origin_system="AadApplication",
        display_name="Root",
        is_root_scope=True,
    )
    return ResourceRole.create(
        resource=resource, origin_id=role.id, origin_system="AadApplication", display_name=role_name
    ), application


def build() -> LifecycleTenant:
    clock = FixedClock(T0)
    lifecycle = Lifecycle(clock)
    admin = factories.user("Miriam Graham", department="IT")
    factories.grant_role(admin, IDENTITY_GOVERNANCE_ADMINISTRATOR)
    global_admin = factories.user("Gloria Global", department="IT")
    factories.grant_role(global_admin, GLOBAL_ADMINISTRATOR)
    reader = factories.user("Reese Reader", department="IT")
    factories.grant_role(reader, REPORTS_READER)
    manager = factories.user("Mona Manager")
    alice = factories.user("Alice Archer", manager=manager)
    bob = factories.user("Bob Baker", manager=manager)
    carol = factories.user("Carol Clark", manager=manager)

    catalog = factories.catalog("Sales")
    crm = factories.group_resource(catalog, "CRM users")
    payroll_role, payroll_app = app_role(catalog, "Payroll", "Reader")
    open_package = factories.access_package("Field sales", target_catalog=catalog, roles=(crm,))
    approval_package = factories.access_package("Sales analytics", target_catalog=catalog, roles=(crm,))
    payroll = factories.access_package("Payroll readers", target_catalog=catalog, roles=(payroll_role,))
    open_policy = factories.policy(open_package, "Employees")
    approval_policy = factories.policy(approval_package, "Two approvals", stages=[[manager], [admin]])
    ApprovalStage.update(is_approver_justification_required=True).where(
        (ApprovalStage.policy == approval_policy) & (ApprovalStage.stage_number == 2)
    ).execute()
    payroll_policy = factories.policy(payroll, "Direct", scope="notSpecified")

    delivered = lifecycle.submit(alice, open_package, open_policy)
    clock.advance(timedelta(hours=1))
    pending = lifecycle.submit(bob, approval_package, approval_policy, justification="Quarterly forecast")
    clock.advance(timedelta(hours=1))
    denied_request = lifecycle.submit(carol, approval_package, approval_policy)
    clock.advance(timedelta(hours=1))
    denied = lifecycle.deny(manager, denied_request.id, "Not in the sales team")
    clock.advance(timedelta(days=1))
    lifecycle.assign(admin, carol, payroll, payroll_policy)
    clock.advance(timedelta(hours=2))
    # A grant made outside entitlement management, as a Global Administrator would.
    write_records(
        [
            record(
                REMOVE_APP_ROLE_ASSIGNMENT,
                at=clock.now(),
                initiated_by=user_initiator(global_admin),
                correlation_id=None,
                targets=app_role_targets(
                    alice,
                    application_id=payroll_app.id,
                    application_name="Payroll",
                    app_role_id=None,
                    app_role_value="reader",
                    app_role_name="Reader",
                ),
            )
        ]
    )
    clock.advance(timedelta(hours=1))
    return LifecycleTenant(
        lifecycle,
        clock,
        admin,
        global_admin,
        reader,
        manager,
        alice,
        bob,
        carol,
        open_package,
        approval_package,
        payroll,
        pending,
        denied,
        delivered,
        payroll_app.id,
    )
