class DeskError(Exception):
    """A problem the user can act on: shown as a message (dialog, or stderr with exit 2),
    never as a traceback. Anything else that escapes is a bug."""


class DatabaseOpenError(DeskError):
    """The database cannot be opened: not a database, damaged, too new, unreachable."""


class DatabaseUnavailable(DeskError):
    """The database failed in the middle of work (locked, full, read-only, connection lost).
    The transaction was rolled back, so nothing half-done was kept."""
