"""Downloading a report: save dialog, background export with progress and Cancel, then an
offer to open the file or its folder. A file that cannot be written (no permission, held
open by Excel, folder gone) is a question the admin can answer: retry or choose another.
The save dialog's "Raw CSV cells" check box turns off the protection against formula
injection for that one CSV file.
"""

import re
from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QCheckBox, QDialog, QFileDialog, QWidget

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


RAW_CSV_TEXT = "Raw CSV cells (do not protect text starting with = + - @ from running as a formula)"


def save_file_dialog(
    parent: QWidget, caption: str, proposed: str, filters: str, selected: str
) -> tuple[str, str, bool]:
    """Ask where to save: (path or "" when cancelled, the chosen filter, raw CSV cells?)."""
    dialog = QFileDialog(parent, caption, proposed, filters)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    # A native dialog takes no widget of ours: Qt's own shows the check box on every system.
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.selectNameFilter(selected)
    dialog.selectFile(Path(proposed).name)
    raw = QCheckBox(RAW_CSV_TEXT, dialog)
    raw.setObjectName("rawCsv")
    layout = dialog.layout()
    layout.addWidget(raw, layout.rowCount(), 0, 1, layout.columnCount())

    def follow_filter(name: str) -> None:
        raw.setEnabled("*.csv" in name)
        if not raw.isEnabled():
            raw.setChecked(False)

    dialog.filterSelected.connect(follow_filter)
    follow_filter(selected)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return "", selected, False
    return dialog.selectedFiles()[0], dialog.selectedNameFilter(), raw.isChecked()


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
        parent,
        f"Cannot open the {noun}",
        f"This desktop has no application set to open\n{path}\n\nCopy the path and open it from your file manager.",
        ["Copy path", "Close"],
        icon=messages.Icon.Warning,
        escape="Close",
    )
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
        # The admin's choice in the last save dialog: CSV cells as they are, unprotected.
        self.csv_raw = False
        self._write = write or self.write_report
        self.job: Job | None = None

    def write_report(self, report: Report, path: Path, kind: str, context: JobContext) -> int:
        """The exporters of desktop/export, fed the job's progress and cancel."""
        result = export(
            path,
            report,
            format=kind,
            actor=self.actor,
            database=self.database,
            csv_raw=self.csv_raw,
            progress=lambda done, total: context.progress(done, total),
            cancel=context.cancelled,
        )
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
            QStandardPaths.StandardLocation.DownloadLocation
        )
        chosen, chosen_filter, self.csv_raw = save_file_dialog(
            parent, "Download", str(Path(folder) / file_name), ";;".join(FORMATS.values()), FORMATS["xlsx"]
        )
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
        self.job = run_with_progress(
            parent, "Download", f"Writing {path.name}…", lambda context: write(report, path, kind, context)
        )
        self.job.succeeded.connect(lambda rows: self._succeeded(parent, path, rows))
        self.job.failed.connect(lambda error: self._failed(parent, report, path, error))
        self.job.cancelled.connect(lambda: self.finished.emit(None))

    def _succeeded(self, parent: QWidget, path: Path, rows: int) -> None:
        self.finished.emit(path)
        answer = messages.choose(
            parent,
            "Download complete",
            f"Saved {rows:,} rows to\n{path}\n\nTimes in the file are in UTC, as Microsoft Entra writes them.",
            ["Open file", "Open folder", "Close"],
            icon=messages.Icon.Information,
            escape="Close",
        )
        if answer == "Open file":
            open_location(parent, path, "file")
        elif answer == "Open folder":
            open_location(parent, path.parent, "folder")

    def _failed(self, parent: QWidget, report: Report, path: Path, error: BaseException) -> None:
        if isinstance(error, OutputError):
            answer = messages.choose(
                parent,
                "Cannot save the file",
                str(error),
                ["Retry", "Choose another file…", "Cancel"],
                icon=messages.Icon.Warning,
                escape="Cancel",
            )
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
