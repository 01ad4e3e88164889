"""Excel workbooks through xlsxwriter, streamed in constant-memory mode.

Every cell is written with its typed method (never `write()`, which turns text such as
`=1+1` into a formula): text with `write_string`, numbers, UTC dates (naive: xlsx has no
time zones) and booleans with theirs. Each report gets its own sheet (continued on further
sheets past the row limit, header repeated); a last "Report" sheet says what was exported,
by whom, from which database, when, and how many rows.
"""

import re
from datetime import datetime, timezone

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from desktop.errors import OutputError
from desktop.export.atomic import atomic_file, scratch_folder
from desktop.export.progress import Progress
from desktop.reports.base import ColumnType, Report

MAX_ROWS_PER_SHEET = 1_048_575  # data rows below the header: Excel's 1,048,576 rows in all
MAX_CELL_TEXT = 32_767
MAX_SHEET_NAME = 31
WIDTH_SAMPLE_ROWS = 200
MAX_COLUMN_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
REPORT_SHEET = "Report"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class CellWriteError(RuntimeError):
    """xlsxwriter refused a cell (-1: outside the sheet, -2: text too long): a bug here."""


def cut_text(text: str) -> str:
    """`text` cut to Excel's cell limit, ending with a marker that says how much was cut."""
    if len(text) <= MAX_CELL_TEXT:
        return text
    removed = len(text) - MAX_CELL_TEXT
    # The marker's own length changes how much must go, so settle it in two rounds.
    for _ in range(2):
        marker = f"… [cut: {removed} characters]"
        removed = len(text) - (MAX_CELL_TEXT - len(marker))
    return text[: MAX_CELL_TEXT - len(marker)] + marker


