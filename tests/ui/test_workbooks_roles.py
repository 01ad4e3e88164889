"""Which acting administrators the Audit logs, Workbooks and Requests pages open for."""

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from PySide6.QtWidgets import QWidget

from desktop.permissions import REPORTS_READER
from desktop.reports.audit import AuditLogReport
from desktop.reports.package_activity import PackageActivityReport
from tests.helpers import factories
from tests.helpers import requests_tenant
from ui.dialogs import messages
from ui.dialogs.download import Downloader
from ui.background import wait_for_reads
from ui.main_window import MainWindow
from ui.navigation import NAVIGATION
from ui.pages.audit_logs import AuditLogsPage
from ui.pages.base import NoticePage
from ui.pages.requests import RequestsPage
from ui.pages.workbooks import WorkbooksPage

TITLES = [entry.title for entry in NAVIGATION]


@pytest.fixture
def tenant(database):
    return requests_tenant.build()


@pytest.fixture
def pages_for(database):
    windows = []

    def open_pages(actor) -> dict:
        window = MainWindow(database, actor=actor)
        windows.append(window)
        return {title: window.page(TITLES.index(title)) for title in ("Audit logs", "Workbooks", "Requests")}

    yield open_pages
    QThreadPool.globalInstance().waitForDone(5000)
    wait_for_reads(5000)
    # Gone before the next test's database: the Requests page listens to every request change.
    for window in windows:
        window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_reports_reader_sees_workbooks_but_not_requests(tenant, pages_for, qtbot):
    """With a Reports Reader acting, Workbooks opens; Audit logs says why not; Requests shows
    only their own approval queue and says why every request is not theirs to see."""
    pages = pages_for(tenant.reader)
    assert isinstance(pages["Workbooks"], WorkbooksPage)
    qtbot.waitUntil(lambda: not pages["Workbooks"].loading())
    assert isinstance(pages["Audit logs"], NoticePage)
    assert "Reese Reader cannot view audit logs" in pages["Audit logs"].text_label.text()
    requests = pages["Requests"]
    assert requests.tabs.widget(1) is not requests.requests_view
    assert "Reese Reader cannot manage requests and assignments" in requests.tabs.widget(1).text()


def test_an_identity_governance_administrator_gets_audit_logs_and_requests(tenant, pages_for):
    """The governance role opens Audit logs and Requests; Workbooks needs a monitoring role."""
    pages = pages_for(tenant.admin)
    assert isinstance(pages["Audit logs"], AuditLogsPage)
    assert isinstance(pages["Requests"], RequestsPage)
    assert isinstance(pages["Workbooks"], NoticePage)
    assert "Miriam Graham cannot view workbooks" in pages["Workbooks"].text_label.text()


def test_a_reports_reader_may_download_a_workbook_grid_but_not_the_audit_log(database, qtbot, monkeypatch):
    """The download flow checks the report's own role: workbook grids need a workbook role."""
    reader = factories.user("Nestor Wilson")
    factories.grant_role(reader, REPORTS_READER)
    downloader = Downloader()
    downloader.actor = reader
    parent = QWidget()
    qtbot.addWidget(parent)
    asked, refused = [], []
    monkeypatch.setattr(downloader, "ask_path", lambda *args: asked.append(args) or None)
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **kw: refused.append(text))
    downloader.download(parent, PackageActivityReport(None), "Access package activity")
    downloader.download(parent, AuditLogReport(), "Audit log")
    assert len(asked) == 1
    assert len(refused) == 1 and "Identity Governance Administrator" in refused[0]
