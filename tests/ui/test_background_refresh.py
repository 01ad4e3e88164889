"""After a write, tables read their rows again on the reader thread: the UI thread never runs
the query, the rows on screen stay until the new ones arrive, and the answer to a read that a
newer one overtook is dropped."""

import threading

import pytest

from desktop.reports.base import Column
from desktop.reports.request_history import RequestHistoryReport
from desktop.reports.requests import RequestsReport
from tests.helpers import requests_tenant as lifecycle_tenant
from tests.helpers.list_report import ListReport
from ui.background import wait_for_reads
from ui.dialogs import messages
from ui.dialogs.request_timeline import RequestTimelineDialog
from ui.operations import decided, run_operation
from ui.pages.base import PageContext
from ui.pages.requests import RequestsPage
from ui.widgets.report_view import ReportView

COLUMNS = (Column("name", "Name"),)


@pytest.fixture
def tenant(database):
    return lifecycle_tenant.build()


@pytest.fixture
def queries(monkeypatch):
    """The thread every count and page of the requests reports ran on; a read on the reader
    thread waits while `held` is clear."""
    ran_on = []
    held = threading.Event()
    held.set()
    count, page = RequestsReport.count, RequestsReport.page

    def counted(report):
        ran_on.append(threading.current_thread())
        if threading.current_thread() is not threading.main_thread():
            held.wait(10)
        return count(report)

    def paged(report, *args, **kwargs):
        ran_on.append(threading.current_thread())
        return page(report, *args, **kwargs)

    monkeypatch.setattr(RequestsReport, "count", counted)
    monkeypatch.setattr(RequestsReport, "page", paged)
    yield ran_on, held
    held.set()  # a failed test leaves no read waiting


def test_after_a_decision_the_queue_is_read_off_the_ui_thread(tenant, queries, qtbot):
    """The approver's queue shows the request until the read after the approval arrives; the
    UI thread runs no count or page query for it."""
    ran_on, held = queries
    page = RequestsPage(PageContext(actor=tenant.manager, downloader=None), lifecycle=tenant.lifecycle)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    queue = page.pending_view
    assert queue.model.value(0, "id") == tenant.pending.id
    ran_on.clear()
    held.clear()  # the reader thread's read waits: the window must not
    decided_requests = []
    run_operation(
        None,
        "Approve request",
        lambda: tenant.lifecycle.approve(tenant.manager, tenant.pending.id, "Fine"),
        changes=decided(tenant.pending.id),
        on_success=decided_requests.append,
    )
    qtbot.waitUntil(lambda: decided_requests != [] and ran_on != [], timeout=5000)
    qtbot.wait(50)  # events the window handles while the read waits
    assert queue.row_count() == 1 and queue.model.value(0, "id") == tenant.pending.id  # the old rows stay
    held.set()
    qtbot.waitUntil(lambda: queue.row_count() == 0, timeout=5000)
    assert threading.main_thread() not in ran_on
    assert queue.stack.currentWidget() is queue.empty_label
    assert page.current_status() == "0 requests waiting for you"


def test_a_page_out_of_sight_reads_in_the_background_when_shown(tenant, queries, qtbot):
    ran_on, _held = queries
    page = RequestsPage(PageContext(actor=tenant.manager, downloader=None), lifecycle=tenant.lifecycle)
    qtbot.addWidget(page)
    page.show()
    page.hide()
    done = []
    run_operation(
        None,
        "Approve request",
        lambda: tenant.lifecycle.approve(tenant.manager, tenant.pending.id, "Fine"),
        changes=decided(tenant.pending.id),
        on_success=done.append,
    )
    qtbot.waitUntil(lambda: done != [], timeout=5000)
    ran_on.clear()
    page.show()
    assert page.pending_view.row_count() == 1  # the rows it had, until the read arrives
    qtbot.waitUntil(lambda: page.pending_view.row_count() == 0, timeout=5000)
    assert ran_on and threading.main_thread() not in ran_on


class HeldReport(ListReport):
    """Rows in memory whose count waits on the reader thread until `release` is set."""

    def __init__(self, names, release: threading.Event):
        super().__init__("Names", COLUMNS, [(name,) for name in names])
        self.release = release

    def count(self):
        if threading.current_thread() is not threading.main_thread():
            self.release.wait(10)
        return super().count()


