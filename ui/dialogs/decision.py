"""Approve or deny a request at its current stage, with a justification. The controller
decides whether the decision stands, in the background; a refusal is shown and the dialog
stays open. Where the stage requires a justification, the button waits for one."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from desktop.lifecycle import Lifecycle
from desktop.reports.request_history import request_state
from models import ApprovalStage, AssignmentRequest, User
from ui.dialogs import messages
from ui.jobs import Job
from ui.operations import decided, run_operation, show_failure


class DecisionDialog(QDialog):
    def __init__(
        self,
        lifecycle: Lifecycle,
        approver: User,
        request: AssignmentRequest,
        approve: bool,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.lifecycle = lifecycle
        self.approver = approver
        self.request = request
        self.approve = approve
        self.decided: AssignmentRequest | None = None
        self.job: Job | None = None
        verb = "Approve" if approve else "Deny"
        self.setWindowTitle(f"{verb} request")
        self.resize(520, 360)
        state = request_state(request)
        stage = ApprovalStage.get_or_none(
            (ApprovalStage.policy == request.assignment_policy_id)
            & (ApprovalStage.stage_number == request.current_stage)
        )
        self.justification_required = bool(stage and stage.is_approver_justification_required)

        form = QFormLayout()
        for label, value in (
            ("Access package", state.access_package),
            ("Policy", state.policy),
            ("For", state.target),
            ("Requested by", state.requestor),
            ("Their justification", state.justification),
            ("Stage", str(request.current_stage) if request.current_stage else None),
        ):
            shown = QLabel(value or "—")
            shown.setWordWrap(True)
            form.addRow(label, shown)
        self.justification = QPlainTextEdit()
        self.justification.setAccessibleName("Justification")
        self.justification.setPlaceholderText("Required at this stage" if self.justification_required else "Optional")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.decide_button = self.buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            QLabel("Justification (required at this stage)" if self.justification_required else "Justification")
        )
        layout.addWidget(self.justification, 1)
        layout.addWidget(self.buttons)
        self.justification.textChanged.connect(self._update_decide_button)
        self._update_decide_button()
        self.justification.setFocus()

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def reject(self) -> None:
        if not self.busy:  # a write under way ends with its outcome shown here
            super().reject()

    def _update_decide_button(self) -> None:
        given = bool(self.justification.toPlainText().strip())
        self.decide_button.setEnabled(not self.busy and (given or not self.justification_required))
        self.decide_button.setToolTip(
            "" if given or not self.justification_required else "This stage requires your justification"
        )

    def accept(self) -> None:
        """Record the decision on the writer thread; the dialog closes when it stands."""
        if self.busy or not self.decide_button.isEnabled():
            return
        decide = self.lifecycle.approve if self.approve else self.lifecycle.deny
        approver, request_id = self.approver, self.request.id
        justification = self.justification.toPlainText()
        self.job = run_operation(
            self,
            self.windowTitle(),
            lambda: decide(approver, request_id, justification),
            changes=decided(request_id),
            on_success=self._decided,
            on_failure=self._failed,
        )
        self.justification.setReadOnly(True)
        self._update_decide_button()

    def _decided(self, request: AssignmentRequest) -> None:
        self.decided = request
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.justification.setReadOnly(False)
        self._update_decide_button()
        show_failure(self, self.windowTitle(), error, retry=self.accept)


def decide(
    parent: QWidget | None, lifecycle: Lifecycle, approver: User | None, request_id: str, approve: bool
) -> AssignmentRequest | None:
    """Ask for the justification and record the decision; the decided request, or None."""
    request = AssignmentRequest.get_or_none(AssignmentRequest.id == request_id)
    if approver is None or request is None:
        messages.inform(
            parent, "Decide request", "Choose an acting user and a request first.", icon=messages.Icon.Warning
        )
        return None
    dialog = DecisionDialog(lifecycle, approver, request, approve, parent)
    dialog.exec()
    return dialog.decided
