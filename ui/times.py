"""One rule for every time on screen: the admin's local time, or UTC (View → Times), with the
zone named in every header over times. The database and every download keep UTC and say so.
"""

from datetime import datetime, timezone

from PySide6.QtCore import QObject, QSettings, Signal

SETTING = "view/times-in-utc"
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"


class TimeDisplay(QObject):
    """Whether times show in UTC; `changed` tells the views to paint again."""

    changed = Signal(bool)

    def __init__(self):
        super().__init__()
        self.utc = False

    def load(self) -> None:
        self.utc = QSettings().value(SETTING, False, type=bool)

    def set_utc(self, utc: bool) -> None:
        if utc != self.utc:
            self.utc = utc
            QSettings().setValue(SETTING, utc)
            self.changed.emit(utc)


_display: TimeDisplay | None = None


def time_display() -> TimeDisplay:
    global _display
    if _display is None:
        _display = TimeDisplay()
    return _display


def shown_time(moment: datetime | None, pattern: str = MINUTES) -> str:
    """`moment` (aware, UTC) as the screen shows times."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # the database keeps UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc if time_display().utc else None).strftime(pattern)


def wall_clock(moment: datetime) -> datetime:
    """`moment` as the naive wall-clock time a date editor shows in the screen's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc if time_display().utc else None).replace(tzinfo=None)


def from_wall_clock(wall: datetime, utc: bool | None = None) -> datetime:
    """A date editor's naive wall-clock time, read in the screen's zone (or, given `utc`, in
    UTC or local time), as aware UTC."""
    if wall.tzinfo is not None:
        wall = wall.replace(tzinfo=None)
    in_utc = time_display().utc if utc is None else utc
    zoned = wall.replace(tzinfo=timezone.utc) if in_utc else wall.astimezone()
    return zoned.astimezone(timezone.utc)


def zone_name(at: datetime | None = None) -> str:
    """The zone the screen's times are in, for headers: "UTC", or the local zone's name with its
    offset ("IST, UTC+05:30"), so a name shared by several zones still says which."""
    if time_display().utc:
        return "UTC"
    local = (at or datetime.now(timezone.utc)).astimezone()
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    text = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    name = local.tzname() or ""
    if minutes == 0 and name in ("UTC", "GMT", ""):
        return "UTC"
    return f"{name}, {text}" if name.isalpha() else text


def header(title: str) -> str:
    """A header over times: `title` with the zone its times are in ("Created (IST, UTC+05:30)")."""
    return f"{title.removesuffix(' (UTC)')} ({zone_name()})"
