"""Start-up (open, demo build, errors), the background worker and the crash dialog."""

import threading
import time
from datetime import datetime

import pytest
from PySide6.QtWidgets import QApplication

from desktop import demo_history
from desktop.errors import InvalidInput
from models import AccessPackage, AssignmentRequest, AuditEvent
from models.database import close_database
from models.streaming import streamed
from ui import app
from ui.dialogs import crash, messages
from ui.jobs import Job
from ui.main_window import MainWindow


@pytest.fixture
def informed(monkeypatch):
    shown = []
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **options: shown.append((title, text)))
    return shown


def test_a_database_that_cannot_open_is_a_dialog(tmp_path, informed):
    """--db on a file that is not a database: a dialog with the reason and exit code 2."""
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("hello, this is not SQLite")
    assert app.main(["--db", str(not_a_database)]) == app.EXIT_CANNOT_OPEN
    assert informed == [
        (
            "Cannot open the database",
            f"{not_a_database} is not an Entitlement Desk database (it is not an SQLite file).",
        )
    ]


def test_demo_is_built_in_the_background_then_opened(tmp_path, monkeypatch, qtbot):
    """--demo builds demo.db with its request history (renamed into place when complete) and
    opens the main window."""
    target = tmp_path / "demo.db"
    monkeypatch.setattr(app, "demo_database_path", lambda size: target)
    monkeypatch.setitem(demo_history.SIZES, "small", 60)  # a short history keeps the test quick
    startup = app.Startup(app.build_parser().parse_args(["--demo"]))
    with qtbot.waitSignal(startup.window_ready, timeout=60_000) as ready:
        startup.begin()
    window = ready.args[0]
    qtbot.addWidget(window)
    assert isinstance(window, MainWindow) and window.location.path == target
    assert not (tmp_path / "demo.db.partial").exists()
    assert AccessPackage.select().count() == 40
    assert AssignmentRequest.select().count() > 0
    close_database()


def test_a_cancelled_demo_build_leaves_no_file(tmp_path, monkeypatch, qtbot):
    """Cancel during the build: no demo.db, no partial file, exit code 1."""
    target = tmp_path / "demo.db"
    monkeypatch.setattr(app, "demo_database_path", lambda size: target)
    startup = app.Startup(app.build_parser().parse_args(["--demo"]))
    with qtbot.waitSignal(startup.gave_up, timeout=60_000) as gave_up:
        startup.begin()
        startup.job.cancel()
    assert gave_up.args == [app.EXIT_CANCELLED]
    assert list(tmp_path.iterdir()) == []


def test_job_reports_progress_and_result_on_the_ui_thread(qtbot):
    ui_thread = threading.current_thread()
    seen = []

    def work(context):
        for done in range(1, 4):
            context.progress(done, 3, "step")
        return threading.current_thread() is not ui_thread

    job = Job(work)
    job.progress.connect(lambda done, total, text: seen.append((done, total, threading.current_thread())))
    with qtbot.waitSignal(job.succeeded) as result:
        job.start()
    assert result.args == [True]  # the work ran on another thread
    assert seen[-1][:2] == (3, 3) and all(thread is ui_thread for *_, thread in seen)


def test_job_cancel_and_failure(qtbot):
    """Cancel ends a job with `cancelled`; an exception comes back as `failed`."""

    def slow(context):
        while True:
            context.raise_if_cancelled()
            time.sleep(0.01)

    job = Job(slow)
    with qtbot.waitSignals([job.cancelled, job.finished]):
        job.start()
        job.cancel()

    def broken(context):
        raise InvalidInput("bad input")

    failing = Job(broken)
    with qtbot.waitSignal(failing.failed) as failure:
        failing.start()
    assert str(failure.args[0]) == "bad input"


def test_a_job_failing_in_the_middle_of_a_read_still_ends(database, qtbot):
    """Work that fails while a database stream is half-read (on PostgreSQL it holds a
    transaction) still ends with `failed` and `finished`: the job ends the read on its own
    thread before it closes the connection."""
    AuditEvent.insert_many(
        [
            {
                "id": f"record-{n}",
                "activity_date_time": datetime(2026, 1, 5),
                "category": "Test",
                "activity_display_name": "Step",
            }
            for n in range(5000)
        ]
    ).execute()

    def fails_mid_read(context):
        rows = streamed(AuditEvent.select())
        next(rows)
        raise InvalidInput("the disk is full")

    job = Job(fails_mid_read)
    with qtbot.waitSignals([job.failed, job.finished], timeout=10_000):
        job.start()
    assert AuditEvent.select().count() == 5000


def test_crash_dialog_shows_details_to_copy(qtbot, monkeypatch, capsys):
    """An unexpected exception opens the crash dialog with the traceback, ready to copy."""
    shown = []
    monkeypatch.setattr(crash.CrashDialog, "exec", lambda dialog: shown.append(dialog))
    reporter = crash.CrashReporter()
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as error:
        reporter(type(error), error, error.__traceback__)
    dialog = shown[0]
    qtbot.addWidget(dialog)
    assert "ZeroDivisionError: boom" in dialog.details.toPlainText()
    dialog.copy_details()
    assert "ZeroDivisionError: boom" in QApplication.clipboard().text()
    assert "ZeroDivisionError: boom" in capsys.readouterr().err
