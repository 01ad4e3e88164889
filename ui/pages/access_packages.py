"""Access packages: the searchable list, and each package's assignments with a state filter
and Download (the admin center's Access packages > package > Assignments > Download)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from desktop.reports.access_packages import AccessPackagesReport
from desktop.reports.assignments import AssignmentsReport
from models import AccessPackage
from ui.operations import Changes
from ui.pages.base import Page, PageContext, page_title
from ui.widgets.as_of import AsOfPicker
from ui.widgets.report_view import ReportView

# The state filter, as the admin center offers it: label -> AssignmentsReport state.
STATE_CHOICES = (("Delivered", "delivered"), ("Delivering", "delivering"), ("Expired", "expired"), ("All", "all"))


class AccessPackagesPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.package: AccessPackage | None = None

        # The list
        self.list_view = ReportView(
            "access-packages",
            noun=("access package", "access packages"),
            hidden_columns=("id", "created"),
            empty_text="There are no access packages in this database yet.\n\nImport a tenant "
            "with entitlement-desk-cli, or start with the demo tenant: entitlement-desk --demo.",
        )
        self.list_view.set_downloads(context.downloader, lambda: "Access packages")
        self.download_all_button = QPushButton("Download all assignments")
        self.download_all_button.setToolTip("Every assignment of every access package, in one file")
        self.download_all_button.clicked.connect(self.download_all_assignments)
        self.list_view.add_tool_widget(self.download_all_button)
        self.list_view.row_activated.connect(self.open_row)
        self.list_view.status_changed.connect(self.status_changed)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.addWidget(
            page_title(
                "Access packages", "Double-click a package, or select it and press Enter, to see its assignments."
            )
        )
        list_layout.addWidget(self.list_view, 1)

        # One package
        self.back_button = QPushButton("← Access packages")
        self.back_button.setFlat(True)
        self.back_button.clicked.connect(self.show_list)
        self.package_title = page_title("", "")
        self.state_filter = QComboBox()
        self.state_filter.setAccessibleName("Assignment state")
        for label, state in STATE_CHOICES:
            self.state_filter.addItem(label, state)
        self.state_filter.currentIndexChanged.connect(self._state_changed)
        self.assignments_view = ReportView(
            "assignments",
            noun=("assignment", "assignments"),
            # The page names the package; State, Start and End are what the admin came for.
            hidden_columns=(
                "access_package",
                "access_package_id",
                "email",
                "object_id",
                "user_type",
                "assignment_id",
                "status",
            ),
            empty_text="No assignments in this state.\n\nChoose another state, or All.",
        )
        self.assignments_view.add_tool_widget(QLabel("State:"))
        self.assignments_view.add_tool_widget(self.state_filter)
        self.as_of = AsOfPicker()
        self.as_of.changed.connect(self._state_changed)
        self.assignments_view.add_tool_widget(self.as_of)
        self.assignments_view.set_downloads(context.downloader, self._download_name)
        self.assignments_view.status_changed.connect(self.status_changed)
        package_page = QWidget()
        package_layout = QVBoxLayout(package_page)
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_button)
        back_row.addStretch(1)
        package_layout.addLayout(back_row)
        package_layout.addWidget(self.package_title)
        self.assignments_heading = QLabel("Assignments")
        self.assignments_heading.setObjectName("sectionTitle")
        package_layout.addWidget(self.assignments_heading)
        package_layout.addWidget(self.assignments_view, 1)
        back = QAction("Back to access packages", package_page)
        back.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Back))
        back.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.triggered.connect(self.show_list)
        package_page.addAction(back)

        self.pages = QStackedWidget()
        self.pages.addWidget(list_page)
        self.pages.addWidget(package_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.list_view.set_source(lambda: AccessPackagesReport(actor=context.actor))

    def shows(self, changes: Changes) -> bool:
        return changes.touches_assignments()  # the packages and their assignments

    def reload(self) -> None:
        self.list_view.reload()
        if self.package is not None:
            self.assignments_view.reload()

    def current_status(self) -> str:
        view = self.assignments_view if self.pages.currentIndex() == 1 else self.list_view
        return view.status_text()

    def save_state(self) -> None:
        self.list_view.save_state()
        self.assignments_view.save_state()

    def open_row(self, row: int) -> None:
        package = AccessPackage.get_or_none(AccessPackage.id == self.list_view.model.value(row, "id"))
        if package is not None:
            self.open_package(package)

    def open_package(self, package: AccessPackage) -> None:
        self.package = package
        self.package_title.title_label.setText(package.display_name)
        self.package_title.subtitle_label.setText(
            " · ".join(part for part in (f"Catalog: {package.catalog.display_name}", package.description) if part)
        )
        self.pages.setCurrentIndex(1)
        self.assignments_view.filter_edit.clear()
        self.assignments_view.set_source(self._assignments_report)
        self.assignments_view.view.setFocus()

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)
        self.status_changed.emit(self.current_status())
        self.list_view.view.setFocus()

    def _assignments_report(self) -> AssignmentsReport:
        return AssignmentsReport(
            self.package, self.state_filter.currentData(), actor=self.context.actor, as_of=self.as_of.moment()
        )

    def _download_name(self) -> str:
        moment = self.as_of.moment()
        as_of = f" as of {moment:%Y-%m-%d %H%M} UTC" if moment else ""
        return f"{self.package.display_name} assignments{as_of}"

    def _state_changed(self) -> None:
        self.assignments_heading.setText(" ".join(part for part in ("Assignments", self.as_of.describe()) if part))
        if self.package is not None:
            self.assignments_view.reload()

    def download_all_assignments(self) -> None:
        report = AssignmentsReport(None, "all", actor=self.context.actor)
        self.context.downloader.download(self, report, "All access package assignments")
