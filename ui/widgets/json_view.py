"""A JSON document on screen: pretty-printed, monospace, selectable, with a Copy button."""

import json

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


def pretty_json(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


class JsonView(QWidget):
    def __init__(self, title: str = "JSON", parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("jsonText")
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setAccessibleName(title)
        self.copy_button = QPushButton("Copy JSON")
        self.copy_button.setToolTip("Copy the whole document to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        heading = QHBoxLayout()
        heading.addWidget(QLabel(title))
        heading.addStretch(1)
        heading.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(heading)
        layout.addWidget(self.editor, 1)
        self.set_document(None)

    def set_document(self, document) -> None:
        """Show `document` (anything json.dumps takes); None empties the view."""
        self.editor.setPlainText("" if document is None else pretty_json(document))
        self.copy_button.setEnabled(document is not None)

    def text(self) -> str:
        return self.editor.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
