"""Reports: "Access packages for a user" (Can request / Assigned, with the policies and
resource roles behind the selected row) and "Resource assignments for a user" (a tree: a
resource reached through two or more packages expands into one row per package)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.reports.user_packages import AssignedPackagesReport, CanRequestReport
from desktop.reports.user_resources import ResourceAssignmentsReport
from models import User
from ui.dialogs import user_picker
from ui.item_models.formatting import display_text
from ui.operations import Changes
from ui.pages.base import Page, PageContext, page_title
from ui.widgets.as_of import AsOfPicker
from ui.widgets.report_view import ReportView

NO_USER = "Select a user to see their report."
SUBTITLE = "What a user can request, what they hold, and the resources it gives them."


class SelectionDetails(QFrame):
    """The multi-valued cells of the selected row (policies, resource roles), one small
    table each, as the admin center's "selection details"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("detailsPanel")
        self.heading = QLabel("Selection details")
        self.heading.setObjectName("sectionTitle")
        self.hint = QLabel("Select a row to see its policies and resource roles.")
        self.hint.setObjectName("pageSubtitle")
        self.tables: dict[str, QTableWidget] = {}
        self.sections = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addLayout(self.sections, 1)

    def show_details(self, view: ReportView, row: int) -> None:
        report = view.model.report()
        values = view.model.row_values(row) if row >= 0 else None
        for table in self.tables.values():
            table.parentWidget().hide()
        if report is None or values is None:
            self.hint.setText("Select a row to see its policies and resource roles.")
            return
        self.hint.setText(values[0] or "")
        for key, detail_columns in getattr(report, "detail_columns", {}).items():
            rows = report.details(values, key)
            table = self._table(key, detail_columns)
            title = next(column.title for column in report.columns if column.key == key)
            table.parentWidget().findChild(QLabel).setText(f"{title} ({len(rows)})")
            table.setRowCount(len(rows))
            for row_number, detail in enumerate(rows):
                for column_number, (column, value) in enumerate(zip(detail_columns, detail)):
                    table.setItem(row_number, column_number, QTableWidgetItem(display_text(value, column.type)))
            table.resizeColumnsToContents()
            table.parentWidget().show()

    def _table(self, key: str, detail_columns) -> QTableWidget:
        if key not in self.tables:
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(QLabel())
            table = QTableWidget(0, len(detail_columns))
            table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
            table.setObjectName(f"details-{key}")
            table.setHorizontalHeaderLabels([column.title for column in detail_columns])
            table.verticalHeader().hide()
            table.setWordWrap(False)
            table.setShowGrid(False)
            table.setAlternatingRowColors(True)
            table.horizontalHeader().setStretchLastSection(True)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            # Room for four rows (and a scroll bar under them), never one and a half.
            row_height = self.fontMetrics().height() + 8
            table.verticalHeader().setDefaultSectionSize(row_height)
            table.setMinimumHeight(
                table.horizontalHeader().sizeHint().height()
                + 4 * row_height
                + table.horizontalScrollBar().sizeHint().height()
                + 2 * table.frameWidth()
            )
            box_layout.addWidget(table)
            self.sections.addWidget(box)
            self.tables[key] = table
        return self.tables[key]


class ReportsPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.user: User | None = None

        self.select_button = QPushButton("Select users…")
        self.select_button.setToolTip("Choose the user whose access packages and resources to report")
        self.select_button.clicked.connect(self.choose_user)
        self.user_label = QLabel("No user selected")
        self.user_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.as_of = AsOfPicker()
        self.as_of.changed.connect(self._as_of_changed)
        user_row = QHBoxLayout()
        user_row.addWidget(self.select_button)
        user_row.addWidget(self.user_label, 1)
        user_row.addWidget(self.as_of)

        self.can_request_view = self._view(
            "user-can-request", ("access package", "access packages"), ("access_package_id",)
        )
        self.assigned_view = self._view(
            "user-assigned", ("assignment", "assignments"), ("assignment_id", "access_package_id")
        )
        self.package_tabs = QTabWidget()
        self.package_tabs.addTab(self.can_request_view, "Can request")
        self.package_tabs.addTab(self.assigned_view, "Assigned")
        self.details = SelectionDetails()
        self.can_request_view.current_row_changed.connect(
            lambda row: self.details.show_details(self.can_request_view, row)
        )
        self.assigned_view.current_row_changed.connect(lambda row: self.details.show_details(self.assigned_view, row))
        self.package_tabs.currentChanged.connect(self._package_tab_changed)
        self.packages_splitter = QSplitter(Qt.Orientation.Vertical)
        self.packages_splitter.addWidget(self.package_tabs)
        self.packages_splitter.addWidget(self.details)
        self.packages_splitter.setStretchFactor(0, 3)
        self.packages_splitter.setStretchFactor(1, 1)

        self.resources_view = self._view("user-resources", ("resource", "resources"), (), tree=True)

        self.report_tabs = QTabWidget()
        self.report_tabs.addTab(self.packages_splitter, "Access packages for a user")
        self.report_tabs.addTab(self.resources_view, "Resource assignments for a user")
        self.report_tabs.currentChanged.connect(self._emit_current_status)
        self.package_tabs.currentChanged.connect(self._emit_current_status)

        layout = QVBoxLayout(self)
        self.title = page_title("Reports", SUBTITLE)
        layout.addWidget(self.title)
        layout.addLayout(user_row)
        layout.addWidget(self.report_tabs, 1)
        for view in (self.can_request_view, self.assigned_view, self.resources_view):
            view.set_source(lambda: None)  # says to select a user, not an empty grid

    def _view(self, key: str, noun: tuple[str, str], hidden: tuple[str, ...], tree: bool = False) -> ReportView:
        view = ReportView(key, noun=noun, hidden_columns=hidden, tree=tree, empty_text=NO_USER)
        view.status_changed.connect(lambda text, shown=view: self._view_status(shown, text))
        return view

    def current_view(self) -> ReportView:
        if self.report_tabs.currentIndex() == 1:
            return self.resources_view
        return self.package_tabs.currentWidget()

    def _view_status(self, view: ReportView, text: str) -> None:
        if view is self.current_view():
            self.status_changed.emit(text)

    def current_status(self) -> str:
        return self.current_view().status_text()

    def _emit_current_status(self, *_args) -> None:
        self.status_changed.emit(self.current_status())

    def _package_tab_changed(self, _index: int) -> None:
        view = self.package_tabs.currentWidget()
        current = view.view.currentIndex()
        self.details.show_details(view, current.row() if current.isValid() else -1)

    def choose_user(self) -> None:
        # As of a past moment, users deleted since then are still in the report.
        match = user_picker.pick_user(self, "Select users", deleted_after=self.as_of.moment())
        if match is not None:
            self.select_user(User.get_by_id(match.id))

    def select_user(self, user: User) -> None:
        self.user = user
        label = f"{user.display_name} · {user.principal_name} · {user.user_type}"
        if user.deleted_date_time is not None:
            label += f" · {user_picker.deleted_label(user.deleted_date_time)}"
        self.user_label.setText(label)
        actor = self.context.actor
        as_of = self.as_of.moment()
        when = f" as of {as_of:%Y-%m-%d %H%M} UTC" if as_of else ""
        name = user.display_name
        self.can_request_view.empty_text = _nothing_to_request(user, as_of)
        self.assigned_view.empty_text = f"{name} has no access package assigned."
        self.resources_view.empty_text = (
            f"{name} holds no resource through entitlement management.\n\n"
            "They may still have access granted outside access packages."
        )
        for view, build, file_name in (
            (
                self.can_request_view,
                lambda: CanRequestReport(user, actor=actor, as_of=as_of),
                f"{name} access packages can request{when}",
            ),
            (
                self.assigned_view,
                lambda: AssignedPackagesReport(user, actor=actor, as_of=as_of),
                f"{name} access packages assigned{when}",
            ),
            (
                self.resources_view,
                lambda: ResourceAssignmentsReport(user, actor=actor, as_of=as_of),
                f"{name} resource assignments{when}",
            ),
        ):
            view.set_downloads(self.context.downloader, lambda text=file_name: text)
            view.filter_edit.clear()
            view.set_source(build)
        self.details.show_details(self.package_tabs.currentWidget(), -1)

    def shows(self, changes: Changes) -> bool:
        return changes.touches_assignments()  # a user's packages and resources

    def _as_of_changed(self) -> None:
        """Every tab follows the moment."""
        moment = self.as_of.describe()
        self.title.subtitle_label.setText(f"{SUBTITLE[:-1]}, {moment}." if moment else SUBTITLE)
        if self.user is not None:
            self.select_user(self.user)

    def reload(self) -> None:
        if self.user is not None:
            for view in (self.can_request_view, self.assigned_view, self.resources_view):
                view.reload()

    def save_state(self) -> None:
        for view in (self.can_request_view, self.assigned_view, self.resources_view):
            view.save_state()


def _nothing_to_request(user: User, as_of) -> str:
    """What an empty "Can request" tab says."""
    if as_of is not None:
        return f"{user.display_name} could request no access package then: no policy let them, or they were not in the directory."
    if user.deleted_date_time is not None:
        return f"{user.display_name} is deleted from the tenant: nobody can request access for them."
    return f"{user.display_name} cannot request any access package: no policy lets them."
