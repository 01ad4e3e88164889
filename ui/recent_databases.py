"""The databases opened lately, newest first, for File → Open recent and the welcome page.

A PostgreSQL address is kept without its password (the server asks again, or ~/.pgpass answers)."""

from PySide6.QtCore import QSettings

from models.database import DatabaseLocation

SETTING = "recent/databases"
KEPT = 8


def recent_databases() -> list[str]:
    value = QSettings().value(SETTING, [])
    entries = [value] if isinstance(value, str) else list(value or [])
    return [entry for entry in entries if entry][:KEPT]


def target_of(location: DatabaseLocation) -> str:
    """What `open_database` takes to open `location` again, with no secret in it."""
    return str(location.path) if location.kind == "sqlite" else location.describe()


def remember(location: DatabaseLocation) -> None:
    target = target_of(location)
    entries = [target] + [entry for entry in recent_databases() if entry != target]
    QSettings().setValue(SETTING, entries[:KEPT])


def forget(target: str) -> None:
    QSettings().setValue(SETTING, [entry for entry in recent_databases() if entry != target])
