"""Writes off the UI thread, in Anki's shape: one call runs a core operation in the background
and says what it changed, so only the views that show those things read again.

    run_operation(parent, "Approve request", lambda: lifecycle.approve(...),
                  changes=Changes(request_ids=(request_id,)), on_success=dialog.accept)

Every write of the GUI (approve, deny, assign, remove, process, import) goes through here. The
writes queue on one writer thread of their own, so the app has one writer, as Anki does, and
the window keeps painting while the database waits for a lock. A failure is `show_failure`: a
problem the admin can act on (a refused step, a locked, full, read-only or lost database) is a
message, with Retry where trying again can help; anything else is a bug and the crash dialog.
"""

import sys
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from desktop.errors import DatabaseUnavailable, DeskError
from models.database import RECOVERABLE_ERRORS, explain_failure
from ui.dialogs import messages
from ui.jobs import Job, run_with_progress
from ui.request_events import request_events


@dataclass(frozen=True)
class Changes:
    """What an operation changed, for the views that show it."""

    requests: bool = False  # requests were created, decided or ended
    request_ids: tuple[str, ...] = ()  # which ones, when known (open timelines follow them)
    assignments: bool = False  # assignments granted or ended (and the resource roles behind them)
    audit: bool = False  # audit records written
    everything: bool = False  # an import: any table may have new rows

    def touches_requests(self) -> bool:
        return self.everything or self.requests or bool(self.request_ids)

    def touches_assignments(self) -> bool:
        return self.everything or self.assignments

    def touches_audit(self) -> bool:
        return self.everything or self.audit


# What each lifecycle write changes.
def decided(request_id: str) -> Changes:
    """An approval or denial: the request, the assignment it may deliver, the audit log."""
    return Changes(requests=True, request_ids=(request_id,), assignments=True, audit=True)


LIFECYCLE_CHANGES = Changes(requests=True, assignments=True, audit=True)
IMPORT_CHANGES = Changes(everything=True)


class OperationEvents(QObject):
    """Told after every operation that succeeded; views refresh what the changes touch."""

    changed = Signal(object)  # Changes


_events: OperationEvents | None = None
_writer: QThreadPool | None = None


def operation_events() -> OperationEvents:
    global _events
    if _events is None:
        _events = OperationEvents()
    return _events


def writer_pool() -> QThreadPool:
    """One thread for every write: operations run one after the other, in the order asked."""
    global _writer
    if _writer is None:
        _writer = QThreadPool(QCoreApplication.instance())
        _writer.setMaxThreadCount(1)
    return _writer


def wait_for_writes(milliseconds: int = -1) -> bool:
    """Block until every queued operation has finished (tests, shutdown)."""
    return writer_pool().waitForDone(milliseconds)


def run_operation(
    parent: QWidget | None,
    title: str,
    operation: Callable[..., Any],
    *,
    changes: Changes,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    progress: str | None = None,
) -> Job:
    """Run `operation()` on the writer thread and call `on_success(result)` on the UI thread,
    after the views that `changes` touches were told.

    With `progress` (a label) the operation shows a progress dialog with Cancel and is called
    as `operation(context)`, so it can report progress and notice a cancel; without, it is a
    quick write and the caller shows that it runs (a disabled button). A failure goes to
    `on_failure` when given (a dialog that stays open shows it itself), else to
    `show_failure`, whose Retry runs the operation again.
    """

    def retry() -> None:
        run_operation(
            parent, title, operation, changes=changes, on_success=on_success, on_failure=on_failure, progress=progress
        )

    if progress is not None:
        job = run_with_progress(parent, title, progress, operation, pool=writer_pool())
    else:
        job = Job(lambda _context: operation())
        job.start(writer_pool())
    # The write outlives whoever asked for it (a closed page), so the application owns the job.
    job.setParent(QCoreApplication.instance())
    job.finished.connect(job.deleteLater)

    def succeeded(result) -> None:
        operation_events().changed.emit(changes)
        for request_id in changes.request_ids:
            request_events().changed.emit(request_id)
        if on_success is not None:
            on_success(result)

    job.succeeded.connect(succeeded)
    job.failed.connect(
        on_failure if on_failure is not None else lambda error: show_failure(parent, title, error, retry=retry)
    )
    job.operation_title = title
    return job


def failure_message(error: BaseException) -> str | None:
    """The message the admin can act on for `error`, or None when it is a bug."""
    if isinstance(error, DeskError):
        return str(error)
    if isinstance(error, RECOVERABLE_ERRORS):
        return str(explain_failure(error))
    return None


def can_retry(error: BaseException) -> bool:
    """Trying again can help: the database was locked, full, read-only or out of reach."""
    retryable = getattr(error, "retryable", None)
    if retryable is not None:
        return bool(retryable)
    return isinstance(error, (DatabaseUnavailable, *RECOVERABLE_ERRORS))


def show_failure(
    parent: QWidget | None, title: str, error: BaseException, *, retry: Callable[[], None] | None = None
) -> None:
    """The one way the GUI shows a failed action: a message the admin can act on (with Retry
    where trying again can help and `retry` is given), or the crash dialog for a bug."""
    message = failure_message(error)
    if message is None:
        sys.excepthook(type(error), error, error.__traceback__)  # a bug: the crash dialog
        return
    if retry is not None and can_retry(error):
        if (
            messages.choose(parent, title, message, ["Retry", "Close"], icon=messages.Icon.Warning, escape="Close")
            == "Retry"
        ):
            retry()
        return
    messages.inform(parent, title, message, icon=messages.Icon.Warning)
