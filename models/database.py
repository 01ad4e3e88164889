"""Opening a database: the one function the GUI, the CLI and the tests use.

Where the database is: `--db PATH|URL`, else `ENTITLEMENT_DESK_DB`, else an SQLite file in
the user data folder. SQLite runs in WAL mode with foreign keys on and a busy timeout. The
schema carries a version; older databases are migrated forward (after a backup copy of the
file), newer ones are refused.
"""

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import peewee
import platformdirs

from models import ALL_MODELS, SchemaInfo, db
from models.audit_chain import GENESIS, HEAD_KEY
from models.errors import DatabaseOpenError, DatabaseUnavailable, Failure, cause, classify
from models.configuration_version import install_configuration_version
from models.history import install_history
from models.keys import install_fold_function, register_fold
from models.migrations import registered_migrations

SCHEMA_VERSION = 12
APP_NAME = "EntitlementDesk"
ENV_VARIABLE = "ENTITLEMENT_DESK_DB"
BUSY_TIMEOUT_SECONDS = 10
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -64 * 1024,  # 64 MiB page cache
}
SQLITE_READ_ONLY_PRAGMAS = {"foreign_keys": 1, "cache_size": SQLITE_PRAGMAS["cache_size"], "query_only": 1}


@dataclass(frozen=True)
class DatabaseLocation:
    """Where a database lives: `kind` is "sqlite" (with `path`) or "postgresql" (with `url`)."""

    kind: str
    path: Path | None = None
    url: str | None = None

    def describe(self) -> str:
        if self.kind == "sqlite":
            return str(self.path)
        parsed = urlparse(self.url)
        # Never show a password in a status bar or a report sheet.
        host = parsed.hostname or "localhost"
        user = f"{parsed.username}@" if parsed.username else ""
        port = f":{parsed.port}" if parsed.port else ""
        return f"postgresql://{user}{host}{port}{parsed.path}"


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "entitlement-desk.db"


def resolve_location(target: str | os.PathLike | None = None) -> DatabaseLocation:
    """Turn `--db` (a path or URL), the environment or the default into a location."""
    if target is None:
        target = os.environ.get(ENV_VARIABLE) or default_database_path()
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return DatabaseLocation("postgresql", url=text)
    if text.startswith("sqlite:///"):
        return DatabaseLocation("sqlite", path=Path(unquote(text[len("sqlite:///") :])).expanduser())
    if "://" in text:
        raise DatabaseOpenError(
            f"Unsupported database address {text!r}: use a file path, sqlite:///PATH or postgresql://…"
        )
    return DatabaseLocation("sqlite", path=Path(text).expanduser())


_open_location: DatabaseLocation | None = None


def open_database(
    target: str | os.PathLike | None = None, *, create: bool = True, busy_timeout: float = BUSY_TIMEOUT_SECONDS
) -> DatabaseLocation:
    """Open (creating or migrating as needed) the database and bind every model to it.

    Raises DatabaseOpenError with a message fit for the user when it cannot be used.
    """
    global _open_location
    location = resolve_location(target)
    if location.kind == "sqlite":
        database = _sqlite_database(location.path, create, busy_timeout)
    else:
        database = postgresql_database(location.url)
    close_database()
    db.initialize(database)
    try:
        db.connect(reuse_if_open=True)
        _prepare_schema(location)
    except peewee.DatabaseError as error:
        db.close()
        raise DatabaseOpenError(_explain(location, error)) from error
    except DatabaseOpenError:
        db.close()
        raise
    _open_location = location
    return location


# The failures of a database in use that the user can act on; anything else is a bug.
RECOVERABLE_ERRORS = (peewee.OperationalError, peewee.InterfaceError)
# Every failure a read can meet (a lost connection is an InterfaceError, not a DatabaseError).
READ_ERRORS = (peewee.DatabaseError, peewee.InterfaceError)


