"""Building the demo tenant into its own file, in the background with progress and Cancel:
for `--demo` at start-up and for the welcome page's "Open the demo tenant".

Built under another name and renamed when complete: a cancelled or failed build never
leaves a half tenant where the next start would open it. The build binds the models to the
file it fills; whoever asked opens the finished file (or the previous database) afterwards.
"""

import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.demo import build_demo
from desktop.errors import DeskError
from models.database import close_database, default_database_path, open_database
from ui.jobs import JobContext, run_with_progress


def demo_database_path(size: str) -> Path:
    name = "demo.db" if size == "small" else f"demo-{size}.db"
    return default_database_path().with_name(name)


def remove_database_files(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


class DemoBuild(QObject):
    """One build; exactly one of `built(path)`, `cancelled()` or `failed(error)` follows `start()`."""

    built = Signal(object)  # the finished file's Path
    cancelled = Signal()
    failed = Signal(object)  # the exception: a DeskError to show, anything else a bug

    def __init__(self, target: Path, size: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.target = target
        self.size = size
        self.partial = target.with_name(target.name + ".partial")
        self.job = None

    def start(self) -> None:
        remove_database_files(self.partial)
        try:
            open_database(self.partial)
        except DeskError as error:
            self.failed.emit(error)
            return
        size = self.size

        def work(context: JobContext) -> None:
            build_demo(
                size,
                progress=lambda phase, done, total: context.progress(done, total, phase),
                cancelled=context.cancelled,
            )

        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        self.job = run_with_progress(parent, "Entitlement Desk", f"Building the {size} demo tenant…", work)
        self.job.succeeded.connect(self._succeeded)
        self.job.cancelled.connect(self._cancelled)
        self.job.failed.connect(self._failed)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _succeeded(self, _result) -> None:
        close_database()
        os.replace(self.partial, self.target)
        remove_database_files(self.partial)
        self.built.emit(self.target)

    def _cancelled(self) -> None:
        close_database()
        remove_database_files(self.partial)
        self.cancelled.emit()

    def _failed(self, error: BaseException) -> None:
        close_database()
        remove_database_files(self.partial)
        self.failed.emit(error)
