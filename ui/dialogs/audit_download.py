"""The audit log's extra download: CSV in the layout the Entra admin center downloads
(86 columns), through the shared download flow (progress, Cancel, retry, open file)."""

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QWidget

from desktop.export import export
from desktop.export.delimited import ENTRA_LAYOUT
from desktop.reports.base import Report
from ui.dialogs import download
from ui.dialogs.download import Downloader
from ui.jobs import JobContext

ENTRA_FILTER = "CSV, Entra admin center audit log layout (*.csv)"


class EntraLayoutDownloader(Downloader):
    """A Downloader whose files are always Entra-layout CSV; same actor and database as `shared`."""

    def __init__(self, shared: Downloader, parent=None):
        super().__init__(database=shared.database, parent=parent)
        self.actor = shared.actor

    def write_report(self, report: Report, path: Path, kind: str, context: JobContext) -> int:
        result = export(
            path,
            report,
            format="csv",
            layout=ENTRA_LAYOUT,
            actor=self.actor,
            database=self.database,
            csv_raw=self.csv_raw,
            progress=lambda done, total: context.progress(done, total),
            cancel=context.cancelled,
        )
        return result.rows

    def ask_path(self, parent: QWidget, file_name: str) -> Path | None:
        settings = QSettings()
        folder = settings.value("downloads/folder") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DownloadLocation
        )
        suggested = Path(folder) / Path(file_name).with_suffix(".csv").name
        chosen, _filter, self.csv_raw = download.save_file_dialog(
            parent, "Download in the Entra layout", str(suggested), ENTRA_FILTER, ENTRA_FILTER
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".csv":
            path = path.with_name(f"{path.name}.csv")
        settings.setValue("downloads/folder", str(path.parent))
        return path