def explain_failure(error: Exception) -> DatabaseUnavailable:
    """The user's message for a database failure in the middle of work, told by its code.

    A connection the server dropped is closed here, so the next action opens a new one.
    """
    name = _open_location.describe() if _open_location else "The database"
    error = cause(error)
    failure = classify(error)
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if failure is Failure.LOCKED:
        message = (
            f"{name} is locked by another program, for longer than the app waits. "
            "Nothing was changed; try again when the other program is done."
        )
    elif failure is Failure.FULL:
        message = f"The disk holding {name} is full. Nothing was changed; free some space and try again."
    elif failure is Failure.READ_ONLY:
        message = f"{name} is read-only, so nothing can be changed in it. Nothing was changed."
    elif failure is Failure.DAMAGED:
        message = f"{name} is damaged ({text}). Nothing was changed; restore it from a backup."
    else:
        _discard_connection()
        message = f"Lost the connection to {name} ({text}). Nothing half-done was kept; the next action reconnects."
    return DatabaseUnavailable(message, failure)


def _discard_connection() -> None:
    try:
        db.close()
    except peewee.PeeweeException:
        # The server is gone: forget the dead connection without talking to it.
        db.obj._state.reset()


def refresh_statistics() -> None:
    """Let the query planner see the tables as they now are (after a bulk load). Without
    statistics SQLite joins a tenant-wide report the slow way round: 0.5 s instead of 4 ms."""
    db.execute_sql("ANALYZE")


def current_location() -> DatabaseLocation | None:
    """Where the bound database lives (None before the first open)."""
    return _open_location


def close_database() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()


def schema_version() -> int:
    row = SchemaInfo.get_or_none(SchemaInfo.key == "schema_version")
    return int(row.value) if row else 0


def _sqlite_database(path: Path, create: bool, busy_timeout: float) -> peewee.SqliteDatabase:
    if path.is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a database file.")
    if not path.exists():
        if not create:
            raise DatabaseOpenError(f"There is no database at {path}.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Created readable by its owner only: the file holds a tenant's directory.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError as error:
            raise DatabaseOpenError(f"Cannot create the database {path}: {error.strerror}.") from error
    elif not _looks_like_sqlite(path):
        raise DatabaseOpenError(f"{path} is not an Entitlement Desk database (it is not an SQLite file).")
    elif path.stat().st_size == 0:
        # An empty file becomes the database: owner-only, as a file the app creates.
        try:
            os.chmod(path, 0o600)
        except OSError as error:
            raise DatabaseOpenError(f"Cannot make {path} private to its owner: {error.strerror}.") from error
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        # Opened for reading only, so reports, exports and verification still work.
        database = peewee.SqliteDatabase(
            _read_only_uri(path), uri=True, pragmas=SQLITE_READ_ONLY_PRAGMAS, timeout=busy_timeout
        )
    else:
        database = peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=busy_timeout)
    register_fold(database)
    return database


def _read_only_uri(path: Path) -> str:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    # In a folder nobody may write, WAL's shared-memory file cannot be made: with no pending
    # write-ahead log the file alone is the whole database and is read as unchanging.
    if not os.access(path.parent, os.W_OK | os.X_OK) and not (wal.exists() and wal.stat().st_size):
        uri += "&immutable=1"
    return uri


def _looks_like_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except OSError as error:
        raise DatabaseOpenError(f"Cannot read {path}: {error.strerror}.") from error
    # An empty file is an empty SQLite database.
    return header == b"" or header == b"SQLite format 3\x00"


def postgresql_database(url: str) -> peewee.PostgresqlDatabase:
    try:
        import psycopg  # noqa: F401  (peewee picks the driver up by itself)
    except ImportError as error:
        raise DatabaseOpenError(
            "PostgreSQL needs the psycopg driver: pip install 'entitlement-desk[postgresql]'."
        ) from error
    parsed = urlparse(url)
    params = {
        "host": parsed.hostname or "localhost",
        "port": parsed.port or 5432,
        "user": unquote(parsed.username) if parsed.username else None,
        "password": unquote(parsed.password) if parsed.password else None,
        "connect_timeout": 10,
    }
    return peewee.PostgresqlDatabase(
        unquote(parsed.path.lstrip("/")) or None,
        prefer_psycopg3=True,
        **{key: value for key, value in params.items() if value is not None},
    )


