"""The "As of" choice of a report of current state: now (the default) or a date and time,
shown in the admin's local time with its zone and handed out in UTC."""

from datetime import datetime, timezone

from PySide6.QtCore import QDateTime, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QHBoxLayout, QLabel, QWidget

from desktop.audit_record import format_time

NOW, MOMENT = "Now", "A date and time"
DISPLAY_FORMAT = "yyyy-MM-dd HH:mm"
SETTLE_MS = 600


class AsOfPicker(QWidget):
    """`changed` fires when the moment changes; `moment()` is None for now."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.choice = QComboBox()
        self.choice.setAccessibleName("As of")
        self.choice.setToolTip("Show the report as it was at a moment in the past")
        self.choice.addItems([NOW, MOMENT])
        self.edit = QDateTimeEdit(QDateTime.currentDateTime())
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat(DISPLAY_FORMAT)
        self.edit.setAccessibleName("As of date and time")
        self.zone = QLabel(_zone_name())
        self.zone.setObjectName("pageSubtitle")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("As of:"))
        layout.addWidget(self.choice)
        layout.addWidget(self.edit)
        layout.addWidget(self.zone)
        self.choice.currentIndexChanged.connect(self._choice_changed)
        # Typing changes the time at every keystroke: the report reloads once the admin pauses
        # (or leaves the field), not for each digit.
        self.settle = QTimer(self)
        self.settle.setSingleShot(True)
        self.settle.setInterval(SETTLE_MS)
        self.settle.timeout.connect(self.changed)
        self.edit.dateTimeChanged.connect(self.settle.start)
        self.edit.editingFinished.connect(self._edited)
        self._choice_changed(emit=False)

    def _edited(self) -> None:
        if self.settle.isActive():
            self.settle.stop()
            self.changed.emit()

    def _choice_changed(self, *_args, emit: bool = True) -> None:
        past = self.choice.currentText() == MOMENT
        self.edit.setVisible(past)
        self.zone.setVisible(past)
        if emit:
            self.changed.emit()

    def moment(self) -> datetime | None:
        if self.choice.currentText() == NOW:
            return None
        return self.edit.dateTime().toPython().astimezone(timezone.utc)

    def set_moment(self, moment: datetime | None) -> None:
        """Choose `moment` (None: now), as the admin would."""
        self.choice.blockSignals(True)
        self.edit.blockSignals(True)
        if moment is not None:
            self.edit.setDateTime(QDateTime(moment.astimezone()))
        self.choice.setCurrentText(NOW if moment is None else MOMENT)
        self.edit.blockSignals(False)
        self.choice.blockSignals(False)
        self._choice_changed()

    def describe(self) -> str:
        """How a heading says the moment: "" for now."""
        moment = self.moment()
        if moment is None:
            return ""
        local = moment.astimezone()
        return f"as of {local:%Y-%m-%d %H:%M} {_zone_name(local)} ({format_time(moment)})"


def _zone_name(moment: datetime | None = None) -> str:
    return (moment or datetime.now().astimezone()).strftime("%Z") or "local time"
