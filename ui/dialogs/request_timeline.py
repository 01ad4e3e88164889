"""A request's status, as "Determine the status of a user's request" reads it from the audit
log: every step in order (time, activity, who, approvers added, decisions, justifications)
and the current state with what it waits for. Read from the request history report; it
refreshes on Refresh and whenever a decision is made in this app."""

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import DeskError
from desktop.lifecycle import Lifecycle
from desktop.reports.request_history import RequestDecisionsReport, RequestHistoryReport, RequestState
from desktop.reports.request_timeline import TimelineStep, timeline_steps
from models import User
from ui.background import read_in_background
from ui.dialogs import messages
from ui.dialogs.decision import decide
from ui.item_models.formatting import header_text
from ui.request_events import request_events
from ui.times import SECONDS, header, shown_time, zone_name

MAX_COLUMN_WIDTH = 260


def local_time(moment: datetime | None) -> str:
    """A time of the request as the screen shows times (View → Times), to the second."""
    return shown_time(moment, SECONDS)


def zoned_time(moment: datetime | None) -> str:
    """A time in running text, where no header names its zone: "2026-03-07 00:24:35 IST, UTC+05:30"."""
    return f"{local_time(moment)} ({zone_name(moment)})" if moment else ""


def waiting_text(state: RequestState | None) -> str:
    """The current state in words, with what a pending request waits for."""
    if state is None:
        return (
            "Only this request's audit records are in the database (imported), not the request itself: "
            "its current state is unknown."
        )
    text = f"{state.state} ({state.status})"
    if state.waiting is not None:
        approvers = ", ".join(state.waiting.approvers) or "nobody (no approver could be resolved)"
        text += f" — waiting for stage {state.waiting.stage}: {approvers}"
        if state.waiting.timeout is not None:
            text += f". Times out {zoned_time(state.waiting.timeout)} unless an approver decides."
    elif state.completed is not None:
        text += f" — completed {zoned_time(state.completed)}"
    return text


