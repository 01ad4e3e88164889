"""Approve or deny a request at its current stage, with a justification. The controller
decides whether the decision stands; a refusal is shown and the dialog stays open."""
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from desktop.errors import DeskError
from desktop.lifecycle import Lifecycle
from desktop.reports.request_history import request_state
from models import ApprovalStage, AssignmentRequest, User
from ui.dialogs import messages
from ui.request_events import request_events


class DecisionDialog(QDialog):
    def __init__(self, lifecycle: Lifecycle, approver: User, request: AssignmentRequest, approve: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.lifecycle = lifecycle
        self.approver = approver
        self.request = request
        self.approve = approve
        self.decided: AssignmentRequest | None = None
        verb = "Approve" if approve else "Deny"
        self.setWindowTitle(f"{verb} request")
        self.resize(520, 360)
        state = request_state(request)
        stage = ApprovalStage.get_or_none((ApprovalStage.policy == request.assignment_policy_id)
                                          & (ApprovalStage.stage_number == request.current_stage))
        self.justification_required = bool(stage and stage.is_approver_justification_required)

        form = QFormLayout()
        for label, value in (("Access package", state.access_package), ("Policy", state.policy),
                             ("For", state.target), ("Requested by", state.requestor),
                             ("Their justification", state.justification),
                             ("Stage", str(request.current_stage) if request.current_stage else None)):
            shown = QLabel(value or "—")
            shown.setWordWrap(True)
            form.addRow(label, shown)
        self.justification = QPlainTextEdit()
        self.justification.setAccessibleName("Justification")
        self.justification.setPlaceholderText(
            "Required at this stage" if self.justification_required else "Optional")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.decide_button = self.buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Justification (required at this stage)" if self.justification_required
                                else "Justification"))
        layout.addWidget(self.justification, 1)
        layout.addWidget(self.buttons)
        self.justification.setFocus()

    def accept(self) -> None:
        decide = self.lifecycle.approve if self.approve else self.lifecycle.deny
        try:
            self.decided = decide(self.approver, self.request.id, self.justification.toPlainText())
        except DeskError as error:
            messages.inform(self, self.windowTitle(), str(error), icon=messages.Icon.Warning)
            return
        request_events().changed.emit(self.request.id)
        super().accept()


def decide(parent: QWidget | None, lifecycle: Lifecycle, approver: User | None, request_id: str,
           approve: bool) -> AssignmentRequest | None:
    """Ask for the justification and record the decision; the decided request, or None."""
    request = AssignmentRequest.get_or_none(AssignmentRequest.id == request_id)
    if approver is None or request is None:
        messages.inform(parent, "Decide request", "Choose an acting user and a request first.",
                        icon=messages.Icon.Warning)
        return None
    dialog = DecisionDialog(lifecycle, approver, request, approve, parent)
    dialog.exec()
    return dialog.decided
