"""The crash dialog: an unexpected exception is a bug; show it with details to copy."""

import platform
import sys
import traceback

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def crash_details(kind, error, trace) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("entitlement-desk")
    except PackageNotFoundError:
        app_version = "unknown"
    lines = [
        f"Entitlement Desk {app_version}",
        f"Python {platform.python_version()} · Qt {qVersion()} · {platform.platform()}",
        "",
        *traceback.format_exception(kind, error, trace),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


class CrashDialog(QDialog):
    def __init__(self, details: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Entitlement Desk ran into a bug")
        self.resize(720, 460)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Something went wrong that Entitlement Desk did not expect. This is a bug, not "
            "something you did. Your data has not been changed by this error.\n\n"
            "Copy the details below into a bug report. You can keep working, but if the "
            "window behaves oddly, restart the app."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")


class CrashReporter:
    """Installed as sys.excepthook: prints the traceback and shows one dialog at a time."""

    def __init__(self):
        self._showing = False
        self.previous_hook = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self.previous_hook

    def __call__(self, kind, error, trace) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self.previous_hook(kind, error, trace)
            return
        details = crash_details(kind, error, trace)
        print(details, file=sys.stderr)
        if self._showing:
            return  # a bug inside the dialog's own event loop must not stack dialogs
        self._showing = True
        try:
            CrashDialog(details, QApplication.activeWindow()).exec()
        finally:
            self._showing = False
