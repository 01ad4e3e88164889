"""The first page of an empty database: how to get a tenant in. Sign in (when the sign-in
action exists), import files, open the demo tenant, open another database, or a recent one."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

RECENT_ROLE = Qt.ItemDataRole.UserRole


class WelcomePage(QWidget):
    import_requested = Signal()
    demo_requested = Signal()
    open_requested = Signal()
    recent_chosen = Signal(str)  # the database's path or address

    def __init__(self, database: str, parent: QWidget | None = None):
        super().__init__(parent)
        heading = QLabel("Welcome to Entitlement Desk")
        heading.setObjectName("noticeTitle")
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_database(database)

        # Fed by the main window's sign-in action once there is one; hidden until then.
        self.sign_in_button = QPushButton("Sign in to Microsoft Entra…")
        self.sign_in_button.hide()
        self._sign_in_action: QAction | None = None
        self.import_button = QPushButton("Import files…")
        self.import_button.setToolTip("Microsoft Graph JSON of your tenant, or the admin center's audit-log downloads")
        self.demo_button = QPushButton("Open the demo tenant")
        self.demo_button.setToolTip("A made-up organisation with six months of requests, approvals and audit records")
        self.open_button = QPushButton("Open database…")
        self.open_button.setToolTip("An Entitlement Desk database file another administrator or the CLI filled")
        self.import_button.clicked.connect(self.import_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        self.open_button.clicked.connect(self.open_requested)

        self.recent_label = QLabel("Recent databases")
        self.recent_label.setObjectName("sectionTitle")
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent databases")
        self.recent.itemActivated.connect(lambda item: self.recent_chosen.emit(item.data(RECENT_ROLE)))
        self.recent_label.setBuddy(self.recent)

        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(heading)
        column.addWidget(self.text_label)
        for button in (self.sign_in_button, self.import_button, self.demo_button, self.open_button):
            button.setMinimumHeight(button.sizeHint().height() + 8)
            column.addWidget(button)
        column.addSpacing(12)
        column.addWidget(self.recent_label)
        column.addWidget(self.recent)
        column.addStretch(1)
        box = QWidget()
        box.setLayout(column)
        box.setFixedWidth(520)
        layout = QVBoxLayout(self)
        layout.addSpacing(60)
        layout.addWidget(box, 1, Qt.AlignmentFlag.AlignHCenter)

    def set_database(self, database: str) -> None:
        self.text_label.setText(
            f"{database} holds no tenant yet. Bring your tenant's entitlement-management data in, look "
            "around the demo tenant first, or open a database that already holds one."
        )

    def set_recent(self, targets: list[str], current: str) -> None:
        self.recent.clear()
        for target in targets:
            if target != current:
                item = QListWidgetItem(target, self.recent)
                item.setData(RECENT_ROLE, target)
        shown = self.recent.count() > 0
        self.recent_label.setVisible(shown)
        self.recent.setVisible(shown)

    def set_sign_in_action(self, action: QAction | None) -> None:
        """Offer Sign in first, as the action names it; None hides it."""
        if self._sign_in_action is not None:
            self.sign_in_button.clicked.disconnect()
            self._sign_in_action.changed.disconnect(self._follow_sign_in_action)
        self._sign_in_action = action
        self.sign_in_button.setVisible(action is not None)
        if action is not None:
            self.sign_in_button.clicked.connect(action.trigger)
            action.changed.connect(self._follow_sign_in_action)
            self._follow_sign_in_action()

    def _follow_sign_in_action(self) -> None:
        action = self._sign_in_action
        self.sign_in_button.setText(action.text().replace("&", "") or "Sign in to Microsoft Entra…")
        self.sign_in_button.setToolTip(action.toolTip())
        self.sign_in_button.setEnabled(action.isEnabled())
