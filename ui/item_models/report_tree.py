"""A tree model over a report that groups rows (`tree()` → TreeNode list): a parent row
with an expand arrow for each group of two or more rows, its children under it.

Used by "Resource assignments for a user": one user's resource roles, a few hundred rows at
most, so the model holds them all and sorts them in memory (the big reports use the paged
ReportTableModel, sorted in SQL).
"""

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.reports.base import Report, TreeNode
from ui.item_models.formatting import alignment, display_text, header_text
from models.database import READ_ERRORS
from ui.item_models.report_source import ReportSource, read_failure_message

# internalId of a top-level row; a child's internalId is its parent's row number + 1
# (internalId is unsigned, so no negative marker).
_TOP = 0


class ReportTreeModel(ReportSource, QAbstractItemModel):
    query_failed = Signal(str)

    def __init__(self, report: Report | None = None, parent=None):
        super().__init__(parent)
        self._report: Report | None = None
        self._nodes: list[TreeNode] = []
        self._sort_key: str | None = None
        self._descending = False
        if report is not None:
            self.set_report(report)

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self._report = report
        if report is None or self._sort_key not in {c.key for c in report.columns}:
            self._sort_key, self._descending = None, False
        self._load()
        self.endResetModel()

    def refresh(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _load(self) -> None:
        self._nodes = []
        if self._report is None:
            return
        try:
            self._nodes = list(self._report.tree())
        except READ_ERRORS as error:
            self.query_failed.emit(read_failure_message(error))
            return
        self._apply_sort()

    def _apply_sort(self) -> None:
        if self._sort_key is None:
            return
        position = self._report.column_index(self._sort_key)
        nodes = _sorted(self._nodes, lambda node: node.row[position], self._descending)
        self._nodes = [
            TreeNode(node.row, tuple(_sorted(node.children, lambda row: row[position], self._descending)))
            for node in nodes
        ]

    # -- rows ----------------------------------------------------------------------------------
    def node_count(self) -> int:
        return len(self._nodes)

    def row_values(self, index: QModelIndex | QPersistentModelIndex) -> tuple | None:
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            return self._nodes[index.row()].row
        return self._nodes[index.internalId() - 1].children[index.row()]

    # -- QAbstractItemModel ----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _TOP)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._nodes)
        if parent.internalId() == _TOP and parent.column() == 0:
            return len(self._nodes[parent.row()].children)
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
        self._load()
        self.endResetModel()


def _sorted(items, value_of, descending: bool) -> list:
    """Sorted by value (text case-insensitively); empty values last in either direction."""
    present = [item for item in items if value_of(item) is not None]
    missing = [item for item in items if value_of(item) is None]

    def key(item):
        value = value_of(item)
        return value.casefold() if isinstance(value, str) else value

    return sorted(present, key=key, reverse=descending) + missing
