"""Writes run off the UI thread and say what they changed; one way to show a failure; the
progress dialog is gone before the result is shown."""

import sys
import sqlite3
import threading

import peewee
import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from desktop.errors import DatabaseUnavailable, Refused
from tests.helpers import requests_tenant as lifecycle_tenant
from ui.dialogs import messages
from ui.dialogs.decision import DecisionDialog
from ui.jobs import run_with_progress
from ui.operations import Changes, decided, operation_events, run_operation, show_failure, wait_for_writes
from ui.pages.base import PageContext
from ui.pages.requests import RequestsPage


@pytest.fixture
def tenant(database):
    return lifecycle_tenant.build()


@pytest.fixture
def asked(monkeypatch):
    """Every question and message, answered "Retry" once and then "Close"."""
    shown = []

    def choose(parent, title, text, choices, **options):
        shown.append((title, text, tuple(choices)))
        return "Retry" if sum(1 for entry in shown if "Retry" in entry[2]) == 1 else "Close"

    monkeypatch.setattr(messages, "choose", choose)
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **options: shown.append((title, text, ())))
    return shown


@pytest.fixture
def crashes(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, trace: seen.append(error))
    return seen


def test_a_decision_runs_on_the_writer_thread_while_the_window_paints(tenant, qtbot, monkeypatch):
    """While the controller waits (a lock held elsewhere), the UI thread keeps handling events,
    the button shows the decision is under way, and the dialog closes once it stands."""
    release = threading.Event()
    threads = []
    approve = tenant.lifecycle.approve

    def slow_approve(approver, request_id, justification=None):
        threads.append(threading.current_thread())
        release.wait(10)
        return approve(approver, request_id, justification)

    monkeypatch.setattr(tenant.lifecycle, "approve", slow_approve)
    told = []
    operation_events().changed.connect(told.append)
    dialog = DecisionDialog(tenant.lifecycle, tenant.manager, tenant.pending, True)
    qtbot.addWidget(dialog)
    dialog.justification.setPlainText("Works in sales")
    dialog.decide_button.click()
    ticks = []
    for _ in range(5):
        qtbot.wait(20)  # the event loop runs: nothing waits on the UI thread
        ticks.append(dialog.busy)
    assert ticks == [True] * 5 and not dialog.decide_button.isEnabled()
    assert threads and threads[0] is not threading.main_thread()
    release.set()
    qtbot.waitUntil(lambda: dialog.decided is not None, timeout=10_000)
    assert dialog.decided.state != "pendingApproval" or dialog.decided.current_stage == 2
    assert told == [decided(tenant.pending.id)]
    operation_events().changed.disconnect(told.append)


def test_a_locked_database_is_a_message_with_retry(tenant, qtbot, monkeypatch, asked, crashes):
    """The database stays locked past the wait: a clear message with Retry, never the crash
    dialog; Retry runs the decision again and it stands."""
    approve = tenant.lifecycle.approve
    attempts = []

    def locked_once(approver, request_id, justification=None):
        attempts.append(request_id)
        if len(attempts) == 1:
            raise DatabaseUnavailable(
                "tenant.db is locked by another program, for longer than the app waits. "
                "Nothing was changed; try again when the other program is done."
            )
        return approve(approver, request_id, justification)

    monkeypatch.setattr(tenant.lifecycle, "approve", locked_once)
    dialog = DecisionDialog(tenant.lifecycle, tenant.manager, tenant.pending, True)
    qtbot.addWidget(dialog)
    dialog.justification.setPlainText("ok")
    dialog.decide_button.click()
    qtbot.waitUntil(lambda: dialog.decided is not None, timeout=10_000)
    assert asked[0][0] == "Approve request" and "locked by another program" in asked[0][1]
    assert asked[0][2] == ("Retry", "Close")
    assert len(attempts) == 2 and crashes == []


def test_a_refusal_keeps_the_dialog_open_without_retry(tenant, qtbot, monkeypatch, asked, crashes):
    """A refused step is a message (no Retry: trying again cannot help) and the dialog stays."""

    def refuse(*_args, **_kwargs):
        raise Refused("The request was already decided.")

    monkeypatch.setattr(tenant.lifecycle, "deny", refuse)
    dialog = DecisionDialog(tenant.lifecycle, tenant.manager, tenant.pending, False)
    qtbot.addWidget(dialog)
    dialog.decide_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert asked == [("Deny request", "The request was already decided.", ())]
    assert dialog.decided is None and dialog.decide_button.isEnabled() and crashes == []


def _driver_failure(code: int, text: str) -> peewee.OperationalError:
    """A database error as peewee raises it: the driver's, with its result code, as the cause."""
    original = sqlite3.OperationalError(text)
    original.sqlite_errorcode = code
    wrapped = peewee.OperationalError(text)
    wrapped.__cause__ = original
    return wrapped


@pytest.mark.parametrize(
    "code, expected",
    [
        (5, "is locked by another program"),  # SQLITE_BUSY
        (13, "is full"),  # SQLITE_FULL
        (8, "is read-only"),  # SQLITE_READONLY
    ],
)
def test_show_failure_explains_raw_database_errors(database, asked, crashes, code, expected):
    """A database error that escaped the core still reads as what the admin can do about it."""
    retried = []
    show_failure(None, "Import", _driver_failure(code, "any text"), retry=lambda: retried.append(True))
    assert expected in asked[0][1] and asked[0][2] == ("Retry", "Close")
    assert retried == [True] and crashes == []


def test_show_failure_reports_a_bug_as_one(asked, crashes):
    """Anything that is not the admin's to fix goes to the crash dialog."""
    error = KeyError("oops")
    show_failure(None, "Approve request", error)
    assert crashes == [error] and asked == []


def test_only_the_pages_that_show_a_change_read_again(tenant, qtbot, monkeypatch):
    """After a decision the Requests page reads again; a change of audit records alone does not
    touch it; a page out of sight reads when shown again."""
    page = RequestsPage(PageContext(actor=tenant.manager, downloader=None), lifecycle=tenant.lifecycle)
    page.show()
    refreshes = []
    monkeypatch.setattr(page, "refresh_after_change", lambda: refreshes.append(True))
    operation_events().changed.emit(Changes(audit=True))
    assert refreshes == []
    operation_events().changed.emit(decided(tenant.pending.id))
    assert refreshes == [True]
    page.hide()
    operation_events().changed.emit(decided(tenant.pending.id))
    assert refreshes == [True]  # out of sight: read when shown again
    page.show()
    assert refreshes == [True, True]
    page.close()
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_the_progress_dialog_is_gone_before_the_result_shows(qtbot):
    """A long job's progress dialog closes before its result's handler runs, so it never covers
    (or blocks) the result box."""
    release = threading.Event()
    job = run_with_progress(None, "Download", "Writing…", lambda context: release.wait(10) and 42)
    dialog = job.progress_dialog
    dialog.show()
    seen = []
    job.succeeded.connect(lambda result: seen.append((result, dialog.isVisible())))
    release.set()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == [(42, False)]


def test_operations_queue_on_one_writer(database, qtbot):
    """Two operations asked at once run one after the other, in order, on the same thread."""
    order = []
    gate = threading.Event()

    def first():
        gate.wait(5)
        order.append(("first", threading.current_thread().name))

    run_operation(None, "First", first, changes=Changes())
    job = run_operation(
        None, "Second", lambda: order.append(("second", threading.current_thread().name)), changes=Changes()
    )
    gate.set()
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    wait_for_writes(5000)
    assert [name for name, _ in order] == ["first", "second"] and order[0][1] == order[1][1]
