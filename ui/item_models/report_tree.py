"""A tree model over a report that groups rows (`tree()` → TreeNode list): a parent row
with an expand arrow for each group, its children under it, as deep as the report groups
(a user's resources: resource → role → package).

Used by "Resource assignments for a user": one user's resource roles, a few hundred rows at
most, so the model holds them all and sorts them in memory (the big reports use the paged
ReportTableModel, sorted in SQL). After a write the view reads the tree again on the reader
thread (`rows_reader`) and hands it over with `show_read`.
"""

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.reports.base import Report, TreeNode
from ui.item_models.formatting import alignment, display_text, header_text
from models.database import READ_ERRORS
from ui.item_models.report_source import ReportSource, RowsRead, read_failure_message


@dataclass
class _Entry:
    """A node as the model shows it; an index's internalId is its entry's number."""

    node: TreeNode
    parent: int | None  # the parent's entry number; None on the top level
    row: int  # its row under the parent
    children: list[int] = field(default_factory=list)


class ReportTreeModel(ReportSource, QAbstractItemModel):
    query_failed = Signal(str)

    def __init__(self, report: Report | None = None, parent=None):
        super().__init__(parent)
        self._report: Report | None = None
        self._nodes: list[TreeNode] = []
        self._entries: list[_Entry] = []
        self._top: list[int] = []
        self._sort_key: str | None = None
        self._descending = False
        if report is not None:
            self.set_report(report)

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self._report = report
        self._sort_key, self._descending = self.sort_for(report)
        self._load()
        self.endResetModel()

    def rows_reader(self, report: Report | None) -> Callable[[], RowsRead]:
        """A read of `report`'s tree, to run on the reader thread; `show_read` shows it."""
        sort_key, descending = self.sort_for(report)

        def read() -> RowsRead:
            if report is None:
                return RowsRead(None, sort_key, descending)
            try:
                nodes = list(report.tree())
            except READ_ERRORS as error:
                return RowsRead(report, sort_key, descending, error=error)
            return RowsRead(report, sort_key, descending, len(nodes), nodes)

        return read

    def show_read(self, read: RowsRead) -> None:
        """Show the tree `rows_reader` read, sorted in memory as the header now says."""
        self.beginResetModel()
        self._report = read.report
        self._sort_key, self._descending = self.sort_for(read.report)
        self._nodes = list(read.rows)
        if read.error is not None:
            self.query_failed.emit(read_failure_message(read.error))
        self._arrange()
        self.endResetModel()

    def refresh(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _load(self) -> None:
        self._nodes = []
        if self._report is not None:
            try:
                self._nodes = list(self._report.tree())
            except READ_ERRORS as error:
                self.query_failed.emit(read_failure_message(error))
        self._arrange()

    def _arrange(self) -> None:
        """Number the nodes in the order shown (sorted in memory when a header says so)."""
        nodes = self._nodes
        if self._sort_key is not None:
            position = self._report.column_index(self._sort_key)
            nodes = _sorted_tree(nodes, lambda node: node.row[position], self._descending)
        self._entries = []
        self._top = self._enter(nodes, None)

    def _enter(self, nodes, parent: int | None) -> list[int]:
        numbers = []
        for row, node in enumerate(nodes):
            number = len(self._entries)
            entry = _Entry(node, parent, row)
            self._entries.append(entry)
            entry.children = self._enter(node.children, number)
            numbers.append(number)
        return numbers

    # -- rows ----------------------------------------------------------------------------------
    def node_count(self) -> int:
        return len(self._top)

    def row_values(self, index: QModelIndex | QPersistentModelIndex) -> tuple | None:
        if not index.isValid():
            return None
        return self._entries[index.internalId()].node.row

    # -- QAbstractItemModel ----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        siblings = self._entries[parent.internalId()].children if parent.isValid() else self._top
        return self.createIndex(row, column, siblings[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        parent = self._entries[index.internalId()].parent
        if parent is None:
            return QModelIndex()
        return self.createIndex(self._entries[parent].row, 0, parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._top)
        if parent.column() == 0:
            return len(self._entries[parent.internalId()].children)
        return 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return len(self.columns())

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns()[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return alignment(column.type)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
            return None
        value = self.row_values(index)[index.column()]
        return value if role == Qt.ItemDataRole.UserRole else display_text(value, column.type)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns()):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return header_text(self.columns()[section])
        if role == Qt.ItemDataRole.UserRole:
            return self.columns()[section].key
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.columns()[column].key if 0 <= column < len(self.columns()) else None
        descending = key is not None and order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        self.beginResetModel()
        self._sort_key, self._descending = key, descending
        self._arrange()
        self.endResetModel()


def _sorted_tree(nodes, value_of, descending: bool) -> list[TreeNode]:
    """Every level sorted by the same column."""
    return [
        TreeNode(node.row, tuple(_sorted_tree(node.children, value_of, descending)))
        for node in _sorted(nodes, value_of, descending)
    ]


def _sorted(items, value_of, descending: bool) -> list:
    """Sorted by value (text case-insensitively); empty values last in either direction."""
    present = [item for item in items if value_of(item) is not None]
    missing = [item for item in items if value_of(item) is None]

    def key(item):
        value = value_of(item)
        return value.casefold() if isinstance(value, str) else value

    return sorted(present, key=key, reverse=descending) + missing