def _prepare_schema(location: DatabaseLocation) -> None:
    tables = set(db.get_tables())
    if not tables:
        with db.atomic():
            db.create_tables(ALL_MODELS)
            if isinstance(db.obj, peewee.PostgresqlDatabase):
                install_fold_function(db.obj)
            install_history(db)
            install_configuration_version(db)
            SchemaInfo.create(key="schema_version", value=str(SCHEMA_VERSION))
            SchemaInfo.create(key="created", value=datetime.now(timezone.utc).isoformat())
            SchemaInfo.create(key=HEAD_KEY, value=GENESIS)
        return
    if SchemaInfo._meta.table_name not in tables:
        raise DatabaseOpenError(f"{location.describe()} is a database, but not an Entitlement Desk database.")
    version = schema_version()
    if version > SCHEMA_VERSION:
        raise DatabaseOpenError(
            f"{location.describe()} was written by a newer Entitlement Desk (schema version "
            f"{version}; this version understands up to {SCHEMA_VERSION}). Update the app to open it."
        )
    if version < SCHEMA_VERSION:
        migrate(location, version)


def migrate(
    location: DatabaseLocation, from_version: int, steps: dict | None = None, to_version: int | None = None
) -> Path | None:
    """Run the forward migrations from `from_version` to `to_version`, each in a transaction.

    For SQLite the file is copied first (the copy's path is returned) so a failed migration
    can never cost the user their data.
    """
    steps = registered_migrations() if steps is None else steps
    to_version = SCHEMA_VERSION if to_version is None else to_version
    missing = [v for v in range(from_version + 1, to_version + 1) if v not in steps]
    if missing:
        raise DatabaseOpenError(f"No migration to schema version {missing[0]} is known.")
    backup = _backup_sqlite(location, from_version) if location.kind == "sqlite" else None
    for version in range(from_version + 1, to_version + 1):
        # A step that rebuilds a table runs with foreign keys off (a pragma that has no effect
        # inside a transaction), so dropping the old table cascades nowhere; it checks them itself.
        rebuilds = location.kind == "sqlite" and getattr(steps[version], "rebuilds_sqlite_tables", False)
        if rebuilds:
            db.execute_sql("PRAGMA foreign_keys = OFF")
        try:
            with db.atomic():
                steps[version](db)
                SchemaInfo.put("schema_version", str(version))
        finally:
            if rebuilds:
                db.execute_sql("PRAGMA foreign_keys = ON")
    return backup


def _backup_sqlite(location: DatabaseLocation, version: int) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    backup = location.path.with_name(f"{location.path.name}.v{version}-{stamp}.bak")
    # Created new, owner-only and never through a link: a name planted beforehand (a link to
    # somewhere else, another file) is refused rather than written through.
    try:
        os.close(os.open(backup, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600))
    except FileExistsError as error:
        raise DatabaseOpenError(
            f"Cannot back up {location.path} before upgrading it: {backup.name} already exists. "
            "Move it away and open the database again."
        ) from error
    except OSError as error:
        raise DatabaseOpenError(f"Cannot back up {location.path} before upgrading it: {error.strerror}.") from error
    # The online backup API copies a consistent image even with the WAL in use.
    source = sqlite3.connect(str(location.path))
    try:
        target = sqlite3.connect(str(backup))
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()
    return backup


def _explain(location: DatabaseLocation, error: peewee.DatabaseError) -> str:
    text = str(error)
    failure = classify(error)
    if failure is Failure.DAMAGED:
        return f"{location.describe()} is damaged or not a database ({text})."
    if failure is Failure.LOCKED:
        return f"{location.describe()} is locked by another program; try again when it is done."
    if failure is Failure.READ_ONLY:
        return f"{location.describe()} is read-only ({text})."
    if failure is Failure.FULL:
        return f"The disk holding {location.describe()} is full; free some space and try again."
    return f"Cannot open {location.describe()}: {text}."
