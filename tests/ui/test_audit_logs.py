"""The audit log page as an admin follows the seed's script: filter by category, Apply,
read a record's details, follow its request, download exactly the filtered set."""

import csv
import json
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QThreadPool, Qt
from PySide6.QtGui import QGuiApplication

from desktop.export.entra_layout import ENTRA_AUDIT_COLUMNS
from models import AuditEvent
from tests.helpers.factories import T0
from tests.helpers import requests_tenant
from ui.background import wait_for_reads
from ui.dialogs import download, messages
from ui.dialogs.download import Downloader
from ui.dialogs.request_timeline import RequestTimelineDialog
from ui.pages.audit_logs import AuditLogsPage
from ui.pages.base import PageContext


@pytest.fixture
def tenant(database):
    return requests_tenant.build()


@pytest.fixture
def page(tenant, qtbot):
    downloader = Downloader()
    downloader.actor = tenant.admin
    shown = AuditLogsPage(PageContext(actor=tenant.admin, downloader=downloader), clock=tenant.clock)
    qtbot.addWidget(shown)
    shown.resize(1400, 800)
    shown.show()
    qtbot.waitUntil(lambda: not shown.choices_loading())
    yield shown
    QThreadPool.globalInstance().waitForDone(5000)
    wait_for_reads(5000)


@pytest.fixture
def informed(monkeypatch):
    shown = []
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **options: shown.append((title, text)))
    return shown


def save_to(monkeypatch, path: Path) -> list:
    """The admin picks `path` in the save dialog and closes the "Download complete" box."""
    asked = []

    def save_dialog(parent, caption, proposed, filters, selected):
        asked.append((caption, Path(proposed).name, filters))
        return str(path), selected, False

    monkeypatch.setattr(download, "save_file_dialog", save_dialog)
    monkeypatch.setattr(messages, "choose", lambda *args, **kwargs: "Close")
    return asked


def count(category: str) -> int:
    return AuditEvent.select().where(AuditEvent.category == category).count()


def filter_category(page, category: str) -> None:
    page.category.setCurrentText(category)
    page.apply_button.click()


def test_filters_offer_the_categories_and_activities_present(page):
    """Category and Activity list what the log holds; nothing applies before Apply."""
    categories = [page.category.itemText(i) for i in range(page.category.count())]
    assert categories == ["All", "ApplicationManagement", "EntitlementManagement", "GroupManagement", "UserManagement"]
    activities = [page.activity.itemText(i) for i in range(page.activity.count())]
    assert activities[0] == "All"
    assert activities[1:] == sorted({event.activity_display_name for event in AuditEvent.select()})
    page.category.setCurrentText("UserManagement")
    page.activity.setCurrentText("Create request approval")
    assert page.view.model.rowCount() == AuditEvent.select().count()
    page.apply_button.click()
    assert page.view.model.rowCount() == 2


