"""The user picker: type to search by name, user principal name or email; arrows move in
the results from the search box, Enter selects, Esc closes.

The search runs in SQL (desktop.directory.search_users: index ranges, then a bounded
contains query), 150 ms after the last key, so it stays instant at 100,000 users. For a report
as of a past moment it also offers the users deleted since, their names marked "deleted <date>".
"""

import functools
from datetime import datetime
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.directory import DEFAULT_LIMIT, UserMatch, search_users
from ui.times import shown_time

SEARCH_DELAY_MS = 150
# Keys that move in the results while the focus stays in the search box.
_NAVIGATION_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


class UserMatchModel(QAbstractTableModel):
    """The few dozen matches of one search (bounded by the search's limit)."""

    COLUMNS = (
        ("Name", "display_name"),
        ("User principal name", "user_principal_name"),
        ("Email", "mail"),
        ("User type", "user_type"),
        ("Department", "department"),
        ("Organization", "organization"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self._matches: list[UserMatch] = []

    def set_matches(self, matches: list[UserMatch]) -> None:
        self.beginResetModel()
        self._matches = list(matches)
        self.endResetModel()

    def match(self, row: int) -> UserMatch | None:
        return self._matches[row] if 0 <= row < len(self._matches) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._matches)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        match = self._matches[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0 and match.deleted_date_time is not None:
                return f"{match.display_name} ({deleted_label(match.deleted_date_time)})"
            return getattr(match, self.COLUMNS[index.column()][1]) or ""
        if match.deleted_date_time is not None:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Deleted from the tenant on {shown_time(match.deleted_date_time)}"
        if role == Qt.ItemDataRole.UserRole:
            return match.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section][0]
        return None


class UserPickerDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        title: str = "Select users",
        search: Callable[[str, int], list[UserMatch]] = search_users,
        limit: int = DEFAULT_LIMIT,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1000, 480)
        self._search = search
        self._limit = limit
        self.chosen: UserMatch | None = None

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search by name, user principal name or email")
        self.search_edit.setAccessibleName("Search users")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.installEventFilter(self)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search_edit.textChanged.connect(lambda _text: self._timer.start())

        self.model = UserMatchModel(self)
        self.results = QTableView()
        self.results.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.results.setModel(self.model)
        self.results.verticalHeader().hide()
        self.results.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setAlternatingRowColors(True)
        self.results.setShowGrid(False)
        self.results.setWordWrap(False)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Room in Name for most names and a "(deleted <date>)" after them.
        for column, width in enumerate((250, 220, 220, 80, 120)):
            self.results.setColumnWidth(column, width)
        self.results.doubleClicked.connect(self.accept)
        self.summary = QLabel()
        self.summary.setObjectName("pageSubtitle")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.select_button = self.buttons.addButton("Select", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.results.selectionModel().currentRowChanged.connect(self._update_select_button)
        self.run_search()
        self.search_edit.setFocus()

    def run_search(self) -> None:
        self._timer.stop()
        text = self.search_edit.text()
        matches = self._search(text, self._limit)
        self.model.set_matches(matches)
        if matches:
            self.results.selectRow(0)
        if not matches:
            self.summary.setText(f"No user matches “{text.strip()}”." if text.strip() else "The directory is empty.")
        elif len(matches) >= self._limit:
            self.summary.setText(f"The first {len(matches)} matches. Type more to narrow the list.")
        else:
            self.summary.setText(f"{len(matches)} {'user matches' if len(matches) == 1 else 'users match'}.")
        deleted = sum(match.deleted_date_time is not None for match in matches)
        if deleted:
            self.summary.setText(
                f"{self.summary.text()} Greyed: {deleted} deleted from the tenant since the report's moment."
            )
        self._update_select_button()

    def _update_select_button(self, *_args) -> None:
        self.select_button.setEnabled(self.current_match() is not None)

    def current_match(self) -> UserMatch | None:
        index = self.results.currentIndex()
        return self.model.match(index.row()) if index.isValid() else None

    def eventFilter(self, watched, event) -> bool:
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() in _NAVIGATION_KEYS:
                # The results answer the arrows; the caret stays in the search box.
                QCoreApplication.sendEvent(self.results, event)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():
                    self.run_search()  # Enter right after typing selects from the fresh results
                self.accept()
                return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        match = self.current_match()
        if match is None:
            return
        self.chosen = match
        super().accept()


def deleted_label(deleted: datetime) -> str:
    """How a user deleted from the tenant is marked: "deleted <date>"."""
    return f"deleted {shown_time(deleted, '%Y-%m-%d')}"


def pick_user(
    parent: QWidget | None, title: str = "Select users", deleted_after: datetime | None = None
) -> UserMatch | None:
    """The user the administrator picks, or None. Given `deleted_after`, users deleted from the
    tenant after that moment are offered too."""
    search = functools.partial(search_users, deleted_after=deleted_after) if deleted_after else search_users
    dialog = UserPickerDialog(parent, title=title, search=search)
    return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None
