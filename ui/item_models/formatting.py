"""How report values read on screen: times as View → Times says (`ui.times`), Yes/No,
grouped numbers.

The database and the exports keep UTC; the screen's headers name the zone they show.
"""

from datetime import datetime

from PySide6.QtCore import QLocale, Qt

from desktop.reports.base import Column, ColumnType
from ui.times import shown_time, zone_name

# Long JSON documents are cut on screen; the full text stays under UserRole.
JSON_DISPLAY_LIMIT = 300


def display_text(value, column_type: ColumnType) -> str:
    if value is None:
        return ""
    if column_type == ColumnType.DATETIME and isinstance(value, datetime):
        return shown_time(value)
    if column_type == ColumnType.BOOLEAN or isinstance(value, bool):
        return "Yes" if value else "No"
    if column_type == ColumnType.NUMBER and isinstance(value, (int, float)):
        return QLocale().toString(value) if isinstance(value, int) else QLocale().toString(value, "f", 2)
    text = str(value)
    if column_type == ColumnType.JSON and len(text) > JSON_DISPLAY_LIMIT:
        return text[:JSON_DISPLAY_LIMIT] + "…"
    return text


def header_text(column: Column) -> str:
    """A column's header on screen: times name the zone they are shown in."""
    return column.title_in(zone_name())


# Built once: combining enum flags costs more than a table repaint can afford per cell.
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def alignment(column_type: ColumnType) -> Qt.AlignmentFlag:
    return _RIGHT if column_type == ColumnType.NUMBER else _LEFT
