"""A user whose resources make a three-level tree: resource → role → package."""

from datetime import timedelta

from models import ResourceRole, User
from tests.helpers import factories
from tests.helpers.factories import T0
from tests.helpers.gui_tenant import assign


def sales_tenant() -> User:
    """Ada holds the Sales site's Member role through two packages and its Owner role through a
    third (another policy), and CRM users through one of them."""
    sales = factories.catalog("Sales")
    member = factories.group_resource(sales, "Sales site")
    owner = ResourceRole.create(
        resource=member.resource, origin_id="Owner_site", origin_system="AadGroup", display_name="Owner"
    )
    other = factories.group_resource(sales, "CRM users")
    user = factories.user("Ada Lovelace")
    for name, policy, roles, days in (
        ("Field sales", "Employees", (member, other), (0, None)),
        ("Sales analytics", "Employees", (member,), (1, 30)),
        ("Sales leads", "Managers", (owner,), (2, 10)),
    ):
        package = factories.access_package(name, target_catalog=sales, roles=roles)
        assignment = assign(package, factories.policy(package, policy), user, roles=roles)
        start, end = days
        assignment.schedule_start = T0 + timedelta(days=start)
        assignment.schedule_end = None if end is None else T0 + timedelta(days=end)
        assignment.save()
    return user
