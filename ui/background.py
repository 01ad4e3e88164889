"""Quick reads off the UI thread (drop-down choices, chart counts): no progress dialog, the
result handed back on the UI thread.

They queue on one reader thread of their own: one read at a time keeps one more database
connection (and its page cache, up to 64 MiB on SQLite) in memory, not one per pool thread,
and answers come back in the order they were asked."""

import sys
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QThreadPool

from desktop.errors import DeskError
from models.database import READ_ERRORS
from ui.jobs import Job


_readers: QThreadPool | None = None


def reader_pool() -> QThreadPool:
    global _readers
    if _readers is None:
        _readers = QThreadPool(QCoreApplication.instance())  # waited for when the application ends
        _readers.setMaxThreadCount(1)
    return _readers


def wait_for_reads(milliseconds: int = -1) -> bool:
    """Block until every queued read has finished (tests, shutdown)."""
    return reader_pool().waitForDone(milliseconds)


def read_in_background(read: Callable[[], Any], done: Callable[[Any], None]) -> Job:
    """Run `read()` on the reader thread and call `done(result)` on the UI thread.

    The job belongs to the application, not to the page that asked, so a page closed while
    its read runs leaves no half-deleted job behind; pass a bound method of a QObject as
    `done` and Qt drops the call once that object is gone. A newer question may have been
    asked by the time an answer arrives: `done` compares what it gets with what is current.
    """
    job = Job(lambda _context: read(), QCoreApplication.instance())
    job.succeeded.connect(done)
    job.failed.connect(_report_failure)
    job.finished.connect(job.deleteLater)
    job.start(reader_pool())
    return job


def _report_failure(error: BaseException) -> None:
    if isinstance(error, (DeskError, *READ_ERRORS)):
        return  # the table beside it reads the same database and says what is wrong
    sys.excepthook(type(error), error, error.__traceback__)  # a bug: the crash dialog
