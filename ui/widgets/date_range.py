"""The audit log's date range: the last 24 hours, 7 or 30 days, a custom range, or all.

Shown in the screen's zone (View → Times, named beside the editors), handed out in UTC, as
the database keeps it.
"""

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QDateTime, Signal, Slot
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QHBoxLayout, QLabel, QWidget

from ui.times import from_wall_clock, time_display, wall_clock, zone_name

CUSTOM = "custom"
# label -> how far back from now (None: no lower bound), or CUSTOM
CHOICES = (
    ("Last 24 hours", timedelta(hours=24)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
    ("Custom range", CUSTOM),
    ("All", None),
)
DISPLAY_FORMAT = "yyyy-MM-dd HH:mm"


def to_utc(value: QDateTime, utc: bool | None = None) -> datetime:
    """An editor's time, read in the screen's zone, as UTC."""
    return from_wall_clock(value.toPython(), utc)


class DateRangePicker(QWidget):
    changed = Signal()

    def __init__(self, default: str = "All", parent: QWidget | None = None):
        super().__init__(parent)
        self.choice = QComboBox()
        self.choice.setAccessibleName("Date range")
        for label, span in CHOICES:
            self.choice.addItem(label, span)
        self.since_edit = self._edit("From")
        self.until_edit = self._edit("To")
        now = datetime.now(timezone.utc)
        self.since_edit.setDateTime(QDateTime(wall_clock(now - timedelta(days=7))))
        self.until_edit.setDateTime(QDateTime(wall_clock(now)))
        self.since_label, self.until_label = QLabel("from"), QLabel("to")
        self.zone_label = QLabel()
        self.zone_label.setObjectName("pageSubtitle")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.choice,
            self.since_label,
            self.since_edit,
            self.until_label,
            self.until_edit,
            self.zone_label,
        ):
            layout.addWidget(widget)
        self._show_zone()
        time_display().changed.connect(self._zone_changed)
        self.choice.setCurrentIndex(self.choice.findText(default))
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.since_edit.dateTimeChanged.connect(self.changed)
        self.until_edit.dateTimeChanged.connect(self.changed)
        self._show_custom()

    def _edit(self, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DISPLAY_FORMAT)
        edit.setAccessibleName(name)
        return edit

    def _show_custom(self) -> None:
        custom = self.is_custom()
        for widget in (self.since_label, self.since_edit, self.until_label, self.until_edit, self.zone_label):
            widget.setVisible(custom)

    def _show_zone(self) -> None:
        self.zone_label.setText(zone_name())
        for edit in (self.since_edit, self.until_edit):
            edit.setToolTip(f"{edit.accessibleName()}, in {zone_name()}")

    @Slot(bool)  # a real slot: Qt drops the connection when the picker goes
    def _zone_changed(self, utc: bool) -> None:
        """The same moments, written in the other zone."""
        # The editors still hold the other zone's wall clock.
        since, until = to_utc(self.since_edit.dateTime(), not utc), to_utc(self.until_edit.dateTime(), not utc)
        self.since_edit.setDateTime(QDateTime(wall_clock(since)))
        self.until_edit.setDateTime(QDateTime(wall_clock(until)))
        self._show_zone()

    def _choice_changed(self) -> None:
        self._show_custom()
        self.changed.emit()

    def is_custom(self) -> bool:
        return self.choice.currentData() == CUSTOM

    def select(self, label: str) -> None:
        self.choice.setCurrentIndex(self.choice.findText(label))

    def set_custom(self, since: datetime, until: datetime) -> None:
        self.select("Custom range")
        self.since_edit.setDateTime(QDateTime(wall_clock(since)))
        self.until_edit.setDateTime(QDateTime(wall_clock(until)))

    def bounds(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """(since, until) in UTC; None where the range is open."""
        span = self.choice.currentData()
        if span == CUSTOM:
            return to_utc(self.since_edit.dateTime()), to_utc(self.until_edit.dateTime())
        if span is None:
            return None, None
        return now - span, None
