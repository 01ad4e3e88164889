"""A small tenant for the GUI tests: two admins, packages sharing a resource, assignments."""

from dataclasses import dataclass

from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR, REPORTS_READER
from models import Assignment, ResourceRoleAssignment, User
from tests.helpers import factories


@dataclass
class Tenant:
    admin: User
    reader: User
    ada: User
    packages: dict
    policies: dict


def assign(package, policy, target, state="delivered", roles=()):
    assignment = Assignment.create(
        access_package=package,
        assignment_policy=policy,
        target=target,
        state=state,
        status=state.capitalize(),
        schedule_start=factories.T0,
        created_date_time=factories.T0,
    )
    for role in roles:
        ResourceRoleAssignment.create(
            assignment=assignment,
            role=role,
            scope=role.resource.scopes.get(),
            target=target,
            status="Fulfilled",
            created_date_time=factories.T0,
        )
    return assignment


def build(assignees: int = 30) -> Tenant:
    admin = factories.user("Miriam Graham", department="IT")
    factories.grant_role(admin, IDENTITY_GOVERNANCE_ADMINISTRATOR)
    reader = factories.user("Reese Reader", department="IT")
    factories.grant_role(reader, REPORTS_READER)
    fabrikam = factories.connected_organization("Fabrikam")
    factories.connected_organization("Woodgrove Bank", state="proposed", domain="woodgrovebank.com")
    sales = factories.catalog("Sales")
    crm = factories.group_resource(sales, "CRM users")
    travel = factories.group_resource(sales, "Travel portal")
    packages = {
        "Field sales": factories.access_package("Field sales", target_catalog=sales, roles=(crm, travel)),
        "Sales analytics": factories.access_package("Sales analytics", target_catalog=sales, roles=(crm,)),
        "Partner portal": factories.access_package("Partner portal", target_catalog=sales, roles=(travel,)),
    }
    policies = {name: factories.policy(package, "Employees") for name, package in packages.items()}
    factories.policy(packages["Field sales"], "Approval by manager", stages=[["requestorManager"]])
    ada = factories.user("Ada Lovelace", department="Research")
    assign(packages["Field sales"], policies["Field sales"], ada, roles=(crm, travel))
    assign(packages["Sales analytics"], policies["Sales analytics"], ada, roles=(crm,))
    factories.user("Gus Guest", user_type="Guest", connected_organization=fabrikam, domain="fabrikam.com")
    for number in range(assignees):
        person = factories.user(f"Seller {number:03d}")
        assign(
            packages["Field sales"],
            policies["Field sales"],
            person,
            state="expired" if number % 5 == 0 else "delivered",
        )
    return Tenant(admin, reader, ada, packages, policies)