def sheet_name(base: str, part: int, taken: set[str]) -> str:
    """A valid, unused sheet name: `base`, or "base (2)" for its second part."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", base).strip("'") or "Sheet"
    suffix = f" ({part})" if part > 1 else ""
    name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    serial = 2
    while name.casefold() in taken:
        tail = f"~{serial}{suffix}"
        name = base[: MAX_SHEET_NAME - len(tail)] + tail
        serial += 1
    taken.add(name.casefold())
    return name


def write_xlsx(
    path,
    reports: list[Report],
    *,
    about: list[tuple[str, str]],
    progress: Progress,
    max_rows_per_sheet: int = MAX_ROWS_PER_SHEET,
) -> list[int]:
    """Write each report on its own sheet(s) of a new workbook at `path` (atomically); return
    the row count of each. `about` are the (label, value) lines that head the Report sheet."""
    # Scratch space beside the target: on the same disk, and cleaned up by the next export
    # should this one be killed.
    with atomic_file(path) as temporary, scratch_folder(path) as scratch:
        workbook = xlsxwriter.Workbook(str(temporary), {**WORKBOOK_OPTIONS, "tmpdir": str(scratch)})
        try:
            writer = _WorkbookWriter(workbook, max_rows_per_sheet, progress)
            counts = [writer.write_report(report) for report in reports]
            writer.write_about(about, reports, counts)
            try:
                workbook.close()
            except FileCreateError as error:
                raise OutputError(f"Cannot write {path}: {error}") from error
        except BaseException:
            _abandon(workbook)
            raise
    return counts


def _abandon(workbook) -> None:
    """Close the per-sheet temporary files a constant-memory workbook keeps open (xlsxwriter
    has no public way to drop a workbook without writing it)."""
    if workbook.fileclosed:
        return
    workbook.fileclosed = True
    for worksheet in workbook.worksheets():
        worksheet._opt_close()


class _WorkbookWriter:
    def __init__(self, workbook, max_rows_per_sheet: int, progress: Progress):
        self.workbook = workbook
        self.max_rows = max_rows_per_sheet
        self.progress = progress
        self.bold = workbook.add_format({"bold": True})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.taken = {REPORT_SHEET.casefold()}

    def write_report(self, report: Report) -> int:
        titles = [column.title_in("UTC") for column in report.columns]
        kinds = [column.type for column in report.columns]
        advance = self.progress.advance
        written = 0
        part = 0
        sheet = None
        row = self.max_rows + 1  # start a sheet on the first row
        for values in report.iterate():
            if row > self.max_rows:
                if sheet is not None:
                    sheet.finish(row)
                part += 1
                sheet = _Sheet(self, sheet_name(report.name, part, self.taken), titles)
                write_string, write_number = sheet.worksheet.write_string, sheet.worksheet.write_number
                write_datetime, write_boolean = sheet.worksheet.write_datetime, sheet.worksheet.write_boolean
                date = self.date
                row = 1
            if row <= WIDTH_SAMPLE_ROWS:
                sheet.sample(values)
            for column, value in enumerate(values):
                if value is None:
                    continue
                kind = kinds[column]
                if kind is ColumnType.DATETIME:
                    if value.tzinfo is not None:
                        value = value.astimezone(timezone.utc).replace(tzinfo=None)
                    code = write_datetime(row, column, value, date)
                elif kind is ColumnType.NUMBER:
                    code = write_number(row, column, value)
                elif kind is ColumnType.BOOLEAN:
                    code = write_boolean(row, column, value)
                else:
                    if value.__class__ is not str:
                        value = str(value)
                    if len(value) > MAX_CELL_TEXT:
                        value = cut_text(value)
                    code = write_string(row, column, value)
                if code:
                    raise CellWriteError(
                        f"xlsxwriter refused row {row}, column {column} of {report.name!r} (code {code})"
                    )
            row += 1
            written += 1
            advance()
        if sheet is None:
            sheet = _Sheet(self, sheet_name(report.name, 1, self.taken), titles)
            row = 1
        sheet.finish(row)
        return written

    def write_about(self, about: list[tuple[str, str]], reports: list[Report], counts: list[int]) -> None:
        worksheet = self.workbook.add_worksheet(REPORT_SHEET)
        lines = list(about)
        for report, count in zip(reports, counts):
            lines.append(("Report", report.name))
            lines.extend((f"  {label}", value) for label, value in report.filters())
            lines.append(("  Rows", count))
        for row, (label, value) in enumerate(lines):
            _check(worksheet.write_string(row, 0, label, self.bold))
            if isinstance(value, datetime):
                _check(worksheet.write_datetime(row, 1, value.astimezone(timezone.utc).replace(tzinfo=None), self.date))
            elif isinstance(value, int):
                _check(worksheet.write_number(row, 1, value))
            else:
                _check(worksheet.write_string(row, 1, cut_text(str(value))))
        worksheet.set_column(0, 0, 28)
        worksheet.set_column(1, 1, 70)


class _Sheet:
    """One data sheet: bold frozen header, filter over the data, widths from a sample."""

    def __init__(self, writer: _WorkbookWriter, name: str, titles: list[str]):
        self.worksheet = writer.workbook.add_worksheet(name)
        self.widths = [len(title) + 2 for title in titles]
        for column, title in enumerate(titles):
            _check(self.worksheet.write_string(0, column, title, writer.bold))
        self.worksheet.freeze_panes(1, 0)

    def sample(self, values: tuple) -> None:
        for column, value in enumerate(values):
            if value is not None:
                width = 19 if isinstance(value, datetime) else len(str(value)) + 1
                if width > self.widths[column]:
                    self.widths[column] = width

    def finish(self, next_row: int) -> None:
        last_column = len(self.widths) - 1
        self.worksheet.autofilter(0, 0, max(next_row - 1, 0), last_column)
        for column, width in enumerate(self.widths):
            self.worksheet.set_column(column, column, min(width, MAX_COLUMN_WIDTH))


def _check(code: int) -> None:
    if code:
        raise CellWriteError(f"xlsxwriter refused a cell of the Report sheet (code {code})")
