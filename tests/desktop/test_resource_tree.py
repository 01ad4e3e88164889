"""Resource assignments for a user, as a tree grouped by resource: a site reached through
three packages (with two of its roles) is one row that says "3 packages", not a two-package
row beside another row of the same site."""

from desktop.reports.user_resources import ResourceAssignmentsReport
from models import ResourceRole
from tests.helpers import factories
from tests.helpers.gui_tenant import assign


def test_a_resource_from_three_packages_is_one_row_with_a_child_each(database):
    sales = factories.catalog("Sales")
    member = factories.group_resource(sales, "Sales site")
    owner = ResourceRole.create(
        resource=member.resource, origin_id="Owner_site", origin_system="AadGroup", display_name="Owner"
    )
    other = factories.group_resource(sales, "CRM users")
    user = factories.user("Ada Lovelace")
    for name, roles in (("Field sales", (member, other)), ("Sales analytics", (member,)), ("Sales leads", (owner,))):
        package = factories.access_package(name, target_catalog=sales, roles=roles)
        assign(package, factories.policy(package, "Employees"), user, roles=roles)
    crm, site = ResourceAssignmentsReport(user).tree()
    assert crm.row[0] == "CRM users" and crm.children == ()
    assert site.row[:5] == ("Sales site", "Group", "2 roles", "3 packages", "Employees")
    assert sorted((child[2], child[3]) for child in site.children) == [
        ("Member", "Field sales"),
        ("Member", "Sales analytics"),
        ("Owner", "Sales leads"),
    ]
