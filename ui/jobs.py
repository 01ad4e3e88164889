"""The one background worker: long work (export, demo build, import) runs off the UI thread.

A job is a plain function `work(context)` from `desktop/`-level code. It runs on a
QThreadPool thread; it reports progress and checks for cancellation through the
`JobContext`. Its outcome comes back as signals on the UI thread: `succeeded(result)`,
`failed(exception)` or `cancelled()`, then always `finished()`.

Each pool thread opens its own peewee connection on first use; the job closes it when it
ends, so no connection outlives its work (and SQLite's WAL files can be checkpointed).
"""

import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThreadPool, QRunnable, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.errors import Cancelled
from models import db

# Progress from a tight loop is thinned to this interval so the UI's event queue stays short.
PROGRESS_INTERVAL_SECONDS = 0.05


class JobContext:
    """What a running job sees: report progress, ask whether the user cancelled."""

    def __init__(self, relay: "_Relay", cancel_event: threading.Event):
        self._relay = relay
        self._cancel_event = cancel_event
        self._last_emit = 0.0

    def progress(self, done: int, total: int | None = None, text: str = "") -> None:
        now = time.monotonic()
        finished_step = total is not None and done >= total
        if finished_step or now - self._last_emit >= PROGRESS_INTERVAL_SECONDS:
            self._last_emit = now
            self._relay.progress.emit(int(done), -1 if total is None else int(total), text)

    def cancelled(self) -> bool:
        return self._cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel_event.is_set():
            raise Cancelled("Cancelled.")


class _Relay(QObject):
    """Lives on the UI thread; the worker emits on it and Qt queues the calls across."""

    progress = Signal(int, int, str)
    outcome = Signal(str, object)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[JobContext], Any], context: JobContext, relay: _Relay):
        super().__init__()
        self.setAutoDelete(True)
        self._work = work
        self._context = context
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work(self._context)
        except Cancelled:
            outcome = ("cancelled", None)
        except BaseException as error:  # handed to the UI thread, which decides what it means
            outcome = ("failed", error)
            # The traceback keeps the work's locals alive; a half-read database stream among
            # them holds a transaction (on PostgreSQL), which must end here, on this thread.
            traceback.clear_frames(error.__traceback__)
        else:
            outcome = ("cancelled", None) if self._context.cancelled() else ("succeeded", result)
        # Closed before the outcome is told: the UI thread may move or delete the file next.
        if db.obj is not None and not db.is_closed():
            db.close()
        self._relay.outcome.emit(*outcome)


class Job(QObject):
    """One piece of background work; start it once."""

    progress = Signal(int, int, str)  # done, total (-1 when unknown), text
    # Just before the outcome: a progress dialog closes here, so it never covers the result.
    ending = Signal()
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, work: Callable[[JobContext], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._cancel_event = threading.Event()
        self._relay = _Relay(self)
        self._relay.progress.connect(self.progress, Qt.ConnectionType.QueuedConnection)
        self._relay.outcome.connect(self._on_outcome, Qt.ConnectionType.QueuedConnection)
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self, pool: QThreadPool | None = None) -> None:
        if self._running:
            raise RuntimeError("A job runs once at a time.")
        self._running = True
        context = JobContext(self._relay, self._cancel_event)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self._work, context, self._relay))

    def cancel(self) -> None:
        self._cancel_event.set()

    @Slot(str, object)
    def _on_outcome(self, kind: str, value) -> None:
        self._running = False
        self.ending.emit()
        if kind == "succeeded":
            self.succeeded.emit(value)
        elif kind == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()


def run_with_progress(
    parent: QWidget | None, title: str, label: str, work: Callable[[JobContext], Any], pool: QThreadPool | None = None
) -> Job:
    """Start `work` in the background behind a window-modal progress dialog with Cancel.

    The caller connects to the returned job's outcome signals; the dialog closes itself.
    """
    job = Job(work, parent)
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)  # a quick job finishes before the dialog would flash
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    dialog.setValue(0)
    job.progress_dialog = dialog

    def on_progress(done: int, total: int, text: str) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(text)

    def on_cancel_clicked() -> None:
        dialog.setLabelText("Cancelling…")
        job.cancel()

    def on_ending() -> None:
        dialog.canceled.disconnect(on_cancel_clicked)
        dialog.close()
        dialog.deleteLater()

    job.progress.connect(on_progress)
    dialog.canceled.connect(on_cancel_clicked)
    job.ending.connect(on_ending)
    job.start(pool)
    return job
