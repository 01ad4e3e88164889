"""A table model over a Report: rows are fetched in pages from SQL as they are painted.

Nothing loads the whole report. `rowCount` is the report's `count()`; `data()` for a row
not yet cached asks `report.page()` for the page around it and keeps a bounded number of
pages (least recently used go first). Sorting by a header asks the database for another
order; a new filter is a new report (`set_report`), which resets the model.

After a write the view reads the count and first page again on the reader thread
(`rows_reader`, off the UI thread) and hands them over with `show_read`: the rows on screen
stay until then.
"""

from collections import OrderedDict
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.reports.base import Report
from ui.item_models.formatting import alignment, display_text, header_text
from models.database import READ_ERRORS
from ui.item_models.report_source import ReportSource, RowsRead, read_failure_message

PAGE_SIZE = 200
# The roles a report's cells answer, as plain numbers: compared once per cell and role in a paint.
DISPLAY = Qt.ItemDataRole.DisplayRole.value
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
USER = Qt.ItemDataRole.UserRole.value
ANSWERED_ROLES = frozenset((DISPLAY, ALIGNMENT, USER))
CACHED_PAGES = 32  # 6,400 rows: a few screens either side of every view on the report


class ReportTableModel(ReportSource, QAbstractTableModel):
    # A query failed (database gone, locked, damaged): the message is fit to show.
    query_failed = Signal(str)

    def __init__(
        self, report: Report | None = None, parent=None, *, page_size: int = PAGE_SIZE, cached_pages: int = CACHED_PAGES
    ):
        super().__init__(parent)
        self._page_size = page_size
        self._cached_pages = cached_pages
        self._pages: OrderedDict[int, list[tuple]] = OrderedDict()
        self._report: Report | None = None
        self._count = 0
        self._sort_key: str | None = None
        self._descending = False
        self._failed = False
        if report is not None:
            self.set_report(report)

    # -- the report ---------------------------------------------------------------------
    def set_report(self, report: Report | None) -> None:
        """Show another report (a changed filter); the current sort carries over when the
        new report has the same column."""
        self.beginResetModel()
        self._report = report
        self._sort_key, self._descending = self.sort_for(report)
        self._reload()
        self.endResetModel()

    def rows_reader(self, report: Report | None) -> Callable[[], RowsRead]:
        """A read of `report`'s count and first page in the current order, to run on the
        reader thread; `show_read` shows what it read."""
        sort_key, descending = self.sort_for(report)
        page_size = self._page_size

        def read() -> RowsRead:
            if report is None:
                return RowsRead(None, sort_key, descending)
            try:
                count = report.count()
                first_page = report.page(0, page_size, sort_key, descending) if count else []
            except READ_ERRORS as error:
                return RowsRead(report, sort_key, descending, error=error)
            return RowsRead(report, sort_key, descending, count, first_page)

        return read

    def show_read(self, read: RowsRead) -> None:
        """Show the rows `rows_reader` read. When the admin sorted by another column while it
        ran, the count stands and the pages are read in the new order as they are painted."""
        self.beginResetModel()
        sorted_as_read = self.sort_for(read.report) == (read.sort_key, read.descending)
        self._report = read.report
        self._sort_key, self._descending = self.sort_for(read.report)
        self._pages.clear()
        self._failed = False
        self._count = read.count
        if read.error is not None:
            self._fail(read.error)
        elif sorted_as_read and read.count:
            self._pages[0] = read.rows
        self.endResetModel()

    def refresh(self) -> None:
        """Count and fetch again: the data under the same report changed."""
        self.beginResetModel()
        self._reload()
        self.endResetModel()

    def _reload(self) -> None:
        self._pages.clear()
        self._failed = False
        self._count = 0
        if self._report is not None:
            try:
                self._count = self._report.count()
            except READ_ERRORS as error:
                self._fail(error)

    # -- rows -----------------------------------------------------------------------------
    def row_values(self, row: int) -> tuple | None:
        """The raw values of one row, fetching its page when needed."""
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._fetch(number)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def value(self, row: int, key: str):
        values = self.row_values(row)
        return None if values is None else values[self._report.column_index(key)]

    def _fetch(self, number: int) -> list[tuple]:
        if self._failed:
            return []
        try:
            page = self._report.page(number * self._page_size, self._page_size, self._sort_key, self._descending)
        except READ_ERRORS as error:
            self._fail(error)
            return []
        self._pages[number] = page
        while len(self._pages) > self._cached_pages:
            self._pages.popitem(last=False)
        return page

    def _fail(self, error: Exception) -> None:
        # Reported once per load: a paint would otherwise ask again for every row.
        self._failed = True
        self.query_failed.emit(read_failure_message(error))

    # -- QAbstractItemModel -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns())

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY):
        # A paint asks each cell for seven roles; the ones a report has no answer for return first.
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        column_number = index.column()
        column_type = self._report.columns[column_number].type
        if role == ALIGNMENT:
            return alignment(column_type)
        values = self.row_values(index.row())
        if values is None:
            return None
        value = values[column_number]
        return value if role == USER else display_text(value, column_type)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY):
        if role not in ANSWERED_ROLES or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self.columns()):
            return None
        column = self.columns()[section]
        if role == DISPLAY:
            return header_text(column)
        if role == ALIGNMENT:
            return alignment(column.type)
        return column.key

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by the column in SQL; a column of -1 restores the report's own order."""
        key = self.columns()[column].key if 0 <= column < len(self.columns()) else None
        descending = key is not None and order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        self.beginResetModel()
        self._sort_key, self._descending = key, descending
        self._pages.clear()
        self._failed = False
        self.endResetModel()
