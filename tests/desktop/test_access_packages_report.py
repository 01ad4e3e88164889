"""The access packages list report: counts, search, SQL sort, stable pages."""

from datetime import timezone

from desktop.reports.access_packages import AccessPackagesReport
from models import Assignment
from tests.helpers import factories


def assign(package, policy, target, state="delivered"):
    return Assignment.create(
        access_package=package,
        assignment_policy=policy,
        target=target,
        state=state,
        status=state.capitalize(),
        schedule_start=factories.T0,
        created_date_time=factories.T0,
    )


def test_rows_count_current_assignments_and_policies(database):
    """Each row counts the package's current assignments (not expired ones) and its policies."""
    sales = factories.catalog("Sales")
    package = factories.access_package("Field sales", target_catalog=sales)
    first = factories.policy(package, "Members")
    factories.policy(package, "Guests")
    for state in ("delivered", "delivering", "expired"):
        assign(package, first, factories.user(), state)
    report = AccessPackagesReport()
    (row,) = report.page(0, 10)
    values = dict(zip((c.key for c in report.columns), row))
    assert (values["display_name"], values["catalog"], values["assignments"], values["policies"]) == (
        "Field sales",
        "Sales",
        2,
        2,
    )
    assert values["created"] == factories.T0 and values["created"].tzinfo == timezone.utc


def test_search_matches_name_or_catalog_case_insensitively(database):
    """The search narrows to packages whose name or catalog contains the text."""
    finance = factories.catalog("Finance")
    factories.access_package("Payroll", target_catalog=finance)
    factories.access_package("Budget review", target_catalog=finance)
    factories.access_package("Sales tools", target_catalog=factories.catalog("Sales"))
    assert AccessPackagesReport("FINANCE").count() == 2
    assert [row[0] for row in AccessPackagesReport("roll").page(0, 10)] == ["Payroll"]


def test_sort_and_pages_come_from_sql(database):
    """Sorting by the assignment count, descending, pages without overlap."""
    catalog = factories.catalog()
    for number in range(5):
        package = factories.access_package(f"Package {number}", target_catalog=catalog)
        policy = factories.policy(package)
        for _ in range(number):
            assign(package, policy, factories.user())
    report = AccessPackagesReport()
    rows = report.page(0, 3, "assignments", descending=True) + report.page(3, 3, "assignments", True)
    assert [row[0] for row in rows] == [f"Package {n}" for n in (4, 3, 2, 1, 0)]
    assert [row[0] for row in report.iterate("assignments", True)] == [row[0] for row in rows]
