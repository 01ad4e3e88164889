"""Errors the user can act on. Each carries a message fit to show as is; anything else that
escapes the core is a bug and is reported as one."""

from models.errors import DatabaseOpenError, DatabaseUnavailable, DeskError

__all__ = [
    "DeskError",
    "DatabaseOpenError",
    "DatabaseUnavailable",
    "NotFound",
    "Forbidden",
    "Refused",
    "InvalidInput",
    "OutputError",
    "Cancelled",
]


class NotFound(DeskError):
    """An unknown user, package, policy, request or assignment."""


class Forbidden(DeskError):
    """The acting user's roles do not allow the action."""


class Refused(DeskError):
    """The lifecycle refuses the step: not eligible, wrong state, already decided, ..."""


class InvalidInput(DeskError):
    """Input that cannot be understood: a bad date, a malformed file, a missing field."""


class OutputError(DeskError):
    """A file cannot be written: missing folder, no permission, held open elsewhere."""


class Cancelled(DeskError):
    """The user cancelled a long operation; nothing was written."""
