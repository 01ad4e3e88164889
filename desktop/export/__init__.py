"""Exporters: any report (or several, one sheet each) to .xlsx, .csv or .json.

Every writer streams the report from the database, writes a temporary file beside the
target and renames it into place, reports progress and honours a cancel flag; a failure or
cancel leaves no file behind and an existing file untouched.
"""

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from desktop.errors import InvalidInput
from desktop.export.delimited import write_csv
from desktop.export.graph_json import write_json
from desktop.export.progress import Progress
from desktop.export.xlsx import MAX_ROWS_PER_SHEET, write_xlsx
from desktop.permissions import require
from desktop.reports.base import Report
from models import User
from models.database import current_location

FORMATS = ("xlsx", "csv", "json")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    rows: int


def format_of(path, format: str | None = None) -> str:
    """The format asked for, else the one the file extension names."""
    chosen = (format or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise InvalidInput(
            f"Cannot tell the format of {Path(path).name!r}: use a .xlsx, .csv or .json file name, or name the format."
        )
    return chosen


def acting_administrator(actor: User | None) -> str:
    if actor is None:
        return "none: the operator of the local database (no role check)"
    return actor.label


def database_description() -> str:
    """Where the bound database lives (a file path or a URL without its password)."""
    location = current_location()
    return location.describe() if location else "unknown"


def export(
    path,
    reports: Report | Sequence[Report],
    *,
    format: str | None = None,
    layout: str | None = None,
    actor: User | None = None,
    database: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
    max_rows_per_sheet: int = MAX_ROWS_PER_SHEET,
    csv_raw: bool = False,
) -> ExportResult:
    """Write `reports` to `path`. With an acting user, each report's download permission is
    checked first. CSV cells that a spreadsheet would run as formulas get a leading
    apostrophe unless `csv_raw`. `progress(done, total)` is called now and then; `cancel` (callable or
    threading.Event) stops the export with Cancelled and no file. CSV holds one report."""
    reports = [reports] if isinstance(reports, Report) else list(reports)
    chosen = format_of(path, format)
    if layout is not None and chosen != "csv":
        raise InvalidInput("A layout applies to CSV files only.")
    if chosen == "csv" and len(reports) != 1:
        raise InvalidInput(
            f"A CSV file holds one table; these are {len(reports)} "
            f"({', '.join(r.name for r in reports)}): export them to .xlsx or .json."
        )
    if actor is not None:
        for report in reports:
            require(actor, report.download_action)
    tracker = Progress(sum(report.count() for report in reports), progress, cancel)
    tracker.check()
    if chosen == "xlsx":
        about = [
            ("Exported by", "Entitlement Desk"),
            ("Acting administrator", acting_administrator(actor)),
            ("Database", database or database_description()),
            ("Time (UTC)", datetime.now(timezone.utc)),
        ]
        rows = sum(write_xlsx(path, reports, about=about, progress=tracker, max_rows_per_sheet=max_rows_per_sheet))
    elif chosen == "csv":
        rows = write_csv(path, reports[0], progress=tracker, layout=layout, raw=csv_raw)
    else:
        rows = sum(write_json(path, reports, progress=tracker))
    tracker.finish()
    return ExportResult(Path(path), chosen, rows)
