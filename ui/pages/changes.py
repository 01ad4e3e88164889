"""Changes: what changed in who has access between two dates, or what the last import or sync
brought in; narrowed to a package or a user, paged in SQL, downloadable."""

from datetime import datetime, timezone

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.audit_record import format_time
from desktop.change_runs import last_runs
from desktop.errors import DeskError, NotFound
from desktop.lookup import find_access_package
from desktop.reports.changes import ChangesReport
from models import User
from ui.dialogs import messages
from ui.dialogs.user_picker import deleted_label, pick_user
from ui.pages.base import Page, PageContext, page_title
from ui.times import shown_time, zone_name
from ui.widgets.date_range import DateRangePicker
from ui.widgets.report_view import ReportView

ANY_USER = "Any user"
BEGINNING = datetime.min.replace(tzinfo=timezone.utc)


class ChangesPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.user: User | None = None
        self._report: ChangesReport | None = None

        self.date_range = DateRangePicker(default="Last 30 days")
        self.package = QLineEdit()
        self.package.setAccessibleName("Access package")
        self.package.setPlaceholderText("name or ID")
        self.package.setClearButtonEnabled(True)
        self.package.returnPressed.connect(self.apply)
        self.user_button = QPushButton("Select user…")
        self.user_button.setToolTip("Only the changes of this user's assignments")
        self.user_button.clicked.connect(self.choose_user)
        self.user_label = QLabel(ANY_USER)
        self.clear_user_button = QPushButton("Clear")
        self.clear_user_button.setToolTip("Every user's changes")
        self.clear_user_button.setAccessibleName("Clear the user")
        self.clear_user_button.setEnabled(False)
        self.clear_user_button.clicked.connect(self.clear_user)
        self.last_run = QCheckBox("Only what the last import or sync changed")
        self.last_run.setToolTip("The changes the latest import or sync brought in, whatever the dates")
        self.last_run.toggled.connect(lambda checked: self.date_range.setEnabled(not checked))
        self.apply_button = QPushButton("Apply")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)

        grid = QGridLayout()
        grid.addWidget(QLabel("Date"), 0, 0)
        grid.addWidget(self.date_range, 0, 1)
        grid.addWidget(QLabel("Access package"), 0, 2)
        grid.addWidget(self.package, 0, 3)
        user_row = QHBoxLayout()
        for widget in (self.user_button, self.user_label, self.clear_user_button):
            user_row.addWidget(widget)
        grid.addWidget(QLabel("User"), 1, 0)
        grid.addLayout(user_row, 1, 1)
        grid.addWidget(self.last_run, 1, 2, 1, 2)
        grid.addWidget(self.apply_button, 0, 4)
        grid.setColumnStretch(3, 1)

        self.view = ReportView(
            "changes",
            noun=("change", "changes"),
            hidden_columns=("object_id", "access_package_id", "run_id", "request_id"),
            empty_text="No access changed in this range.\n\nWiden the date range or clear a filter, then select Apply.",
        )
        self.view.set_downloads(context.downloader, self._file_name)
        self.view.status_changed.connect(self.status_changed)
        self.range_label = QLabel()
        self.range_label.setObjectName("pageSubtitle")

        layout = QVBoxLayout(self)
        layout.addWidget(
            page_title(
                "Changes",
                "Assignments added, removed, expired or extended, resource roles added to or removed from "
                "packages, and policy changes: who did it, through which request, and where it came from.",
            )
        )
        layout.addLayout(grid)
        layout.addWidget(self.range_label)
        layout.addWidget(self.view, 1)
        self.apply()

    def build_report(self) -> ChangesReport:
        """The report the filters describe; raises DeskError for an unknown package or when
        no import or sync was recorded yet."""
        package = find_access_package(self.package.text()) if self.package.text().strip() else None
        if self.last_run.isChecked():
            runs = last_runs(1)
            if not runs:
                raise NotFound("No import or sync has been recorded in this database yet.")
            return ChangesReport(package=package, user=self.user, run=runs[0], actor=self.context.actor)
        since, until = self.date_range.bounds(datetime.now(timezone.utc))
        return ChangesReport(since, until, package=package, user=self.user, actor=self.context.actor)

    def apply(self) -> None:
        try:
            report = self.build_report()
        except DeskError as error:
            messages.inform(self, "Changes", str(error), icon=messages.Icon.Warning)
            return
        self._report = report
        self.range_label.setText(_range_text(report))
        self.view.set_source(lambda: self._report)

    def choose_user(self) -> None:
        # A user deleted since the range began still has its changes; with no start, any user.
        since, _ = self.date_range.bounds(datetime.now(timezone.utc))
        match = pick_user(self, "Select a user", deleted_after=since or BEGINNING)
        if match is not None:
            self.user = User.get_by_id(match.id)
            label = f"{self.user.display_name} · {self.user.principal_name}"
            if self.user.deleted_date_time is not None:
                label += f" · {deleted_label(self.user.deleted_date_time)}"
            self.user_label.setText(label)
            self.clear_user_button.setEnabled(True)
            self.apply()

    def clear_user(self) -> None:
        self.user = None
        self.user_label.setText(ANY_USER)
        self.clear_user_button.setEnabled(False)
        self.apply()

    def _file_name(self) -> str:
        report = self._report
        if report is not None and report.run is not None:
            return f"Changes of {report.run.source} {format_time(report.run.started_date_time)[:10]}"
        return "Changes"

    def reload(self) -> None:
        self.apply()

    def current_status(self) -> str:
        return self.view.status_text()

    def save_state(self) -> None:
        self.view.save_state()


def _range_text(report: ChangesReport) -> str:
    """The range and filters as the screen shows times (local with its zone, or UTC)."""
    since = shown_time(report.since) if report.since else "the beginning"
    until = shown_time(report.until) if report.until else "now"
    shown = [f"From {since} to {until} ({zone_name()})"]
    shown += [f"{label}: {value}" for label, value in report.filters() if not label.startswith(("Since", "Until"))]
    return " · ".join(shown)
