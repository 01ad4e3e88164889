"""CSV: UTF-8 with a byte-order mark (so Excel reads non-ASCII names), RFC 4180 quoting,
CRLF line ends; the audit log also in the Entra download layout.

A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or
a carriage return: OWASP's CSV injection) is written with a leading apostrophe, unless the
caller asks for raw text.
"""

import csv
import re
from contextlib import closing
from itertools import islice
from typing import Iterator

from desktop.errors import InvalidInput
from desktop.export.atomic import atomic_file
from desktop.export.entra_layout import ENTRA_AUDIT_COLUMNS, entra_row
from desktop.export.progress import Progress
from desktop.reports.base import ColumnType, Report

ENTRA_LAYOUT = "entra"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A cell of a joined batch (see plain_text) that starts with a trigger.
_FORMULA_CELL = re.compile(r"(?:^|,)[=+\-@\t\r]", re.MULTILINE)
# Rows written at once: one writerows (or one joined text) costs less than a writerow per row.
BATCH = 500


def boolean_text(value):
    """A boolean as Graph writes it, true/false (csv.writer would write True/False); any
    other value as it is."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def neutralised(value):
    """`value`, with an apostrophe before text that a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralised_rows(rows) -> Iterator[tuple]:
    for row in rows:
        yield tuple(map(neutralised, row))


def csv_rows(report: Report) -> Iterator[tuple]:
    """The report's rows ready for csv.writer: times as Graph's UTC text (`graph_rows`),
    booleans true/false; None, text and numbers are left to csv.writer, which writes them as
    "", the text and str()."""
    booleans = [i for i, column in enumerate(report.columns) if column.type is ColumnType.BOOLEAN]
    if not booleans:
        yield from report.graph_rows()
        return
    for row in report.graph_rows():
        yield tuple(boolean_text(value) if i in booleans else value for i, value in enumerate(row))


# A cell that needs no quotes as csv.writer writes it, looked up in C: None is "", any other
# value is itself (a number then fails the join and its rows go to csv.writer).
_PLAIN = {None: ""}


def plain_text(rows: list[tuple]) -> str | None:
    """The text csv.writer writes for `rows` when none of them needs quotes (no cell holds a
    comma, a quote or a line break, no row is one empty cell), else None. Joining the cells
    saves about a quarter of an audit log export: csv.writer looks at every character."""
    try:
        lines = [",".join(map(_PLAIN.get, row, row)) for row in rows]
    except TypeError:
        return None
    text = "\r\n".join(lines)
    breaks = len(rows) - 1
    # Commas or line breaks beyond the separators are inside cells.
    if (
        all(lines)
        and '"' not in text
        and text.count(",") == sum(map(len, rows)) - len(rows)
        and text.count("\r") == breaks
        and text.count("\n") == breaks
    ):
        return text + "\r\n"
    return None


def write_csv(path, report: Report, *, progress: Progress, layout: str | None = None, raw: bool = False) -> int:
    """Write `report` (atomically) as CSV; `layout="entra"` writes audit records as the
    admin center downloads them; `raw` leaves formula-like text as it is. Returns the row count."""
    if layout not in (None, ENTRA_LAYOUT):
        raise InvalidInput(f"Unknown CSV layout {layout!r}: the one known layout is {ENTRA_LAYOUT!r}.")
    if layout == ENTRA_LAYOUT and report.graph_type != "directoryAudit":
        raise InvalidInput(f"The Entra layout holds audit records; {report.name!r} is not an audit report.")
    written = 0
    with atomic_file(path) as temporary:
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            if layout == ENTRA_LAYOUT:
                writer.writerow(ENTRA_AUDIT_COLUMNS)
                for document in report.documents():
                    cells = entra_row(document)
                    writer.writerow(cells if raw else map(neutralised, cells))
                    written += 1
                    progress.advance()
            else:
                writer.writerow([column.title_in("UTC") for column in report.columns])
                # Closed here, on a failure too: on PostgreSQL an unfinished stream holds a
                # transaction, which the error's traceback would otherwise keep open.
                with closing(csv_rows(report)) as rows:
                    while batch := list(islice(rows, BATCH)):
                        text = plain_text(batch)
                        # Most batches hold no formula-like cell: one search of the joined
                        # text spares looking at each cell.
                        if not raw and (text is None or _FORMULA_CELL.search(text)):
                            writer.writerows(neutralised_rows(batch))
                        elif text is None:
                            writer.writerows(batch)
                        else:
                            handle.write(text)
                        written += len(batch)
                        progress.advance_many(len(batch))
    return written
