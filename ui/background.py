"""Quick reads off the UI thread (drop-down choices, chart counts): no progress dialog, the
result handed back on the UI thread."""
import sys
from typing import Any, Callable

import peewee
from PySide6.QtCore import QCoreApplication

from desktop.errors import DeskError
from ui.jobs import Job


def read_in_background(read: Callable[[], Any], done: Callable[[Any], None]) -> Job:
    """Run `read()` on a pool thread and call `done(result)` on the UI thread.

    The job belongs to the application, not to the page that asked, so a page closed while
    its read runs leaves no half-deleted job behind; pass a bound method of a QObject as
    `done` and Qt drops the call once that object is gone. Results may arrive out of order:
    `done` compares what it gets with what is current.
    """
    job = Job(lambda _context: read(), QCoreApplication.instance())
    job.succeeded.connect(done)
    job.failed.connect(_report_failure)
    job.finished.connect(job.deleteLater)
    job.start()
    return job


def _report_failure(error: BaseException) -> None:
    if isinstance(error, (DeskError, peewee.DatabaseError)):
        return  # the table beside it reads the same database and says what is wrong
    sys.excepthook(type(error), error, error.__traceback__)  # a bug: the crash dialog
