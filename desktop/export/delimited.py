"""CSV: UTF-8 with a byte-order mark (so Excel reads non-ASCII names), RFC 4180 quoting,
CRLF line ends; the audit log also in the Entra download layout."""
import csv
from datetime import datetime

from desktop.audit_record import format_time
from desktop.errors import InvalidInput
from desktop.export.atomic import atomic_file
from desktop.export.entra_layout import ENTRA_AUDIT_COLUMNS, entra_row
from desktop.export.progress import Progress
from desktop.reports.base import Report

ENTRA_LAYOUT = "entra"


def cell_text(value) -> str:
    """A cell as CSV text: times in Graph's UTC form, booleans true/false, none empty."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_time(value)
    return str(value)


def write_csv(path, report: Report, *, progress: Progress, layout: str | None = None) -> int:
    """Write `report` (atomically) as CSV; `layout="entra"` writes audit records as the
    admin center downloads them. Returns the row count."""
    if layout not in (None, ENTRA_LAYOUT):
        raise InvalidInput(f"Unknown CSV layout {layout!r}: the one known layout is {ENTRA_LAYOUT!r}.")
    if layout == ENTRA_LAYOUT and report.graph_type != "directoryAudit":
        raise InvalidInput(f"The Entra layout holds audit records; {report.name!r} is not an audit report.")
    advance = progress.advance
    written = 0
    with atomic_file(path) as temporary:
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            if layout == ENTRA_LAYOUT:
                writer.writerow(ENTRA_AUDIT_COLUMNS)
                for document in report.documents():
                    writer.writerow(entra_row(document))
                    written += 1
                    advance()
            else:
                writer.writerow([column.title for column in report.columns])
                for row in report.iterate():
                    writer.writerow([cell_text(value) for value in row])
                    written += 1
                    advance()
    return written
