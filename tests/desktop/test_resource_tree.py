"""Resource assignments for a user, as a tree grouped resource → role → package: a site reached
through three packages is one row that says "3 packages", a role given by two packages is a row
under it that says "2 packages", with a row per package under that."""

from datetime import timedelta

from desktop.reports.user_resources import ResourceAssignmentsReport
from models import Assignment
from tests.helpers import factories
from tests.helpers.factories import T0
from tests.helpers.gui_tenant import assign
from tests.helpers.resource_tree_tenant import sales_tenant


def test_a_resource_groups_its_roles_and_a_role_its_packages(database):
    user = sales_tenant()
    report = ResourceAssignmentsReport(user)
    crm, site = report.tree()
    assert crm.row[:4] == ("CRM users", "Group", "Member", "Field sales") and crm.children == ()
    assert site.row[:5] == ("Sales site", "Group", "2 roles", "3 packages", "2 policies")
    member, owner = site.children
    assert member.row[:5] == ("Sales site", "Group", "Member", "2 packages", "Employees")
    assert [package.row[3] for package in member.children] == ["Field sales", "Sales analytics"]
    assert all(package.children == () for package in member.children)
    assert owner.row[:5] == ("Sales site", "Group", "Owner", "Sales leads", "Managers") and owner.children == ()
    # The rows at the bottom are the report's own rows, each once.
    leaves = [row for node in report.tree() for row in node.leaves()]
    assert sorted(leaves, key=repr) == sorted(report.iterate(), key=repr)


def test_a_parent_spans_its_rows_times(database):
    """Earliest start, latest end (none when one of them has none)."""
    user = sales_tenant()
    _crm, site = ResourceAssignmentsReport(user).tree()
    assert (site.row[5], site.row[6]) == (T0, None)  # Field sales has no end
    Assignment.update(schedule_end=T0 + timedelta(days=20)).where(Assignment.schedule_end.is_null()).execute()
    _crm, site = ResourceAssignmentsReport(user).tree()
    member, owner = site.children
    assert (member.row[5], member.row[6]) == (T0, T0 + timedelta(days=30))
    assert (owner.row[5], owner.row[6]) == (T0 + timedelta(days=2), T0 + timedelta(days=10))
    assert (site.row[5], site.row[6]) == (T0, T0 + timedelta(days=30))
    assert site.row[7] == "Fulfilled"


def test_a_resource_with_one_role_is_that_roles_row(database):
    """One role through two packages: the resource's row counts the packages, no role row
    repeats it between."""
    sales = factories.catalog("Sales")
    member = factories.group_resource(sales, "Sales site")
    user = factories.user("Ada Lovelace")
    for name in ("Field sales", "Sales analytics"):
        package = factories.access_package(name, target_catalog=sales, roles=(member,))
        assign(package, factories.policy(package, "Employees"), user, roles=(member,))
    (site,) = ResourceAssignmentsReport(user).tree()
    assert site.row[:4] == ("Sales site", "Group", "Member", "2 packages")
    assert [package.row[3] for package in site.children] == ["Field sales", "Sales analytics"]
