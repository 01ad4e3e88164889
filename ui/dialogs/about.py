"""Help → About: what an admin reporting a problem is asked for — the version, Python, Qt,
the database and its schema, and the licence."""

import platform
from importlib import metadata

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from models.database import SCHEMA_VERSION, DatabaseLocation

DISTRIBUTION = "entitlement-desk"
LICENCE = "MIT"


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed; run from a source tree)"


def about_text(location: DatabaseLocation) -> str:
    kind = "SQLite" if location.kind == "sqlite" else "PostgreSQL"
    return "\n".join(
        (
            f"Entitlement Desk {version()}",
            "Reports, audit logs and spreadsheets for Microsoft Entra entitlement management, offline.",
            "",
            f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}",
            f"Database: {location.describe()} ({kind}, schema version {SCHEMA_VERSION})",
            f"Licence: {LICENCE}",
        )
    )


def show_about(parent: QWidget | None, location: DatabaseLocation) -> None:
    QMessageBox.about(parent, "About Entitlement Desk", about_text(location))
