"""What the screens say: a correlation ID found by its first characters and empty tables
that name what was filtered; the workbook asks for a package before saying nothing happened;
the status bar counts on a first visit; "Open file" that no application handles says so."""

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from PySide6.QtGui import QDesktopServices, QGuiApplication

from desktop.errors import InvalidInput
from desktop.reports.audit import AuditLogReport
from tests.helpers import requests_tenant as lifecycle_tenant
from ui.background import wait_for_reads
from ui.dialogs import download, messages
from ui.dialogs.download import Downloader
from ui.main_window import MainWindow
from ui.navigation import NAVIGATION
from ui.pages.audit_logs import AuditLogsPage
from ui.pages.base import PageContext
from ui.pages.workbooks import WorkbooksPage


@pytest.fixture
def tenant(database):
    return lifecycle_tenant.build()


@pytest.fixture
def audit_page(tenant, qtbot):
    downloader = Downloader()
    downloader.actor = tenant.admin
    page = AuditLogsPage(PageContext(actor=tenant.admin, downloader=downloader), clock=tenant.clock)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.choices_loading())
    yield page
    wait_for_reads(5000)


def test_a_correlation_id_prefix_finds_its_request(tenant, audit_page):
    """The README's "7f3c…" habit: four or more first characters (any case, with or without
    an ellipsis) find the request's records."""
    prefix = tenant.denied.id[:6].upper() + "…"
    audit_page.correlation_id.setText(prefix)
    audit_page.apply()
    view = audit_page.view
    found = {view.model.value(row, "correlation_id") for row in range(view.model.rowCount())}
    assert tenant.denied.id in found and all(value.startswith(tenant.denied.id[:6]) for value in found)


def test_a_correlation_id_of_three_characters_is_refused(tenant):
    with pytest.raises(InvalidInput, match="at least 4 characters"):
        AuditLogReport(correlation_id="7f3", actor=tenant.admin)


def test_an_empty_result_names_what_was_filtered(audit_page):
    """No match: the hint names the filter that left nothing, not "Widen the date range"."""
    audit_page.correlation_id.setText("ffff0000")
    audit_page.apply()
    text = audit_page.view.empty_label.text()
    assert audit_page.view.stack.currentWidget() is audit_page.view.empty_label
    assert "Correlation ID (starts with): ffff0000" in text and "Widen the date range" not in text
    assert "Reset clears them all" in text


@pytest.fixture
def workbooks(tenant, qtbot):
    downloader = Downloader()
    downloader.actor = tenant.reader
    page = WorkbooksPage(PageContext(actor=tenant.reader, downloader=downloader), clock=tenant.clock)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.loading())
    yield page
    QThreadPool.globalInstance().waitForDone(5000)
    wait_for_reads(5000)


def test_the_workbook_asks_for_a_package_first(workbooks, qtbot):
    """Packages with activity are listed but none is chosen: the chart asks for one."""
    workbook = workbooks.package_activity
    workbook.time_range.setCurrentIndex(workbook.time_range.findData("all"))
    qtbot.waitUntil(lambda: not workbooks.loading())
    assert workbook.chooser.count() > 0 and workbook.chooser.currentIndex() == -1
    assert workbook.chart.chart.title() == "Pick an access package"


def test_the_status_bar_counts_on_the_first_visit(database, tenant, qtbot):
    """Audit logs and Requests put their count in the status bar the first time they are opened."""
    window = MainWindow(database, actor=tenant.admin)
    window.show()
    titles = [entry.title for entry in NAVIGATION]
    try:
        for title, noun in (("Audit logs", "records"), ("Requests", "waiting for you")):
            window.navigation.setCurrentRow(titles.index(title))
            qtbot.waitUntil(lambda noun=noun: noun in window.row_status.text(), timeout=5_000)
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_open_file_without_a_handler_says_so_and_offers_the_path(monkeypatch):
    """No application opens .xlsx here: a message (not silence) and the path on the clipboard."""
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    asked = []
    monkeypatch.setattr(
        messages, "choose", lambda parent, title, text, choices, **kw: asked.append((title, choices)) or "Copy path"
    )
    path = Path("/tmp/Audit logs 2026-03-02.xlsx")
    assert download.open_location(None, path, "file") is False
    assert asked == [("Cannot open the file", ["Copy path", "Close"])]
    assert QGuiApplication.clipboard().text() == str(path)