def test_filter_by_category_and_download_the_filtered_set_as_xlsx(page, qtbot, monkeypatch, tmp_path):
    """After Apply the table holds only that category; Download writes exactly those rows."""
    filter_category(page, "UserManagement")
    assert page.view.model.rowCount() == count("UserManagement") == 4
    assert {page.view.model.value(row, "category") for row in range(4)} == {"UserManagement"}
    target = tmp_path / "audit.xlsx"
    save_to(monkeypatch, target)
    with qtbot.waitSignal(page.context.downloader.finished, timeout=10_000) as done:
        page.view.download_button.click()
    assert done.args == [target]
    workbook = openpyxl.load_workbook(target, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    header, body = rows[0], rows[1:]
    assert len(body) == 4
    assert {row[header.index("Category")] for row in body} == {"UserManagement"}


def test_download_in_the_entra_layout_holds_the_filtered_set(page, qtbot, monkeypatch, tmp_path):
    """The Entra CSV has the admin center's 86 columns and only the filtered records."""
    filter_category(page, "EntitlementManagement")
    expected = count("EntitlementManagement")
    target = tmp_path / "entra"
    asked = save_to(monkeypatch, target)
    with qtbot.waitSignal(page.entra_downloader.finished, timeout=10_000) as done:
        page.entra_button.click()
    saved = tmp_path / "entra.csv"
    assert done.args == [saved]
    assert asked[0][1].endswith(".csv") and "Entra" in asked[0][2]
    with open(saved, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ENTRA_AUDIT_COLUMNS
    assert len(rows) - 1 == expected
    assert {row[rows[0].index("Category")] for row in rows[1:]} == {"EntitlementManagement"}


def test_download_as_json_is_graph_shaped(page, tenant, qtbot, monkeypatch, tmp_path):
    """A JSON download holds each filtered record's directoryAudit document."""
    page.correlation_id.setText(tenant.denied.id)
    page.apply_button.click()
    target = tmp_path / "audit.json"
    save_to(monkeypatch, target)
    with qtbot.waitSignal(page.context.downloader.finished, timeout=10_000):
        page.view.download_button.click()
    documents = json.loads(target.read_text(encoding="utf-8"))["value"]
    assert len(documents) == page.view.model.rowCount() == 4
    assert {document["correlationId"] for document in documents} == {tenant.denied.id}
    assert documents[0]["activityDisplayName"] == "Deny access package assignment request"


def test_details_show_the_selected_records_json_and_targets(page, qtbot):
    """Selecting a record shows its full JSON (copyable) and targets with modified properties."""
    filter_category(page, "ApplicationManagement")
    page.view.select_row(0)
    details = page.details
    document = json.loads(details.json_view.text())
    assert document["id"] == page.view.model.value(0, "id")
    assert document["activityDisplayName"] == "Remove app role assignment from user"
    cells = [
        [details.targets.item(row, column).text() for column in range(details.targets.columnCount())]
        for row in range(details.targets.rowCount())
    ]
    assert ["ServicePrincipal", "Payroll"] == cells[0][:2]
    assert any(row[4] == "AppRole.DisplayName" and row[6] == '"Reader"' for row in cells)
    details.json_view.copy_button.click()
    assert json.loads(QGuiApplication.clipboard().text()) == document
    assert not details.request_button.isEnabled()  # made outside entitlement management: no request


def test_access_package_filter_takes_a_name_or_says_it_is_unknown(page, tenant, informed):
    """A package filter naming no package says so and keeps the table as it was."""
    before = page.view.model.rowCount()
    page.access_package.setText("No such package")
    page.apply_button.click()
    assert informed and "No such package" in informed[0][1]
    assert page.view.model.rowCount() == before
    page.access_package.setText("sales analytics")
    page.apply_button.click()
    assert (
        page.view.model.rowCount()
        == AuditEvent.select().where(AuditEvent.access_package_id == tenant.approval_package.id).count()
        == 7
    )


def test_open_a_requests_timeline_from_an_audit_record(page, tenant, qtbot):
    """Double-clicking a record with a correlation ID opens its request's timeline."""
    page.correlation_id.setText(tenant.pending.id)
    page.apply_button.click()
    assert page.view.model.rowCount() == 3
    cell = page.view.view.visualRect(page.view.model.index(0, 0)).center()
    qtbot.mouseClick(
        page.view.view.viewport(), Qt.MouseButton.LeftButton, pos=cell
    )  # a real double-click's first press
    qtbot.mouseDClick(page.view.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    dialogs = page.findChildren(RequestTimelineDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.request_id == tenant.pending.id
    assert [step.activity for step in dialog.model.steps()] == [
        "User requests access package assignment",
        "Create request approval",
        "Add approver to request approval",
    ]
    assert "waiting for stage 1: Mona Manager (mona.manager@contoso.com)" in dialog.state_label.text()
    dialog.close()


def test_date_ranges_count_back_from_now_or_take_two_moments(page, tenant):
    """ "Last 24 hours" counts back from the clock; a custom range takes its two date-times."""
    page.date_range.select("Last 24 hours")
    page.apply_button.click()
    since = tenant.clock.now() - timedelta(hours=24)
    assert page.view.model.rowCount() == AuditEvent.select().where(AuditEvent.activity_date_time >= since).count() == 5
    assert page.date_range.since_edit.isHidden()
    page.date_range.set_custom(T0 + timedelta(minutes=30), T0 + timedelta(hours=2, minutes=30))
    assert not page.date_range.since_edit.isHidden()
    page.apply_button.click()
    assert {page.view.model.value(row, "correlation_id") for row in range(page.view.model.rowCount())} == {
        tenant.pending.id,
        tenant.denied.id,
    }
    assert page.view.model.rowCount() == 6


def test_an_empty_log_says_so_and_still_fills_its_filters(database, qtbot):
    """With no records the table explains what to do; the filter lists still load (empty)."""
    downloader = Downloader()
    page = AuditLogsPage(PageContext(actor=None, downloader=downloader))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.choices_loading())
    assert page.view.stack.currentWidget() is page.view.empty_label
    assert [page.category.itemText(i) for i in range(page.category.count())] == ["All"]
    wait_for_reads(5000)
