"""One report on screen: quick filter, table (or tree), column chooser, copy, export.

Every table in the app is a ReportView, so each has the same habits: Ctrl+F focuses the
quick filter, a header click sorts in SQL, the header's context menu chooses columns (kept
in the settings with their widths and order), Ctrl+C copies the selected rows as
tab-separated text with the header, "Export" writes the selected rows or what is shown,
and an empty table says what to do next. The owning page supplies the report.
"""

from typing import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.reports.base import Report
from ui.background import read_in_background
from ui.dialogs import messages
from ui.item_models.report_table import ReportTableModel
from ui.item_models.report_tree import ReportTreeModel
from desktop.reports.views import RowsReport, ShownReport, is_quick_filterable, quick_filtered
from ui.times import time_display

FILTER_DELAY_MS = 250
FIT_ROWS = 100
MAX_FITTED_WIDTH = 360


class ReportView(QWidget):
    # "1,234 assignments · 3 selected": for the main window's status bar
    status_changed = Signal(str)
    # Enter or double-click on a (top-level) row
    row_activated = Signal(int)
    # the current (top-level) row, -1 when none
    current_row_changed = Signal(int)

    def __init__(
        self,
        settings_key: str,
        *,
        noun: tuple[str, str] = ("row", "rows"),
        empty_text: str = "Nothing to show yet.",
        hidden_columns: tuple[str, ...] = (),
        tree: bool = False,
        full_width_columns: tuple[str, ...] = (),
        leading_columns: tuple[str, ...] = (),
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.full_width_columns = full_width_columns  # fitted to their text however long
        self.leading_columns = leading_columns  # shown first, in this order, until the admin moves them
        self.settings_key = settings_key
        self.noun = noun
        self.empty_text = empty_text
        self.default_hidden_columns = hidden_columns
        self._build_report: Callable[[], Report | None] = lambda: None
        self._unfiltered: Report | None = None
        self._downloader = None
        self._file_name: Callable[[], str] = lambda: noun[1].capitalize()
        self._header_restored = False
        self._fit_columns = False  # widths follow the first rows until the admin has their own
        self._reads_asked = 0  # numbers the reads, so an answer to an older one is dropped

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(360)
        self.filter_edit.setAccessibleName("Quick filter")
        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        # Through a lambda: a signal's arguments given to QTimer.start would be taken as its interval.
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self.apply_filter)

        self.download_button = QPushButton("Download")
        self.download_button.setToolTip("Download this report as an Excel workbook, CSV or JSON file")
        self.download_button.clicked.connect(self.download)
        self.download_button.hide()
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        self.export_selected_action = export_menu.addAction("Export selected rows…", self.export_selected)
        self.export_shown_action = export_menu.addAction("Export what is shown…", self.export_shown)
        self.export_button.setMenu(export_menu)
        self.export_button.hide()

        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.filter_edit)
        self.toolbar.addStretch(1)
        self.toolbar.addWidget(self.export_button)
        self.toolbar.addWidget(self.download_button)

        if tree:
            self.model = ReportTreeModel(parent=self)
            self.view: QAbstractItemView = QTreeView()
            self.view.setUniformRowHeights(True)
            self.view.setAllColumnsShowFocus(True)
            header = self.view.header()
        else:
            self.model = ReportTableModel(parent=self)
            self.view = QTableView()
            # A visible vertical header asks headerData once per row: 10 s frozen at 1M rows.
            self.view.verticalHeader().hide()
            self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
            self.view.setShowGrid(False)
            self.view.setWordWrap(False)
            header = self.view.horizontalHeader()
        self.header = header
        self.view.setModel(self.model)
        self.view.setObjectName("reportTable")
        # Tab moves on to the next control (arrows move within): Tab must never trap the keyboard.
        self.view.setTabKeyNavigation(False)
        # What a screen reader announces on entering the table ("Assignments table").
        self.view.setAccessibleName(f"{noun[1][0].upper()}{noun[1][1:]} table")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(160)
        # Fitting columns to their contents reads the first page only, never the whole report.
        header.setResizeContentsPrecision(FIT_ROWS)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        self._save_timer = QTimer(self, singleShot=True, interval=400)
        self._save_timer.timeout.connect(self.save_state)
        header.sectionResized.connect(lambda *_args: self._save_timer.start())
        header.sectionMoved.connect(lambda *_args: self._save_timer.start())
        header.sortIndicatorChanged.connect(lambda *_args: self._save_timer.start())

        self.view.activated.connect(self._on_activated)
        if tree:
            self.view.expanded.connect(self._widen_to_shown_rows)
        self.view.selectionModel().selectionChanged.connect(self._emit_status)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.model.modelReset.connect(self._on_model_reset)
        self.model.query_failed.connect(self._on_query_failed, Qt.ConnectionType.QueuedConnection)
        time_display().changed.connect(self._times_changed)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.stack, 1)

        self.find_action = QAction("Find", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.find_action.triggered.connect(self.focus_filter)
        self.addAction(self.find_action)
        self.copy_action = QAction("Copy rows", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_selected_rows)
        self.view.addAction(self.copy_action)
        self.clear_filter_action = QAction("Clear filter", self.filter_edit)
        self.clear_filter_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.clear_filter_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.clear_filter_action.triggered.connect(self.filter_edit.clear)
        self.filter_edit.addAction(self.clear_filter_action)

    # -- what the page supplies -------------------------------------------------------------------
    def add_tool_widget(self, widget: QWidget) -> None:
        """A page's own control (a state filter, a button) between the filter and Export."""
        self.toolbar.insertWidget(self.toolbar.count() - 2, widget)

    def set_downloads(self, downloader, file_name: Callable[[], str]) -> None:
        """Show Download and Export; `file_name()` proposes the file's name (no extension)."""
        self._downloader = downloader
        self._file_name = file_name
        self.download_button.show()
        self.export_button.show()

    def set_source(self, build_report: Callable[[], Report | None]) -> None:
        """Show the report `build_report()` returns (None: nothing chosen yet)."""
        self._build_report = build_report
        self.reload()

    def reload(self) -> None:
        """Build the report again (its filters or the data changed) and show it."""
        self._unfiltered = self._build_report()
        self.filter_edit.setEnabled(is_quick_filterable(self._unfiltered))
        self.apply_filter()

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self._reads_asked += 1  # what a read under way brings back is no longer wanted
        self.model.set_report(quick_filtered(self._unfiltered, self.filter_edit.text()))

    def refresh(self) -> None:
        """The data under the report changed (a write): read it again on the reader thread,
        so the window never waits on the database. The rows on screen stay until the new ones
        arrive; the answer to a read that a newer read or reload overtook is dropped."""
        self._filter_timer.stop()
        self._unfiltered = self._build_report()
        self.filter_edit.setEnabled(is_quick_filterable(self._unfiltered))
        self._reads_asked += 1
        number = self._reads_asked
        read = self.model.rows_reader(quick_filtered(self._unfiltered, self.filter_edit.text()))
        read_in_background(lambda: (number, read()), self._show_read)

    @Slot(object)  # a real slot: Qt drops the answer when the view is gone
    def _show_read(self, answer) -> None:
        number, read = answer
        if number == self._reads_asked:
            self.model.show_read(read)

    def report(self) -> Report | None:
        """The report as shown (quick filter included)."""
        return self.model.report()

    # -- state ---------------------------------------------------------------------------------
    def _settings_prefix(self) -> str:
        return f"tables/{self.settings_key}"

    def _column_keys(self) -> list[str]:
        return [column.key for column in self.model.columns()]

    def save_state(self) -> None:
        if not self.model.columns():
            return
        settings = QSettings()
        settings.setValue(f"{self._settings_prefix()}/columns", ",".join(self._column_keys()))
        settings.setValue(f"{self._settings_prefix()}/header", self.header.saveState())

    def _restore_header(self) -> None:
        """Once the report's columns are known: widths, order, hidden columns, sort."""
        self._header_restored = True
        settings = QSettings()
        saved_keys = settings.value(f"{self._settings_prefix()}/columns")
        state = settings.value(f"{self._settings_prefix()}/header")
        if saved_keys == ",".join(self._column_keys()) and state is not None:
            self.header.restoreState(state)
            return
        for key in self.default_hidden_columns:
            if key in self._column_keys():
                self.header.hideSection(self._column_keys().index(key))
        for position, key in enumerate(key for key in self.leading_columns if key in self._column_keys()):
            self.header.moveSection(self.header.visualIndex(self._column_keys().index(key)), position)
        self._fit_columns = True

    def _fit_columns_to_contents(self) -> None:
        self._fit_columns = False
        keys = self._column_keys()
        shown = [section for section in range(self.header.count()) if not self.header.isSectionHidden(section)]
        stretched = max(shown, key=self.header.visualIndex, default=None)  # the last one in view stretches
        for section in shown:
            if section != stretched:
                self.view.resizeColumnToContents(section)
                limit = None if keys[section] in self.full_width_columns else MAX_FITTED_WIDTH
                width = self.header.sectionSize(section) + 12
                self.header.resizeSection(section, width if limit is None else min(width, limit))

    def _widen_to_shown_rows(self, _expanded: QModelIndex) -> None:
        """Rows an expand arrow just showed sit deeper and may read longer: a column their text
        would be cut in widens to fit (never narrows; the last, stretched one already fills)."""
        keys = self._column_keys()
        shown = [section for section in range(self.header.count()) if not self.header.isSectionHidden(section)]
        stretched = max(shown, key=self.header.visualIndex, default=None)
        for section in shown:
            if section == stretched:
                continue
            needed = self.view.sizeHintForColumn(section) + 12
            if keys[section] not in self.full_width_columns:
                needed = min(needed, MAX_FITTED_WIDTH)
            if needed > self.header.sectionSize(section):
                self.header.resizeSection(section, needed)

    def _show_column_menu(self, position) -> None:
        menu = QMenu(self)
        menu.addSection("Columns")
        visible_count = sum(not self.header.isSectionHidden(i) for i in range(self.header.count()))
        for logical, column in enumerate(self.model.columns()):
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(not self.header.isSectionHidden(logical))
            # The last visible column cannot be hidden: an empty table explains nothing.
            action.setEnabled(self.header.isSectionHidden(logical) or visible_count > 1)
            action.toggled.connect(lambda shown, section=logical: self.set_column_shown(section, shown))
        menu.popup(self.header.mapToGlobal(position))
        self.column_menu = menu

    def set_column_shown(self, section: int, shown: bool) -> None:
        self.header.setSectionHidden(section, not shown)
        self.save_state()

    def visible_column_keys(self) -> list[str]:
        keys = self._column_keys()
        visual = sorted((self.header.visualIndex(i), i) for i in range(len(keys)) if not self.header.isSectionHidden(i))
        return [keys[logical] for _, logical in visual]

    # -- events -----------------------------------------------------------------------------------
    def _on_model_reset(self) -> None:
        if not self._header_restored and self.model.columns():
            self._restore_header()
        empty = self.model.rowCount() == 0
        if self._fit_columns and not empty:
            self._fit_columns_to_contents()
        if empty:
            text = self.filter_edit.text().strip()
            self.empty_label.setText(
                f"Nothing matches “{text}”.\nClear the filter (Esc in the filter box) to see every {self.noun[0]}."
                if text and self._unfiltered is not None
                else self.empty_text
            )
        self.stack.setCurrentWidget(self.empty_label if empty else self.view)
        has_report = self.model.report() is not None
        self.download_button.setEnabled(has_report)
        self.export_button.setEnabled(has_report and not empty)
        self._emit_status()
        self.current_row_changed.emit(-1)

    @Slot(bool)  # a real slot: Qt drops the connection when the view goes
    def _times_changed(self, _utc: bool) -> None:
        """View → Times switched: the same rows, painted in the other zone."""
        if self.header.count():
            self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.header.count() - 1)
        self.view.viewport().update()

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid() and not index.parent().isValid():
            self.row_activated.emit(index.row())

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.parent().isValid():
            current = current.parent()
        self.current_row_changed.emit(current.row() if current.isValid() else -1)

    def _on_query_failed(self, message: str) -> None:
        answer = messages.choose(
            self,
            "The database cannot be read",
            message + "\n\nIf the database "
            "file was moved, or its disk or network share went away, bring it back "
            "and retry.",
            ["Retry", "Close"],
            icon=messages.Icon.Warning,
            escape="Close",
        )
        if answer == "Retry":
            self.model.refresh()

    def row_count(self) -> int:
        return self.model.rowCount()

    def status_text(self) -> str:
        if self.model.report() is None:
            return ""
        count = self.model.rowCount()
        text = f"{count:,} {self.noun[0] if count == 1 else self.noun[1]}"
        if self.filter_edit.text().strip():
            text += " match the filter"
        selected = len(self._selected_top_rows())
        if selected:
            text += f" · {selected:,} selected"
        return text

    def _emit_status(self, *_args) -> None:
        self.status_changed.emit(self.status_text())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._emit_status()

    def hideEvent(self, event) -> None:
        # A header change waiting to be saved is saved now, not later by a view out of sight.
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.save_state()
        super().hideEvent(event)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # -- selection, copy, export -------------------------------------------------------------------
    def _selected_top_rows(self) -> list[int]:
        """Selected table rows; in a tree, the selected top-level rows."""
        selection = self.view.selectionModel().selection()
        rows = set()
        for selected_range in selection:
            if not selected_range.parent().isValid():
                rows.update(range(selected_range.top(), selected_range.bottom() + 1))
        return sorted(rows)

    def _selected_indexes_in_order(self) -> list[QModelIndex]:
        """First-column indexes of every selected row (tree children too), in screen order."""
        return sorted(self.view.selectionModel().selectedRows(), key=_rows_from_top)

    def copy_selected_rows(self) -> None:
        """Selected rows as tab-separated text, visible columns only, with the header."""
        keys = self.visible_column_keys()
        columns = self._column_keys()
        lines = ["\t".join(self.model.columns()[columns.index(key)].title for key in keys)]
        for index in self._selected_indexes_in_order():
            cells = []
            for key in keys:
                cell = index.siblingAtColumn(columns.index(key)).data(Qt.ItemDataRole.DisplayRole) or ""
                cells.append(" ".join(str(cell).split()))  # tabs and newlines would break the grid
            lines.append("\t".join(cells))
        if len(lines) > 1:
            QGuiApplication.clipboard().setText("\n".join(lines) + "\n")

    def shown_report(self) -> ShownReport | None:
        report = self.model.report()
        if report is None:
            return None
        return ShownReport(report, self.visible_column_keys(), self.model.sort_key(), self.model.descending())

    def selected_report(self) -> Report | None:
        report = self.model.report()
        if report is None:
            return None
        if isinstance(self.model, ReportTreeModel):
            rows = [self.model.row_values(index) for index in self._selected_indexes_in_order()]
            return ShownReport(RowsReport(report, rows), self.visible_column_keys())
        ranges = [(r.top(), r.bottom() - r.top() + 1) for r in self.view.selectionModel().selection()]
        return ShownReport(
            report, self.visible_column_keys(), self.model.sort_key(), self.model.descending(), row_ranges=ranges
        )

    def download(self) -> None:
        if self._downloader is not None and self.model.report() is not None:
            self._downloader.download(self, self.model.report(), self._file_name())

    def export_shown(self) -> None:
        if self._downloader is not None and self.model.report() is not None:
            self._downloader.download(self, self.shown_report(), self._file_name())

    def export_selected(self) -> None:
        if self._downloader is None or self.model.report() is None:
            return
        if not self.view.selectionModel().hasSelection():
            messages.inform(
                self, "Export selected rows", "Select the rows to export first (click, Shift+click, Ctrl+A)."
            )
            return
        self._downloader.download(self, self.selected_report(), f"{self._file_name()} (selection)")

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )


def _rows_from_top(index: QModelIndex) -> list[int]:
    """Where a row sits: its row number at each level from the top (a tree row's screen order)."""
    rows = []
    while index.isValid():
        rows.insert(0, index.row())
        index = index.parent()
    return rows
