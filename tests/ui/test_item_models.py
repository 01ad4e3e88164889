"""The paged table model and the tree model over reports."""

from datetime import datetime, timezone

import peewee
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from desktop.audit_record import format_time
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.audit import AuditLogReport
from desktop.reports.user_resources import ResourceAssignmentsReport
from tests.helpers import factories
from tests.helpers.reports_tenant import build_tenant
from tests.helpers import gui_tenant as tenant
from tests.helpers.sample_reports import UsersReport
from ui.item_models.report_table import ReportTableModel
from ui.item_models.report_tree import ReportTreeModel
from desktop.reports.views import ShownReport, quick_filtered

DISPLAY = Qt.ItemDataRole.DisplayRole
RAW = Qt.ItemDataRole.UserRole


@pytest.fixture
def users(database):
    for number in range(450):
        factories.user(f"Person {number:03d}")


def check_model(model):
    return QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)


def test_table_model_passes_the_model_tester(users, qtbot):
    """The model keeps Qt's invariants while filled, sorted, re-filtered and emptied."""
    model = ReportTableModel(UsersReport(), page_size=50)
    check_model(model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.set_report(UsersReport("person 01"))
    model.set_report(None)
    assert model.rowCount() == 0


def test_rows_are_fetched_page_by_page_as_asked(users):
    """Only the pages of rows that are read are queried, and the cache stays bounded."""
    report = UsersReport()
    model = ReportTableModel(report, page_size=50, cached_pages=3)
    assert model.rowCount() == 450 and report.pages_asked == 0
    assert model.index(0, 0).data(DISPLAY) == "Person 000"
    assert model.index(49, 0).data(DISPLAY) == "Person 049"
    assert report.pages_asked == 1
    assert model.index(449, 0).data(DISPLAY) == "Person 449"
    assert report.pages_asked == 2
    for row in (100, 150, 200, 250):
        model.index(row, 0).data(DISPLAY)
    assert len(model._pages) == 3
    assert model.index(449, 0).data(DISPLAY) == "Person 449"  # evicted, fetched again
    assert report.pages_asked == 7


def test_sort_asks_the_database(users):
    """A header sort re-queries in that order; -1 returns to the report's own order."""
    model = ReportTableModel(UsersReport(), page_size=50)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert (model.sort_key(), model.descending()) == ("display_name", True)
    assert model.index(0, 0).data(DISPLAY) == "Person 449"
    model.sort(-1)
    assert model.index(0, 0).data(DISPLAY) == "Person 000"


def test_a_new_filter_keeps_the_sort(users):
    """Replacing the report (a filter changed) resets the rows but keeps the chosen order."""
    model = ReportTableModel(UsersReport(), page_size=50)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.set_report(UsersReport("person 00"))
    assert model.rowCount() == 10
    assert model.index(0, 0).data(DISPLAY) == "Person 009"


def test_values_display_for_people_and_stay_raw_underneath(database):
    """Times show in local time, booleans as Yes/No, numbers right-aligned; UserRole is raw."""
    person = factories.user("Ada Lovelace")
    model = ReportTableModel(UsersReport())
    created = model.index(0, 4)
    assert created.data(RAW) == datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    assert created.data(DISPLAY) == factories.T0.astimezone().strftime("%Y-%m-%d %H:%M")
    assert model.index(0, 3).data(DISPLAY) == "Yes"
    assert model.index(0, 2).data(RAW) == len(person.display_name)
    assert model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_a_lost_database_is_reported_once_not_raised(users, qtbot, monkeypatch):
    """When a page query fails the model reports it once and shows no rows, without a traceback."""
    report = UsersReport()
    model = ReportTableModel(report, page_size=50)

    def lost(*args, **kwargs):
        raise peewee.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(report, "page", lost)
    with qtbot.waitSignal(model.query_failed) as failure:
        assert model.index(0, 0).data(DISPLAY) is None
    assert "Lost the connection" in failure.args[0]
    with qtbot.assertNotEmitted(model.query_failed):
        model.index(100, 0).data(DISPLAY)


def test_tree_model_groups_a_resource_from_two_packages(database, qtbot):
    """A resource role reached through two packages is a parent with one child per package."""
    people = tenant.build(assignees=0)
    model = ReportTreeModel(ResourceAssignmentsReport(people.ada))
    check_model(model)
    parents = {model.index(row, 0).data(DISPLAY): model.index(row, 0) for row in range(model.rowCount())}
    assert set(parents) == {"CRM users", "Travel portal"}
    crm = parents["CRM users"]
    assert model.rowCount(crm) == 2 and model.rowCount(parents["Travel portal"]) == 0
    packages = sorted(model.index(row, 3, crm).data(DISPLAY) for row in range(2))
    assert packages == ["Field sales", "Sales analytics"]
    assert model.parent(model.index(0, 0, crm)) == crm
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data(DISPLAY) == "Travel portal"
    assert model.parent(QModelIndex()) == QModelIndex()


def test_quick_filter_counts_what_it_shows(database):
    """A quick filter on the tenant-wide assignments counts the filtered rows, not all of them."""
    tenant.build(assignees=5)
    report = AssignmentsReport(None)
    assert report.count() == len(report.page(0, 1000)) == 7
    filtered = quick_filtered(report, "ada")
    assert filtered.count() == len(filtered.page(0, 1000)) == 2


def test_shown_audit_log_text_rows_keep_columns_sort_and_filter(database):
    """What is shown of the audit log exports as text rows from the report's own: the shown
    columns, in the shown sort, quick-filtered, with the time as Graph text."""
    build_tenant()
    report = quick_filtered(AuditLogReport(), "request")
    shown = ShownReport(report, ["activity", "date", "id"], "category", True)
    rows = list(shown.iterate())
    assert len(rows) > 1
    assert list(shown.graph_rows()) == [(activity, format_time(date), id) for activity, date, id in rows]
