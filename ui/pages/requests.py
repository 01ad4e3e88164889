"""Requests: the acting user's pending approvals (approve or deny), every request with a state
filter, direct assignment, removing a delivered assignment, and processing what time made
due (stage timeouts, expiries). Every change goes through the lifecycle controller."""

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.lifecycle import Lifecycle, Processed
from desktop.permissions import Action, why_not
from desktop.reports.requests import STATE_FILTERS, RequestsReport
from models import Assignment
from ui.dialogs import messages
from ui.dialogs.decision import decide
from ui.dialogs.new_assignment import NewAssignmentDialog
from ui.dialogs.request_timeline import open_request_timeline
from ui.jobs import Job
from ui.operations import LIFECYCLE_CHANGES, Changes, run_operation
from ui.pages.base import Page, PageContext, page_title
from ui.widgets.report_view import ReportView


class RequestsPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None, *, lifecycle: Lifecycle | None = None):
        super().__init__(context, parent)
        self.lifecycle = lifecycle or Lifecycle()
        actor = context.actor
        # Deciding needs no role (the controller checks the approver); the rest does.
        self.manage_refusal = why_not(actor, Action.MANAGE_REQUESTS)
        self.process_job: Job | None = None
        self.remove_job: Job | None = None

        self.new_button = QPushButton("New assignment…")
        self.new_button.setToolTip("Assign an access package to a user directly")
        self.new_button.clicked.connect(self.new_assignment)
        self.process_button = QPushButton("Process due items…")
        self.process_button.setToolTip(
            "Time out approval stages nobody decided in time and end assignments whose end date has passed"
        )
        self.process_button.clicked.connect(self.process_due)
        for button in (self.new_button, self.process_button):
            button.setEnabled(self.manage_refusal is None)
            if self.manage_refusal:
                button.setToolTip(self.manage_refusal)
        top = QHBoxLayout()
        top.addWidget(
            page_title(
                "Requests",
                "Requests waiting for your decision, every request with its state, and direct "
                "assignments. Double-click a request to see its timeline.",
            ),
            1,
        )
        top.addWidget(self.new_button)
        top.addWidget(self.process_button)

        # Pending approvals of the acting user
        self.pending_view = ReportView(
            "pending-approvals",
            noun=("request waiting for you", "requests waiting for you"),
            hidden_columns=("requestor", "target_upn", "completed", "id", "type"),
            empty_text="No request waits for your decision.",
        )
        self.approve_button = QPushButton("Approve…")
        self.deny_button = QPushButton("Deny…")
        self.pending_status_button = QPushButton("Request status")
        self.approve_button.clicked.connect(lambda: self.decide_current(True))
        self.deny_button.clicked.connect(lambda: self.decide_current(False))
        self.pending_status_button.clicked.connect(lambda: self.open_timeline(self.pending_view))
        for button in (self.approve_button, self.deny_button, self.pending_status_button):
            self.pending_view.add_tool_widget(button)
        self.pending_view.row_activated.connect(lambda _row: self.open_timeline(self.pending_view))
        self.pending_view.current_row_changed.connect(self._update_decision_buttons)
        self.pending_view.status_changed.connect(self._view_status)

        # Every request
        self.state_filter = QComboBox()
        self.state_filter.setAccessibleName("Request state")
        for state in STATE_FILTERS:
            self.state_filter.addItem("All states" if state == "all" else state, state)
        self.state_filter.currentIndexChanged.connect(self._reload_requests)
        self.requests_view = ReportView(
            "requests",
            noun=("request", "requests"),
            hidden_columns=("target_upn", "id"),
            empty_text="No requests in this state.\n\nChoose another state, or All states.",
            parent=self,
        )
        self.requests_view.set_downloads(context.downloader, lambda: "Access package assignment requests")
        self.requests_view.add_tool_widget(QLabel("State:"))
        self.requests_view.add_tool_widget(self.state_filter)
        self.status_button = QPushButton("Request status")
        self.remove_button = QPushButton("Remove assignment…")
        self.remove_button.setToolTip("End the assignment this delivered request created")
        self.status_button.clicked.connect(lambda: self.open_timeline(self.requests_view))
        self.remove_button.clicked.connect(self.remove_assignment)
        self.requests_view.add_tool_widget(self.status_button)
        self.requests_view.add_tool_widget(self.remove_button)
        self.requests_view.row_activated.connect(lambda _row: self.open_timeline(self.requests_view))
        self.requests_view.current_row_changed.connect(self._update_request_buttons)
        self.requests_view.status_changed.connect(self._view_status)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.pending_view, "Pending approvals")
        if self.manage_refusal is None:
            self.tabs.addTab(self.requests_view, "All requests")
        else:
            refusal = QLabel(self.manage_refusal)
            refusal.setObjectName("emptyState")
            refusal.setWordWrap(True)
            self.tabs.addTab(refusal, "All requests")
            self.requests_view.hide()  # owned by the page, never shown
        self.tabs.currentChanged.connect(lambda _index: self._view_status())

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.pending_view.set_source(self._pending_report)
        if self.manage_refusal is None:
            self.requests_view.set_source(self._requests_report)
        self._update_buttons()

    # -- reports ----------------------------------------------------------------------------------
    def _pending_report(self) -> RequestsReport | None:
        actor = self.context.actor
        return RequestsReport(pending_for=actor, actor=actor) if actor is not None else None

    def _requests_report(self) -> RequestsReport:
        return RequestsReport(self.state_filter.currentData(), actor=self.context.actor)

    def _reload_requests(self) -> None:
        if self.manage_refusal is None:
            self.requests_view.reload()
        self._update_buttons()

    def reload(self) -> None:
        self.pending_view.reload()
        self._reload_requests()

    def save_state(self) -> None:
        self.pending_view.save_state()
        self.requests_view.save_state()

    def shows(self, changes: Changes) -> bool:
        return changes.touches_requests()

    def current_status(self) -> str:
        view = self.current_view()
        return view.status_text() if view is not None else ""

    def _view_status(self, *_args) -> None:
        self.status_changed.emit(self.current_status())

    def current_view(self) -> ReportView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ReportView) else None

    # -- the selected request ----------------------------------------------------------------------
    @staticmethod
    def selected_request_id(view: ReportView) -> str | None:
        row = view.view.currentIndex().row()
        return view.model.value(row, "id") if row >= 0 else None

    def active_assignment(self) -> Assignment | None:
        """The still active assignment the selected (add) request delivered, if any."""
        request_id = self.selected_request_id(self.requests_view)
        return self.lifecycle.removable_assignment(request_id) if request_id else None

    def _update_buttons(self, *_args) -> None:
        self._update_decision_buttons()
        self._update_request_buttons()

    def _update_decision_buttons(self, *_args) -> None:
        pending = self.selected_request_id(self.pending_view) is not None
        for button in (self.approve_button, self.deny_button, self.pending_status_button):
            button.setEnabled(pending)

    def _update_request_buttons(self, *_args) -> None:
        """Remove looks the selected request's assignment up: only when that selection changes
        (the queue's rows arriving after a write leave it alone)."""
        self.status_button.setEnabled(self.selected_request_id(self.requests_view) is not None)
        self.remove_button.setEnabled(self.active_assignment() is not None)

    def open_timeline(self, view: ReportView) -> None:
        request_id = self.selected_request_id(view)
        if request_id:
            open_request_timeline(self, request_id, self.context.actor, self.lifecycle)

    # -- actions ---------------------------------------------------------------------------------
    def decide_current(self, approve: bool) -> None:
        request_id = self.selected_request_id(self.pending_view)
        if request_id:
            decide(self, self.lifecycle, self.context.actor, request_id, approve)

    def new_assignment(self) -> NewAssignmentDialog | None:
        dialog = NewAssignmentDialog(self.lifecycle, self.context.actor, self)
        dialog.exec()
        return dialog

    def remove_assignment(self) -> None:
        assignment = self.active_assignment()
        if assignment is None:
            return
        target, package = assignment.target, assignment.access_package
        answer = messages.choose(
            self,
            "Remove assignment",
            f"Remove {target.display_name}'s assignment of {package.display_name}?\n\nTheir access to the "
            "package's resources ends now; the removal is written to the audit log.",
            ["Remove", "Cancel"],
            icon=messages.Icon.Warning,
            escape="Cancel",
        )
        if answer != "Remove":
            return
        actor, lifecycle, assignment_id = self.context.actor, self.lifecycle, assignment.id
        self.remove_button.setEnabled(False)
        self.remove_job = run_operation(
            self,
            "Remove assignment",
            lambda: lifecycle.remove_assignment(actor, assignment_id),
            changes=LIFECYCLE_CHANGES,
        )
        # On success the tables read again off the UI thread and reset the buttons; a failure
        # leaves the selection, whose assignment is looked up again.
        self.remove_job.failed.connect(self._update_request_buttons)

    def process_due(self) -> None:
        """Timeouts and expiries up to now; the scan may touch many rows, so it shows progress."""
        lifecycle, actor = self.lifecycle, self.context.actor
        self.process_job = run_operation(
            self,
            "Process due items",
            lambda _context: lifecycle.process_due(actor),
            changes=LIFECYCLE_CHANGES,
            on_success=self._processed,
            progress="Timing out overdue approvals and ending expired assignments…",
        )

    def _processed(self, processed: Processed) -> None:
        messages.inform(
            self,
            "Process due items",
            processed.summary(),
            icon=messages.Icon.Warning if processed.skipped else messages.Icon.Information,
        )