def test_an_older_read_that_a_newer_one_overtook_is_dropped(qtbot):
    view = ReportView("stale-read", noun=("name", "names"))
    qtbot.addWidget(view)
    first, second = threading.Event(), threading.Event()
    reports = iter([ListReport("Names", COLUMNS, [("Ada",)]), HeldReport(["Old"], first), HeldReport(["New"], second)])
    view.set_source(lambda: next(reports))
    assert view.model.value(0, "name") == "Ada"
    view.refresh()  # reads "Old", held
    view.refresh()  # reads "New", held behind it
    resets = []
    view.model.modelReset.connect(lambda: resets.append(view.model.value(0, "name")))
    first.set()
    qtbot.wait(50)
    assert view.model.value(0, "name") == "Ada"  # the older answer came and was dropped
    second.set()
    qtbot.waitUntil(lambda: resets == ["New"], timeout=5000)


def test_a_read_overtaken_by_a_filter_is_dropped(qtbot):
    """The admin types in the quick filter while a read runs: the filtered rows stand."""
    view = ReportView("stale-filter", noun=("name", "names"))
    qtbot.addWidget(view)
    release = threading.Event()
    reports = iter(
        [ListReport("Names", COLUMNS, [("Ada",), ("Grace",)]), HeldReport(["Ada", "Grace", "Linus"], release)]
    )
    view.set_source(lambda: next(reports))
    view.refresh()
    view.filter_edit.setText("gr")
    view.apply_filter()
    shown = [view.model.value(row, "name") for row in range(view.row_count())]
    resets = []
    view.model.modelReset.connect(lambda: resets.append(True))
    release.set()
    wait_for_reads(5000)
    qtbot.wait(50)
    assert resets == [] and [view.model.value(row, "name") for row in range(view.row_count())] == shown


def test_an_open_timeline_reads_a_decision_off_the_ui_thread(tenant, qtbot, monkeypatch):
    """The request's timeline follows a decision made in the app from the reader thread."""
    dialog = RequestTimelineDialog(tenant.pending.id, tenant.admin, tenant.lifecycle)  # stage 2's approver
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.approve_button.isVisible()
    read_on = []
    state = RequestHistoryReport.state
    monkeypatch.setattr(
        RequestHistoryReport, "state", lambda report: (read_on.append(threading.current_thread()), state(report))[1]
    )
    run_operation(
        None,
        "Approve request",
        lambda: tenant.lifecycle.approve(tenant.manager, tenant.pending.id, "Fine"),
        changes=decided(tenant.pending.id),
    )
    qtbot.waitUntil(dialog.approve_button.isVisible, timeout=5000)
    assert "waiting for stage 2" in dialog.state_label.text()
    assert read_on and threading.main_thread() not in read_on


def test_removing_an_assignment_looks_nothing_up_on_the_ui_thread_after_it(tenant, qtbot, monkeypatch):
    """Once the removal stands, the tables read again in the background and the buttons follow
    them: no lookup of the removed assignment on the UI thread in between."""
    page = RequestsPage(PageContext(actor=tenant.admin, downloader=None), lifecycle=tenant.lifecycle)
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentWidget(page.requests_view)
    view = page.requests_view
    view.select_row([view.model.value(row, "id") for row in range(view.row_count())].index(tenant.delivered.id))
    assert page.remove_button.isEnabled()
    monkeypatch.setattr(messages, "choose", lambda *args, **kwargs: "Remove")
    looked_up = []
    removable = tenant.lifecycle.removable_assignment
    monkeypatch.setattr(
        tenant.lifecycle,
        "removable_assignment",
        lambda request_id: (looked_up.append(request_id), removable(request_id))[1],
    )
    page.remove_button.click()
    assert looked_up == [tenant.delivered.id]  # the click looks the assignment up before the write
    looked_up.clear()
    qtbot.waitUntil(lambda: view.model.value(0, "type") == "adminRemove", timeout=5000)
    assert looked_up == [] and not page.remove_button.isEnabled()
