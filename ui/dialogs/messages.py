"""Message boxes the admin can act on. Flows ask through these two functions, so a test
answers them the way a user would click."""

from typing import Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

Icon = QMessageBox.Icon


def choose(
    parent: QWidget | None,
    title: str,
    text: str,
    choices: Sequence[str],
    *,
    icon: Icon = Icon.Question,
    details: str | None = None,
    escape: str | None = None,
) -> str | None:
    """Show `text` with one button per choice; the chosen label, or None on Esc / close.

    The first choice is the default button; `escape` names the one Esc presses.
    """
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    if details:
        box.setDetailedText(details)
    buttons = {}
    for number, label in enumerate(choices):
        role = (
            QMessageBox.ButtonRole.RejectRole
            if label == escape
            else QMessageBox.ButtonRole.AcceptRole
            if number == 0
            else QMessageBox.ButtonRole.ActionRole
        )
        buttons[box.addButton(label, role)] = label
        if number == 0:
            box.setDefaultButton(next(reversed(buttons)))
    if escape is None:
        # Esc must still close the box without choosing anything.
        close = box.addButton(QMessageBox.StandardButton.Close)
        box.setEscapeButton(close)
    box.exec()
    return buttons.get(box.clickedButton())


def inform(
    parent: QWidget | None, title: str, text: str, *, icon: Icon = Icon.Information, details: str | None = None
) -> None:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()