class TimelineModel(QAbstractTableModel):
    """The steps of one request (a few dozen at most)."""

    HEADERS = ("#", "Time", "Category", "Activity", "Result", "Initiated by", "Details")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._steps: list[TimelineStep] = []

    def set_steps(self, steps: list[TimelineStep]) -> None:
        self.beginResetModel()
        self._steps = list(steps)
        self.endResetModel()

    def steps(self) -> list[TimelineStep]:
        return list(self._steps)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._steps)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        step = self._steps[index.row()]
        values = (
            str(index.row() + 1),
            local_time(step.time),
            step.category,
            step.activity,
            step.result,
            step.initiated_by or "",
            step.details,
        )
        return values[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return header(self.HEADERS[section]) if self.HEADERS[section] == "Time" else self.HEADERS[section]
        return None


@dataclass(frozen=True)
class TimelineRead:
    """A request's state, steps and decisions as read, and whether it waits for the acting user."""

    state: RequestState | None
    steps: list[TimelineStep]
    decisions: list[tuple]
    waiting_for_actor: bool


class RequestTimelineDialog(QDialog):
    def __init__(self, request_id: str, actor: User | None, lifecycle: Lifecycle, parent: QWidget | None = None):
        super().__init__(parent)
        self.request_id = request_id.strip().lower()
        self.actor = actor
        self.lifecycle = lifecycle
        self.setWindowTitle("Request status")
        self.resize(1320, 760)

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QFormLayout()
        self.fact_labels: dict[str, QLabel] = {}
        for name in ("Access package", "Policy", "Target", "Requestor", "Request type", "Created", "Justification"):
            label = QLabel()
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[name] = label
            self.facts.addRow(name, label)
        self.state_frame = QFrame()
        self.state_frame.setObjectName("detailsPanel")
        self.state_label = QLabel()
        self.state_label.setObjectName("requestState")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        state_layout = QVBoxLayout(self.state_frame)
        heading = QLabel("Current state")
        heading.setObjectName("noticeTitle")
        state_layout.addWidget(heading)
        state_layout.addWidget(self.state_label)

        self.model = TimelineModel(self)
        self.steps_view = QTableView()
        self.steps_view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.steps_view.setModel(self.model)
        self.steps_view.verticalHeader().hide()
        self.steps_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.steps_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps_view.setAlternatingRowColors(True)
        self.steps_view.setShowGrid(False)
        self.steps_view.setWordWrap(False)
        self.steps_view.horizontalHeader().setStretchLastSection(True)
        self.steps_view.setAccessibleName("Steps")

        self.decisions = QTableWidget(0, len(RequestDecisionsReport.columns))
        self.decisions.setTabKeyNavigation(False)
        self.decisions.setHorizontalHeaderLabels([header_text(column) for column in RequestDecisionsReport.columns])
        self.decisions.verticalHeader().hide()
        self.decisions.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.decisions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.decisions.horizontalHeader().setStretchLastSection(True)
        self.decisions.setMaximumHeight(130)
        self.decisions.setAccessibleName("Decisions")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.approve_button = QPushButton("Approve…")
        self.deny_button = QPushButton("Deny…")
        self.refresh_button = QPushButton("Refresh")
        for button in (self.approve_button, self.deny_button, self.refresh_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.deny_button.clicked.connect(lambda: self.decide(False))
        self.refresh_button.clicked.connect(self.refresh)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.facts)
        layout.addWidget(self.state_frame)
        layout.addWidget(QLabel("Steps (audit records with this correlation ID, oldest first)"))
        layout.addWidget(self.steps_view, 1)
        layout.addWidget(QLabel("Decisions"))
        layout.addWidget(self.decisions)
        layout.addWidget(self.buttons)
        request_events().changed.connect(self._request_changed)
        self.refresh()

    def refresh(self) -> None:
        """Read the request's history again. Raises DeskError when it cannot be read."""
        self._show_read(self._read())

    def _read(self) -> TimelineRead:
        """What the dialog shows, read from the database (on either thread)."""
        report = RequestHistoryReport(self.request_id, actor=self.actor)
        state = report.state()
        waiting_for_actor = (
            self.actor is not None
            and state is not None
            and state.waiting is not None
            and self.lifecycle.waits_for(self.actor, self.request_id)
        )
        decisions = list(RequestDecisionsReport(self.request_id, actor=self.actor).iterate())
        return TimelineRead(state, timeline_steps(report), decisions, waiting_for_actor)

    @Slot(object)  # a real slot: Qt drops the answer when the dialog is gone
    def _show_read(self, read: TimelineRead) -> None:
        state = read.state
        self.state = state
        self.title.setText(f"Request {self.request_id}")
        facts = {
            "Access package": state.access_package if state else None,
            "Policy": state.policy if state else None,
            "Target": state.target if state else None,
            "Requestor": state.requestor if state else None,
            "Request type": state.request_type if state else None,
            "Created": zoned_time(state.created) if state else None,
            "Justification": state.justification if state else None,
        }
        for name, value in facts.items():
            self.fact_labels[name].setText(value or "—")
        self.state_label.setText(waiting_text(state))
        self.model.set_steps(read.steps)
        self.steps_view.resizeColumnsToContents()
        # The activity reads in full; a long app name gives way to the details (its tooltip keeps it).
        column = TimelineModel.HEADERS.index("Initiated by")
        self.steps_view.setColumnWidth(column, min(self.steps_view.columnWidth(column), MAX_COLUMN_WIDTH))
        self.decisions.setRowCount(len(read.decisions))
        for row, decision in enumerate(read.decisions):
            for column, value in enumerate(decision):
                text = local_time(value) if isinstance(value, datetime) else ("" if value is None else str(value))
                self.decisions.setItem(row, column, QTableWidgetItem(text))
        self.decisions.resizeColumnsToContents()
        # Approve and Deny show only while the request waits for the acting user.
        self.approve_button.setVisible(read.waiting_for_actor)
        self.deny_button.setVisible(read.waiting_for_actor)

    @Slot(str)  # a real slot: Qt drops the connection when this object goes
    def _request_changed(self, request_id: str) -> None:
        """A decision in this app: read on the reader thread, so the window never waits on the
        database; what the dialog shows stays until the new reading arrives."""
        if request_id == self.request_id:
            read_in_background(self._read, self._show_read)

    def decide(self, approve: bool) -> None:
        decide(self, self.lifecycle, self.actor, self.request_id, approve)


def open_request_timeline(
    parent: QWidget | None, request_id: str, actor: User | None, lifecycle: Lifecycle
) -> RequestTimelineDialog | None:
    """Show the request's timeline beside the window (not modal: the admin can keep working)."""
    try:
        dialog = RequestTimelineDialog(request_id, actor, lifecycle, parent)
    except DeskError as error:
        messages.inform(parent, "Request status", str(error), icon=messages.Icon.Warning)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
