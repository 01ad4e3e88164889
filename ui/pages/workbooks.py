"""Workbooks, as Azure Monitor's for entitlement management: "Access package activity" (one
package's events in a time range) and "Application role assignment activity" (app role
grants and removals, with or without those entitlement management made). Each has its
grid (downloadable) and a chart of events per day (savable as PNG). The lists of packages
and applications, and the chart's counts, are read in the background."""

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.clock import Clock, SystemClock
from desktop.errors import DeskError
from desktop.reports.app_role_activity import AppRoleActivityReport, applications_with_activity
from desktop.reports.base import Report
from desktop.reports.package_activity import PackageActivityReport, packages_with_activity
from ui.dialogs import messages
from ui.background import read_in_background
from ui.jobs import Job
from ui.operations import Changes
from ui.pages.base import Page, PageContext, page_title
from ui.widgets.activity_chart import ActivityChart
from ui.widgets.report_view import ReportView

# The workbooks' time ranges: label -> desktop.reports.workbook range key.
TIME_RANGES = (
    ("Last 24 hours", "24h"),
    ("Last 7 days", "7d"),
    ("Last 30 days", "30d"),
    ("Last 90 days", "90d"),
    ("All", "all"),
)
OMIT, INCLUDE = "Omit", "Include"


class ActivityWorkbook(QWidget):
    """What both workbooks share: the time range, a choice among what had activity in it
    (filled in the background), the grid and the chart."""

    chooser_label = ""
    chooser_empty = ""

    def __init__(
        self,
        context: PageContext,
        clock: Clock,
        settings_key: str,
        noun: tuple[str, str],
        empty_text: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.clock = clock
        self.settings_key = settings_key
        self.choices_job: Job | None = None
        self.chart_job: Job | None = None
        self._report: Report | None = None

        self.time_range = QComboBox()
        self.time_range.setAccessibleName("Time range")
        for label, key in TIME_RANGES:
            self.time_range.addItem(label, key)
        self.time_range.setCurrentIndex(len(TIME_RANGES) - 1)  # All: the workbook's advice when unsure
        self.chooser = QComboBox()
        self.chooser.setAccessibleName(self.chooser_label)
        # Room for a package's name and id; sizing to the longest entry widened the window.
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chooser.setMinimumContentsLength(30)
        self.chooser.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.chooser.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.save_chart_button = QPushButton("Save chart as PNG…")
        self.save_chart_button.clicked.connect(self.save_chart)
        self.controls = QHBoxLayout()
        self.controls.addWidget(QLabel("Time range"))
        self.controls.addWidget(self.time_range)
        self.controls.addWidget(QLabel(self.chooser_label))
        self.controls.addWidget(self.chooser)

        self.view = ReportView(settings_key, noun=noun, empty_text=empty_text)
        self.view.set_downloads(context.downloader, self.file_name)
        self.chart = ActivityChart()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        saved = QSettings().value(f"workbooks/{settings_key}/splitter")
        if saved is not None:
            self.splitter.restoreState(saved)

        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        layout.addWidget(self.splitter, 1)
        self.time_range.currentIndexChanged.connect(self.load_choices)
        self.chooser.currentIndexChanged.connect(self.refresh)
        self.view.set_source(lambda: self._report)

    def finish_controls(self) -> None:
        """Subclasses add their own controls first; the PNG button closes the row."""
        self.controls.addStretch(1)
        self.controls.addWidget(self.save_chart_button)

    # -- what a workbook defines --------------------------------------------------------------------
    def read_choices(self, range_key: str, now) -> list[tuple[str, str]]:
        """(id, label) of what can be chosen in the range."""
        raise NotImplementedError

    def build_report(self) -> Report | None:
        raise NotImplementedError

    def file_name(self) -> str:
        raise NotImplementedError

    def chart_title(self) -> str:
        raise NotImplementedError

    def first_choices(self) -> list[tuple[str, str]]:
        """Entries listed before what had activity (none by default)."""
        return []

    def chosen_name(self) -> str:
        """The display name in the chosen entry's "displayName id" label."""
        return self.chooser.currentText().rsplit(" ", 1)[0]

    # -- loading ------------------------------------------------------------------------------------
    def range_key(self) -> str:
        return self.time_range.currentData()

    def loading(self) -> bool:
        return any(job is not None and job.running for job in (self.choices_job, self.chart_job))

    def load_choices(self) -> None:
        range_key, now, read = self.range_key(), self.clock.now(), self.read_choices
        self.choices_job = read_in_background(lambda: (range_key, read(range_key, now)), self._fill_choices)

    def _fill_choices(self, answer: tuple[str, list[tuple[str, str]]]) -> None:
        range_key, choices = answer
        if range_key != self.range_key():
            return  # an answer for a range no longer chosen
        current = self.chooser.currentData()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for data, label in self.first_choices() + choices:
            self.chooser.addItem(label, data)
        self.chooser.setPlaceholderText(f"Select an {self.chooser_label.lower()}" if choices else self.chooser_empty)
        index = self.chooser.findData(current) if current is not None else -1
        self.chooser.setCurrentIndex(index if index >= 0 else (0 if self.first_choices() else -1))
        self.chooser.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """The grid and, in the background, the chart for the current choices."""
        try:
            report = self.build_report()
        except DeskError as error:  # the acting user lost the role since the page opened
            messages.inform(self, "Workbooks", str(error), icon=messages.Icon.Warning)
            report = None
        self._report = report
        self.view.reload()
        if report is None:
            # Nothing chosen yet is not the same as nothing happened.
            self.chart.show_notice(
                f"Pick an {self.chooser_label.lower()}" if self.chooser.count() else self.chooser_empty
            )
            return
        self.chart_job = read_in_background(lambda: (report, report.daily_counts()), self._show_counts)

    def _show_counts(self, answer) -> None:
        report, counts = answer
        if report is self._report:  # not the counts of an earlier choice
            self.chart.set_counts(counts, self.chart_title())

    def reload(self) -> None:
        self.load_choices()

    def save_state(self) -> None:
        self.view.save_state()
        QSettings().setValue(f"workbooks/{self.settings_key}/splitter", self.splitter.saveState())

    def save_chart(self) -> Path | None:
        folder = QSettings().value("downloads/folder") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation
        )
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save chart", str(Path(folder) / f"{self.file_name()} chart.png"), "PNG image (*.png)"
        )
        if not chosen:
            return None
        path = Path(chosen) if chosen.lower().endswith(".png") else Path(chosen + ".png")
        if not self.chart.save_png(path):
            messages.inform(
                self,
                "Save chart",
                f"Cannot write {path}: check the folder exists and is writable.",
                icon=messages.Icon.Warning,
            )
            return None
        return path


