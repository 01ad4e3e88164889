"""New assignment: an administrator assigns an access package to a user directly, through
one of its policies, optionally from a start and until an end. The controller checks and
writes, in the background; a refusal is shown and the dialog stays open."""

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.lifecycle import Lifecycle
from models import AccessPackage, AssignmentPolicy, AssignmentRequest, User
from ui.dialogs import user_picker
from ui.jobs import Job
from ui.operations import LIFECYCLE_CHANGES, run_operation, show_failure
from ui.times import from_wall_clock, wall_clock, zone_name

DISPLAY_FORMAT = "yyyy-MM-dd HH:mm"


def _moment_edit(name: str, after: timedelta = timedelta(0)) -> QDateTimeEdit:
    edit = QDateTimeEdit(QDateTime(wall_clock(datetime.now(timezone.utc) + after)))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DISPLAY_FORMAT)
    edit.setAccessibleName(name)
    edit.setEnabled(False)
    return edit


class NewAssignmentDialog(QDialog):
    def __init__(self, lifecycle: Lifecycle, admin: User, parent: QWidget | None = None):
        super().__init__(parent)
        self.lifecycle = lifecycle
        self.admin = admin
        self.target: User | None = None
        self.created: AssignmentRequest | None = None
        self.job: Job | None = None
        self.setWindowTitle("New assignment")
        self.resize(560, 320)

        self.user_edit = QLineEdit()
        self.user_edit.setReadOnly(True)
        self.user_edit.setPlaceholderText("No user selected")
        self.user_edit.setAccessibleName("User")
        self.pick_button = QPushButton("Select user…")
        self.pick_button.clicked.connect(self.pick_user)
        user_row = QHBoxLayout()
        user_row.addWidget(self.user_edit, 1)
        user_row.addWidget(self.pick_button)

        self.package = QComboBox()
        self.package.setAccessibleName("Access package")
        self.package.setEditable(True)  # type to find among thousands
        self.package.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for package_id, name in (
            AccessPackage.select(AccessPackage.id, AccessPackage.display_name)
            .order_by(AccessPackage.display_name_key, AccessPackage.id)
            .tuples()
        ):
            self.package.addItem(name, package_id)
        self.package.setCurrentIndex(-1)
        self.policy = QComboBox()
        self.policy.setAccessibleName("Policy")
        self.package.currentIndexChanged.connect(self._fill_policies)

        self.start_check = QCheckBox("Start at")
        self.start_edit = _moment_edit("Start")
        self.start_check.toggled.connect(self.start_edit.setEnabled)
        self.end_check = QCheckBox("End at")
        self.end_edit = _moment_edit("End", timedelta(days=90))
        self.end_check.toggled.connect(self.end_edit.setEnabled)
        start_row, end_row = QHBoxLayout(), QHBoxLayout()
        start_row.addWidget(self.start_check)
        start_row.addWidget(self.start_edit, 1)
        end_row.addWidget(self.end_check)
        end_row.addWidget(self.end_edit, 1)
        self.justification = QLineEdit()
        self.justification.setAccessibleName("Justification")
        self.justification.setPlaceholderText("Optional: why this user gets access")

        form = QFormLayout()
        form.addRow("User", user_row)
        form.addRow("Access package", self.package)
        form.addRow("Policy", self.policy)
        form.addRow(f"Start ({zone_name()})", start_row)
        form.addRow(f"End ({zone_name()})", end_row)
        form.addRow("Justification", self.justification)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.assign_button = self.buttons.addButton("Assign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._update_assign_button()

    def pick_user(self) -> None:
        match = user_picker.pick_user(self, "Select the user to assign")
        if match is not None:
            self.set_target(User.get_by_id(match.id))

    def set_target(self, user: User) -> None:
        self.target = user
        self.user_edit.setText(user.label)
        self._update_assign_button()

    def select_package(self, package: AccessPackage, policy: AssignmentPolicy | None = None) -> None:
        self.package.setCurrentIndex(self.package.findData(package.id))
        if policy is not None:
            self.policy.setCurrentIndex(self.policy.findData(policy.id))

    def _fill_policies(self) -> None:
        self.policy.clear()
        package_id = self.package.currentData()
        if package_id:
            for policy_id, name in (
                AssignmentPolicy.select(AssignmentPolicy.id, AssignmentPolicy.display_name)
                .where(AssignmentPolicy.access_package == package_id)
                .order_by(AssignmentPolicy.display_name)
                .tuples()
            ):
                self.policy.addItem(name, policy_id)
        self._update_assign_button()

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def reject(self) -> None:
        if not self.busy:  # a write under way ends with its outcome shown here
            super().reject()

    def _update_assign_button(self) -> None:
        self.assign_button.setEnabled(
            not self.busy and self.target is not None and self.policy.currentData() is not None
        )

    @staticmethod
    def _utc(edit: QDateTimeEdit) -> datetime:
        return from_wall_clock(edit.dateTime().toPython())

    def accept(self) -> None:
        package = AccessPackage.get_or_none(AccessPackage.id == self.package.currentData())
        policy = AssignmentPolicy.get_or_none(AssignmentPolicy.id == self.policy.currentData())
        if self.target is None or package is None or policy is None:
            return
        if self.busy:
            return
        lifecycle, admin, target = self.lifecycle, self.admin, self.target
        start = self._utc(self.start_edit) if self.start_check.isChecked() else None
        end = self._utc(self.end_edit) if self.end_check.isChecked() else None
        justification = self.justification.text()
        self.job = run_operation(
            self,
            "New assignment",
            lambda: lifecycle.assign(admin, target, package, policy, start=start, end=end, justification=justification),
            changes=LIFECYCLE_CHANGES,
            on_success=self._assigned,
            on_failure=self._failed,
        )
        self._update_assign_button()

    def _assigned(self, request: AssignmentRequest) -> None:
        self.created = request
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self._update_assign_button()
        show_failure(self, "New assignment", error, retry=self.accept)
