"""The problems an import found, every one of them, with Copy and Save so the admin can fix
the export (or send the list on) before importing again."""

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import OutputError
from desktop.export.atomic import atomic_file
from ui.dialogs import messages


class ImportProblemsDialog(QDialog):
    """Lists the lines of an import's problem report; Copy puts them on the clipboard, Save… in a file."""

    def __init__(self, parent: QWidget | None, title: str, lines: list[str]):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.lines = lines
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(lines[0]))
        self.text = QPlainTextEdit("\n".join(line.strip() for line in lines[1:]))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton("&Save…", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 480)  # fits a 1280×800 screen with room to spare

    def report(self) -> str:
        return "\n".join(self.lines) + "\n"

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report())

    def save(self) -> Path | None:
        folder = QSettings().value("import/folder") or str(Path.home())
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the import problems", str(Path(folder) / "import-problems.txt"), "Text (*.txt)"
        )
        if not name:
            return None
        try:
            with atomic_file(name) as temporary:
                temporary.write_text(self.report(), encoding="utf-8")
        except OutputError as error:
            messages.inform(self, "Save the import problems", str(error), icon=messages.Icon.Warning)
            return None
        return Path(name)
