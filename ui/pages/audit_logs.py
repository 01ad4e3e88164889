"""Audit logs, as the admin center's Entitlement management > Audit logs: filters applied
with Apply, a table paged in SQL, the selected record's details (targets, modified
properties, full JSON), its request's status, and downloads of exactly the filtered set."""

import re
from datetime import datetime

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.clock import Clock, SystemClock
from desktop.errors import DeskError
from desktop.lifecycle import Lifecycle
from desktop.lookup import find_access_package
from desktop.reports.audit import AuditLogReport, audit_activities, audit_categories, audit_document
from models.audit import AUDIT_RESULTS
from ui.dialogs import messages
from ui.dialogs.audit_download import EntraLayoutDownloader
from ui.dialogs.request_timeline import open_request_timeline
from ui.background import read_in_background
from ui.jobs import Job
from ui.operations import Changes
from ui.pages.base import Page, PageContext, page_title
from ui.times import SECONDS, shown_time, zone_name
from ui.widgets.date_range import DateRangePicker
from ui.widgets.json_view import JsonView
from ui.widgets.report_view import ReportView

ANY = "All"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TARGET_COLUMNS = (
    "Target type",
    "Display name",
    "Object ID",
    "User principal name",
    "Modified property",
    "Old value",
    "New value",
)


def target_rows(document: dict) -> list[tuple]:
    """One row per modified property of each target; a target without any gets one row."""
    rows = []
    for target in document.get("targetResources") or ():
        head = (target.get("type"), target.get("displayName"), target.get("id"), target.get("userPrincipalName"))
        properties = target.get("modifiedProperties") or [{}]
        for prop in properties:
            rows.append(head + (prop.get("displayName"), prop.get("oldValue"), prop.get("newValue")))
    return rows


def _shown_record_time(text: str | None) -> str | None:
    """A record's Graph time ("2026-03-01T23:59:00Z") as the screen shows times, zone named."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return f"{shown_time(moment, SECONDS)} {zone_name(moment)}"


class AuditDetails(QFrame):
    """The selected record: what happened, its targets and modified properties, its JSON."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("detailsPanel")
        self.document: dict | None = None
        self.heading = QLabel("Select a record")
        self.heading.setObjectName("noticeTitle")
        self.heading.setWordWrap(True)
        self.summary = QLabel("Its targets, modified properties and full JSON show here.")
        self.summary.setObjectName("pageSubtitle")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_button = QPushButton("Request status")
        self.request_button.setToolTip("The timeline of the request this record belongs to (its correlation ID)")
        self.targets = QTableWidget(0, len(TARGET_COLUMNS))
        self.targets.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.targets.setHorizontalHeaderLabels(TARGET_COLUMNS)
        self.targets.verticalHeader().hide()
        self.targets.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.targets.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.targets.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.targets.setWordWrap(False)
        self.targets.horizontalHeader().setStretchLastSection(True)
        self.targets.setAccessibleName("Targets and modified properties")
        self.json_view = JsonView("Full record (Microsoft Graph JSON)")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.request_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Targets and modified properties"))
        layout.addWidget(self.targets, 1)
        layout.addWidget(self.json_view, 2)
        self.show_document(None)

    def show_document(self, document: dict | None) -> None:
        self.document = document
        self.json_view.set_document(document)
        rows = target_rows(document) if document else []
        self.targets.setRowCount(len(rows))
        for number, row in enumerate(rows):
            for column, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                item.setToolTip(item.text())  # a long value cut by its column reads in full here
                self.targets.setItem(number, column, item)
        self.targets.resizeColumnsToContents()
        if document is None:
            self.heading.setText("Select a record")
            self.summary.setText("Its targets, modified properties and full JSON show here.")
            self.request_button.setEnabled(False)
            return
        initiator = document.get("initiatedBy") or {}
        actor = (initiator.get("user") or {}).get("userPrincipalName") or (initiator.get("app") or {}).get(
            "displayName"
        )
        self.heading.setText(document.get("activityDisplayName") or "")
        self.summary.setText(
            " · ".join(
                part
                for part in (
                    _shown_record_time(document.get("activityDateTime")),
                    document.get("category"),
                    document.get("result"),
                    f"by {actor}" if actor else None,
                    f"correlation ID {document['correlationId']}" if document.get("correlationId") else None,
                )
                if part
            )
        )
        self.request_button.setEnabled(bool(document.get("correlationId")))

    def correlation_id(self) -> str | None:
        return self.document.get("correlationId") if self.document else None


def empty_hint(report: AuditLogReport | None) -> str:
    """What an empty table says: the filters that left nothing, and what to change."""
    filters = report.filters() if report is not None else []
    if not filters:
        return (
            "The audit log holds no records yet.\n\nImport the admin center's audit-log downloads with File → Import…."
        )
    applied = "\n".join(f"{label}: {value}" for label, value in filters)
    only_dates = all(label.startswith(("Since", "Until")) for label, _ in filters)
    advice = "Widen the date range" if only_dates else "Clear or change one of these filters (Reset clears them all)"
    return f"No audit records match\n{applied}\n\n{advice}, then select Apply."


class AuditLogsPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None, *, clock: Clock | None = None):
        super().__init__(context, parent)
        self.clock = clock or SystemClock()
        self.lifecycle = Lifecycle(self.clock)
        self.choices_job: Job | None = None  # None until the table has painted
        self._report: AuditLogReport | None = None

        # Filters (the admin center's: applied together with Apply)
        # An offline database may be far older than today: nothing is hidden until asked.
        self.date_range = DateRangePicker(default="All")
        self.category = self._combo("Category", shown_characters=22)
        self.activity = self._combo("Activity", shown_characters=34)
        self.result = self._combo("Result", shown_characters=10)
        self.result.addItems(AUDIT_RESULTS[:3])
        self.initiated_by = self._edit("Initiated by (actor)", "UPN or name starts with…")
        self.target = self._edit("Target", "UPN or name starts with…")
        self.correlation_id = self._edit("Correlation ID", "a request ID")
        self.access_package = self._edit("Access package", "name or ID")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        self.reset_button = QPushButton("Reset")
        self.reset_button.clicked.connect(self.reset_filters)

        # Three filters a row: at 1280×800 every field shows its choice and its hint in full,
        # and a long activity name never pushes the window wider than the screen.
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        cells = (
            ("&Date", self.date_range),
            ("Cate&gory", self.category),
            ("Acti&vity", self.activity),
            ("Res&ult", self.result),
            ("&Initiated by", self.initiated_by),
            ("&Target", self.target),
            ("Co&rrelation ID", self.correlation_id),
            ("Access pac&kage", self.access_package),
        )
        for number, (label, widget) in enumerate(cells):
            row, column = divmod(number, 3)
            caption = QLabel(label)
            caption.setBuddy(widget.choice if isinstance(widget, DateRangePicker) else widget)
            grid.addWidget(caption, row, column * 2)
            grid.addWidget(widget, row, column * 2 + 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.reset_button)
        grid.addLayout(buttons, 2, 4, 1, 2)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)

        # The table and the details
        self.view = ReportView(
            "audit-log",
            noun=("record", "records"),
            # Service repeats what Category says; Activity needs the room, in full.
            hidden_columns=("service", "result_reason", "access_package_id", "id"),
            full_width_columns=("activity",),
            leading_columns=("date", "activity"),
            empty_text=empty_hint(None),
        )
        self.view.set_downloads(context.downloader, lambda: "Audit logs")
        self.entra_downloader = EntraLayoutDownloader(context.downloader, self)
        self.entra_button = QPushButton("Download (Entra CSV)")
        self.entra_button.setToolTip(
            "The filtered records as a CSV file in the layout the Entra admin center downloads (86 columns)"
        )
        self.entra_button.clicked.connect(self.download_entra_layout)
        self.view.add_tool_widget(self.entra_button)
        self.view.status_changed.connect(self.status_changed)
        self.view.current_row_changed.connect(self.show_row)
        self.view.row_activated.connect(self.open_row_request)
        self.request_action = QAction("Request status…", self)
        self.request_action.triggered.connect(self.open_current_request)
        self.only_request_action = QAction("Show only this request's records", self)
        self.only_request_action.triggered.connect(self.filter_current_request)
        self.copy_json_action = QAction("Copy record JSON", self)
        self.copy_json_action.triggered.connect(self.copy_record_json)
        for action in (self.request_action, self.only_request_action, self.copy_json_action):
            self.view.view.addAction(action)
        self.view.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.details = AuditDetails()
        self.details.request_button.clicked.connect(self.open_current_request)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("auditSplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        saved = QSettings().value("audit-logs/splitter")
        if saved is not None:
            self.splitter.restoreState(saved)

        layout = QVBoxLayout(self)
        layout.addWidget(
            page_title(
                "Audit logs",
                "Entitlement management and directory audit records. Change the filters and select Apply; "
                "double-click a record to follow its request.",
            )
        )
        layout.addLayout(grid)
        layout.addWidget(self.splitter, 1)
        self._update_record_actions()

        self._report = self.build_report()
        self.view.empty_text = empty_hint(self._report)
        self.view.set_source(lambda: self._report)
        # The drop-downs fill once the table (or its empty state) has painted: their DISTINCT
        # queries would otherwise compete with the first rows for the processor.
        self._first_paint_watched = (self.view.view.viewport(), self.view.empty_label)
        for widget in self._first_paint_watched:
            widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and watched in self._first_paint_watched:
            for widget in self._first_paint_watched:
                widget.removeEventFilter(self)
            self._first_paint_watched = ()
            QTimer.singleShot(0, self.load_choices)
        return super().eventFilter(watched, event)

    # -- filters --------------------------------------------------------------------------------
    @staticmethod
    def _combo(name: str, shown_characters: int) -> QComboBox:
        """Wide enough for `shown_characters` of the choice, whatever the longest choice is
        (sizing to the longest would widen the window once the choices arrive)."""
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.addItem(ANY)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(shown_characters)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)  # the open list shows every name in full
        return combo

    def _edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(placeholder) + 40)
        edit.setClearButtonEnabled(True)
        edit.returnPressed.connect(self.apply)
        return edit

    def load_choices(self) -> None:
        """Fill Category and Activity with what the log holds. DISTINCT over a million records
        takes a moment, so it runs in the background; the table does not wait for it. Activity
        lists every activity present, whatever the category: narrowing it by category would
        read every record of the category (no index holds both)."""
        self.choices_job = read_in_background(lambda: (audit_categories(), audit_activities()), self._fill_choices)

    def choices_loading(self) -> bool:
        return self.choices_job is None or self.choices_job.running

    def _fill_choices(self, answer: tuple[list[str], list[str]]) -> None:
        categories, activities = answer
        self._fill(self.category, categories)
        self._fill(self.activity, activities)

    @staticmethod
    def _fill(combo: QComboBox, values: list[str]) -> None:
        """Replace the choices, keeping the chosen one when it is still there."""
        current = combo.currentText()
        combo.clear()
        combo.addItem(ANY)
        combo.addItems(values)
        combo.setCurrentIndex(max(0, combo.findText(current)))

    @staticmethod
    def _chosen(combo: QComboBox) -> str | None:
        text = combo.currentText()
        return None if text == ANY else text

    def build_report(self) -> AuditLogReport:
        """The report the filters describe; raises DeskError for an unknown access package."""
        since, until = self.date_range.bounds(self.clock.now())
        package_text = self.access_package.text().strip()
        package_id = None
        if package_text:
            package_id = package_text if _GUID.match(package_text) else find_access_package(package_text).id
        return AuditLogReport(
            since=since,
            until=until,
            category=self._chosen(self.category),
            activity=self._chosen(self.activity),
            result=self._chosen(self.result),
            initiated_by=self.initiated_by.text().strip() or None,
            target=self.target.text().strip() or None,
            correlation_id=self.correlation_id.text().strip() or None,
            access_package_id=package_id,
            actor=self.context.actor,
        )

    def apply(self) -> None:
        try:
            report = self.build_report()
        except DeskError as error:
            messages.inform(self, "Audit logs", str(error), icon=messages.Icon.Warning)
            return
        self._report = report
        self.view.empty_text = empty_hint(report)
        self.view.reload()

    def _clear_filters(self) -> None:
        self.date_range.select("All")
        for combo in (self.category, self.activity, self.result):
            combo.setCurrentIndex(0)
        for edit in (self.initiated_by, self.target, self.correlation_id, self.access_package):
            edit.clear()

    def reset_filters(self) -> None:
        self._clear_filters()
        self.apply()

    def current_status(self) -> str:
        return self.view.status_text()

    def shows(self, changes: Changes) -> bool:
        return changes.touches_audit()  # audit records

    def reload(self) -> None:
        self.apply()
        self.load_choices()

    def refresh_after_change(self) -> None:
        super().refresh_after_change()
        self.load_choices()  # an import may bring new categories and activities

    def save_state(self) -> None:
        self.view.save_state()
        QSettings().setValue("audit-logs/splitter", self.splitter.saveState())

    # -- the selected record ----------------------------------------------------------------------
    def show_row(self, row: int) -> None:
        event_id = self.view.model.value(row, "id") if row >= 0 else None
        try:
            self.details.show_document(audit_document(event_id) if event_id else None)
        except DeskError:
            self.details.show_document(None)  # removed since the page was read
        self._update_record_actions()

    def _update_record_actions(self) -> None:
        has_record = self.details.document is not None
        has_request = self.details.correlation_id() is not None
        self.request_action.setEnabled(has_request)
        self.only_request_action.setEnabled(has_request)
        self.copy_json_action.setEnabled(has_record)

    def open_row_request(self, row: int) -> None:
        correlation_id = self.view.model.value(row, "correlation_id")
        if correlation_id:
            open_request_timeline(self, correlation_id, self.context.actor, self.lifecycle)

    def open_current_request(self) -> None:
        correlation_id = self.details.correlation_id()
        if correlation_id:
            open_request_timeline(self, correlation_id, self.context.actor, self.lifecycle)

    def filter_current_request(self) -> None:
        """Every record of the selected record's request, whatever the other filters were."""
        correlation_id = self.details.correlation_id()
        if correlation_id:
            self._clear_filters()
            self.correlation_id.setText(correlation_id)
            self.apply()

    def copy_record_json(self) -> None:
        self.details.json_view.copy()

    # -- downloads --------------------------------------------------------------------------------
    def download_entra_layout(self) -> None:
        report = self.view.report()
        if report is not None:
            self.entra_downloader.download(self, report, "Audit logs (Entra layout)")
