"""Downloading a report: save dialog, background export with progress and Cancel, then an
offer to open the file or its folder. A file that cannot be written (no permission, held
open by Excel, folder gone) is a question the admin can answer: retry or choose another.
"""
import re
from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.errors import OutputError
from desktop.export import export
from desktop.permissions import why_not
from desktop.reports.base import Report
from ui.dialogs import messages
from ui.jobs import Job, JobContext, run_with_progress
from ui.operations import show_failure

# Format key (the file's extension) -> the save dialog's filter, Excel first as Entra does.
FORMATS = {
    "xlsx": "Excel workbook (*.xlsx)",
    "csv": "CSV UTF-8, comma separated (*.csv)",
    "json": "JSON, Microsoft Graph shape (*.json)",
}
# Characters Windows, macOS or Linux refuse in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

# write(report, path, format, context) writes the file (atomically) and returns the number of
# rows written; it raises OutputError when the file cannot be written and Cancelled when
# context.cancelled() turns true.
Writer = Callable[[Report, Path, str, JobContext], int]


def proposed_file_name(base_name: str, today: date | None = None) -> str:
    """`<base name> <yyyy-mm-dd>.xlsx`, safe on every desktop system."""
    safe = _UNSAFE.sub("-", base_name).strip(" .") or "Report"
    return f"{safe} {(today or date.today()).isoformat()}.xlsx"


def open_location(parent: QWidget | None, path: Path, noun: str) -> bool:
    """Open `path` with the desktop's application for it; where the desktop has none, say so
    and offer the path to paste elsewhere."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    answer = messages.choose(
        parent, f"Cannot open the {noun}", f"This desktop has no application set to open\n{path}\n\n"
        "Copy the path and open it from your file manager.", ["Copy path", "Close"],
        icon=messages.Icon.Warning, escape="Close")
    if answer == "Copy path":
        QGuiApplication.clipboard().setText(str(path))
    return False


class Downloader(QObject):
    """Runs downloads for every page; `actor` is the acting administrator."""

    # The saved file, or None when the admin cancelled or gave up: for tests and the status bar.
    finished = Signal(object)

    def __init__(self, database: str | None = None, write: Writer | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.actor = None
        self.database = database
        self._write = write or self.write_report
        self.job: Job | None = None

    def write_report(self, report: Report, path: Path, kind: str, context: JobContext) -> int:
        """The exporters of desktop/export, fed the job's progress and cancel."""
        result = export(path, report, format=kind, actor=self.actor, database=self.database,
                        progress=lambda done, total: context.progress(done, total), cancel=context.cancelled)
        return result.rows

    def download(self, parent: QWidget, report: Report, base_name: str) -> None:
        # A workbook grid needs the workbook roles, every other report the download role.
        reason = why_not(self.actor, report.download_action)
        if reason:
            messages.inform(parent, "Download", reason, icon=messages.Icon.Warning)
            self.finished.emit(None)
            return
        path = self.ask_path(parent, proposed_file_name(base_name))
        if path is None:
            self.finished.emit(None)
            return
        self._start(parent, report, path)

    def ask_path(self, parent: QWidget, file_name: str) -> Path | None:
        settings = QSettings()
        folder = settings.value("downloads/folder") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DownloadLocation)
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            parent, "Download", str(Path(folder) / file_name), ";;".join(FORMATS.values()), FORMATS["xlsx"])
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower().lstrip(".") not in FORMATS:
            # The extension follows the chosen file type when the admin did not type one.
            kind = next((key for key, label in FORMATS.items() if label == chosen_filter), "xlsx")
            path = path.with_name(f"{path.name}.{kind}")
        settings.setValue("downloads/folder", str(path.parent))
        return path

    def cancel_running(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()

    def _start(self, parent: QWidget, report: Report, path: Path) -> None:
        kind = path.suffix.lower().lstrip(".")
        write = self._write
        self.job = run_with_progress(parent, "Download", f"Writing {path.name}…",
                                     lambda context: write(report, path, kind, context))
        self.job.succeeded.connect(lambda rows: self._succeeded(parent, path, rows))
        self.job.failed.connect(lambda error: self._failed(parent, report, path, error))
        self.job.cancelled.connect(lambda: self.finished.emit(None))

    def _succeeded(self, parent: QWidget, path: Path, rows: int) -> None:
        self.finished.emit(path)
        answer = messages.choose(
            parent, "Download complete", f"Saved {rows:,} rows to\n{path}\n\nTimes in the file are in UTC, "
            "as Microsoft Entra writes them.", ["Open file", "Open folder", "Close"],
            icon=messages.Icon.Information, escape="Close")
        if answer == "Open file":
            open_location(parent, path, "file")
        elif answer == "Open folder":
            open_location(parent, path.parent, "folder")

    def _failed(self, parent: QWidget, report: Report, path: Path, error: BaseException) -> None:
        if isinstance(error, OutputError):
            answer = messages.choose(
                parent, "Cannot save the file", str(error), ["Retry", "Choose another file…", "Cancel"],
                icon=messages.Icon.Warning, escape="Cancel")
            if answer == "Retry":
                self._start(parent, report, path)
                return
            if answer == "Choose another file…":
                other = self.ask_path(parent, path.name)
                if other is not None:
                    self._start(parent, report, other)
                    return
            self.finished.emit(None)
            return
        self.finished.emit(None)
        show_failure(parent, "Download", error, retry=lambda: self._start(parent, report, path))
