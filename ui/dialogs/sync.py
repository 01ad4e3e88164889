"""File → Sync now (progress per kind with the records so far, Cancel) and File → Sync history."""

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.graph.connection import GraphSession
from desktop.graph.sync import WRITING, Sync, SyncOutcome, history
from ui.jobs import Job, JobContext

HISTORY_COLUMNS = ("Started (UTC)", "Finished (UTC)", "Result", "Mode", "Signed in", "Endpoint", "Fetched", "Message")


class SyncDialog(QDialog):
    """Shows a running sync: one line per kind with its records so far, and Cancel."""

    def __init__(self, parent: QWidget | None, kinds: list[str]):
        super().__init__(parent)
        self.setWindowTitle("Sync with Microsoft Entra")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self.heading = QLabel("Fetching the tenant from Microsoft Graph…")
        layout.addWidget(self.heading)
        self.rows: dict[str, QLabel] = {}
        for kind in kinds:
            label = QLabel(f"{kind}: waiting")
            label.setObjectName(f"sync-{kind}")
            self.rows[kind] = label
            layout.addWidget(label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # Graph does not say how many records are coming
        self.bar.setAccessibleName("Sync progress")
        layout.addWidget(self.bar)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(self.buttons)

    def show_progress(self, kind: str, done: int, total: int) -> None:
        if kind == WRITING:
            self.heading.setText("Writing to the database…")
            if total > 0:
                self.bar.setRange(0, total)
                self.bar.setValue(min(done, total))
            return
        label = self.rows.get(kind)
        if label is not None:
            label.setText(f"{kind}: {done:,} records")


def start_sync(parent: QWidget, session: GraphSession, kinds: list[str]) -> tuple[Job, SyncDialog]:
    """Run a sync off the UI thread behind a SyncDialog; the caller connects to the job's outcome."""
    dialog = SyncDialog(parent, kinds)
    client = session.client()
    settings = session.settings
    running = Sync(client, cloud=settings.cloud.name, client_id=settings.client_id)

    def work(context: JobContext) -> SyncOutcome:
        last = {"kind": None, "records": 0}

        def progress(kind: str, records: int, total: int) -> None:
            if kind == WRITING:
                context.progress(records, total, kind)
                return
            if last["kind"] not in (None, kind):
                # A kind's final count is always shown, even when it fell between two updates.
                context.progress(last["records"], last["records"], last["kind"])
            last.update(kind=kind, records=records)
            context.progress(records, None, kind)

        running.progress = progress
        with client:
            return running.run()

    job = Job(work, parent)
    job.progress.connect(lambda done, total, kind: dialog.show_progress(kind, done, total))

    def cancel() -> None:
        dialog.heading.setText("Cancelling: nothing will be written…")
        dialog.buttons.setEnabled(False)
        running.cancel()
        job.cancel()

    dialog.buttons.rejected.connect(cancel)
    dialog.rejected.connect(cancel)
    job.finished.connect(dialog.accept)
    job.finished.connect(dialog.deleteLater)
    dialog.show()
    job.start()
    return job, dialog


class SyncHistoryDialog(QDialog):
    """Every sync of this database, newest first."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("Sync history")
        self.resize(1000, 420)
        layout = QVBoxLayout(self)
        runs = history()
        self.table = QTableWidget(len(runs), len(HISTORY_COLUMNS))
        self.table.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Sync history")
        for row, run in enumerate(runs):
            fetched = ", ".join(
                f"{kind} {counts.get('fetched', 0):,}"
                + (f" ({counts['deleted']:,} deleted)" if counts.get("deleted") else "")
                for kind, counts in sorted((run.counts or {}).items())
            )
            values = (
                _utc(run.started_at),
                _utc(run.finished_at),
                run.result,
                run.mode,
                run.signed_in or "—",
                run.endpoint,
                fetched,
                run.message or "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        layout.addWidget(QLabel("No sync yet." if not runs else f"{len(runs)} sync(s), newest first."))
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "—"
