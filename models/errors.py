"""Errors the user can act on, and what a database failure is, told by its code: SQLite's
result code (`sqlite_errorcode`) and PostgreSQL's SQLSTATE, never the message text (which
changes with versions and languages)."""

import enum


class DeskError(Exception):
    """A problem the user can act on: shown as a message (dialog, or stderr with exit 2),
    never as a traceback. Anything else that escapes is a bug."""


class DatabaseOpenError(DeskError):
    """The database cannot be opened: not a database, damaged, too new, unreachable."""


class Failure(enum.Enum):
    """What went wrong with a database in use, and whether trying again can help."""

    LOCKED = ("locked", True)  # another program holds the lock past the wait
    FULL = ("full", True)  # the disk (or the server's) is full: free space, try again
    READ_ONLY = ("read-only", False)
    DAMAGED = ("damaged", False)
    LOST = ("lost", True)  # the connection (or the file) went away: the next try reconnects

    def __init__(self, label: str, retryable: bool):
        self.label = label
        self.retryable = retryable


class DatabaseUnavailable(DeskError):
    """The database failed in the middle of work (locked, full, read-only, connection lost).
    The transaction was rolled back, so nothing half-done was kept. `retryable` says whether
    the same action may succeed when tried again (the GUI offers Retry)."""

    def __init__(self, message: str, failure: Failure = Failure.LOST):
        super().__init__(message)
        self.failure = failure
        self.retryable = failure.retryable


# SQLite primary result codes (the low byte of an extended code).
SQLITE_ERROR, SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 1, 3, 5, 6, 8
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 11, 13, 26
_SQLITE_FAILURES = {
    SQLITE_BUSY: Failure.LOCKED,
    SQLITE_LOCKED: Failure.LOCKED,
    SQLITE_FULL: Failure.FULL,
    SQLITE_READONLY: Failure.READ_ONLY,
    SQLITE_PERM: Failure.READ_ONLY,
    SQLITE_CORRUPT: Failure.DAMAGED,
    SQLITE_NOTADB: Failure.DAMAGED,
}
# PostgreSQL SQLSTATEs (whole codes first, then their class).
_SQLSTATE_FAILURES = {
    "53100": Failure.FULL,  # disk_full
    "25006": Failure.READ_ONLY,  # read_only_sql_transaction
    "42501": Failure.READ_ONLY,  # insufficient_privilege
    "55P03": Failure.LOCKED,  # lock_not_available
    "40P01": Failure.LOCKED,  # deadlock_detected
    "40001": Failure.LOCKED,  # serialization_failure
    "57014": Failure.LOCKED,  # query_canceled (a lock_timeout or statement_timeout)
    "XX001": Failure.DAMAGED,
    "XX002": Failure.DAMAGED,  # data_corrupted, index_corrupted
}
_SQLSTATE_CLASS_FAILURES = {"08": Failure.LOST, "57": Failure.LOST, "53": Failure.FULL}


def driver_error(error: BaseException) -> BaseException:
    """The driver's own exception behind peewee's (which raises its own from it)."""
    for candidate in (error, error.args[0] if error.args else None, error.__cause__, error.__context__):
        if hasattr(candidate, "sqlite_errorcode") or getattr(candidate, "sqlstate", None):
            return candidate
    return error


def classify(error: BaseException) -> Failure:
    """What the failure is, by the driver's code. A failure without one (the connection
    closed under the driver) counts as a lost connection."""
    original = driver_error(error)
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE_FAILURES.get(code & 0xFF, Failure.LOST)
    state = getattr(original, "sqlstate", None)
    if state:
        return _SQLSTATE_FAILURES.get(state) or _SQLSTATE_CLASS_FAILURES.get(state[:2], Failure.LOST)
    return Failure.LOST


def cause(error: BaseException) -> BaseException:
    """The failure that counts. SQLite ends the transaction itself on some failures (a full
    disk among them); the rollback that follows fails with a generic SQLITE_ERROR and
    hides the cause, which is its context."""
    while getattr(driver_error(error), "sqlite_errorcode", None) == SQLITE_ERROR and error.__context__ is not None:
        error = error.__context__
    return error