class PackageActivityWorkbook(ActivityWorkbook):
    chooser_label = "Access package"
    chooser_empty = "No access package had activity in this range"

    def __init__(self, context: PageContext, clock: Clock, parent: QWidget | None = None):
        super().__init__(
            context,
            clock,
            "package-activity",
            ("event", "events"),
            "Select an access package to see its events.\n\nThe list holds the packages "
            "with activity in the time range; choose All if unsure.",
            parent,
        )
        self.finish_controls()
        self.load_choices()

    def read_choices(self, range_key: str, now) -> list[tuple[str, str]]:
        return packages_with_activity(range_key, now)

    def build_report(self) -> PackageActivityReport | None:
        package_id = self.chooser.currentData()
        if package_id is None:
            return None
        return PackageActivityReport(package_id, self.range_key(), now=self.clock.now(), actor=self.context.actor)

    def file_name(self) -> str:
        return f"Access package activity - {self.chosen_name() if self.chooser.currentData() else 'none chosen'}"

    def chart_title(self) -> str:
        return f"Events per day: {self.chosen_name()}"


class AppRoleActivityWorkbook(ActivityWorkbook):
    chooser_label = "Application"
    chooser_empty = "No application role assignment activity in this range"

    def __init__(self, context: PageContext, clock: Clock, parent: QWidget | None = None):
        super().__init__(
            context,
            clock,
            "app-role-activity",
            ("event", "events"),
            "No application role assignments were granted or removed in this range.",
            parent,
        )
        self.from_entitlements = QComboBox()
        self.from_entitlements.setAccessibleName("From entitlements?")
        self.from_entitlements.addItems([INCLUDE, OMIT])
        self.from_entitlements.setToolTip(
            "Omit the grants and removals entitlement management made, to see "
            "app role changes made directly (by an administrator, say)"
        )
        self.from_entitlements.currentIndexChanged.connect(self.refresh)
        self.controls.addWidget(QLabel("From entitlements?"))
        self.controls.addWidget(self.from_entitlements)
        self.finish_controls()
        self.load_choices()

    def first_choices(self) -> list[tuple[str, str]]:
        return [("", "All applications")]

    def read_choices(self, range_key: str, now) -> list[tuple[str, str]]:
        return [(app_id, f"{name} {app_id}") for app_id, name in applications_with_activity(range_key, now)]

    def application(self) -> tuple[str, str] | None:
        """(service principal id, display name) of the chosen application; None for all."""
        app_id = self.chooser.currentData()
        return (app_id, self.chosen_name()) if app_id else None

    def build_report(self) -> AppRoleActivityReport:
        return AppRoleActivityReport(
            self.application(),
            omit_entitlement_management=self.from_entitlements.currentText() == OMIT,
            range_key=self.range_key(),
            now=self.clock.now(),
            actor=self.context.actor,
        )

    def file_name(self) -> str:
        application = self.application()
        return f"Application role assignment activity - {application[1] if application else 'all applications'}"

    def chart_title(self) -> str:
        application = self.application()
        return f"Grants and removals per day: {application[1] if application else 'all applications'}"


class WorkbooksPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None, *, clock: Clock | None = None):
        super().__init__(context, parent)
        clock = clock or SystemClock()
        self.package_activity = PackageActivityWorkbook(context, clock)
        self.app_role_activity = AppRoleActivityWorkbook(context, clock)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.package_activity, "Access package activity")
        self.tabs.addTab(self.app_role_activity, "Application role assignment activity")
        for workbook in self.workbooks():
            workbook.view.status_changed.connect(self._view_status)
        self.tabs.currentChanged.connect(lambda _index: self._view_status())
        layout = QVBoxLayout(self)
        layout.addWidget(
            page_title(
                "Workbooks",
                "Events for an access package, and application role assignments made inside or "
                "outside entitlement management, over time.",
            )
        )
        layout.addWidget(self.tabs, 1)

    def workbooks(self) -> tuple[ActivityWorkbook, ActivityWorkbook]:
        return self.package_activity, self.app_role_activity

    def loading(self) -> bool:
        return any(workbook.loading() for workbook in self.workbooks())

    def current_status(self) -> str:
        return self.tabs.currentWidget().view.status_text()

    def _view_status(self, *_args) -> None:
        self.status_changed.emit(self.current_status())

    def shows(self, changes: Changes) -> bool:
        return changes.touches_audit()  # the workbooks count audit records

    def reload(self) -> None:
        for workbook in self.workbooks():
            workbook.reload()

    def refresh_after_change(self) -> None:
        self.reload()  # the choices and the chart are read in the background, then the grid

    def save_state(self) -> None:
        for workbook in self.workbooks():
            workbook.save_state()
