import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from models import SchemaInfo, User, db
from models import database as database_module
from models.database import (
    ENV_VARIABLE,
    SCHEMA_VERSION,
    close_database,
    open_database,
    resolve_location,
    schema_version,
)
from models.errors import DatabaseOpenError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(autouse=True)
def _close():
    yield
    close_database()


def test_new_database_gets_current_version_wal_and_foreign_keys(tmp_path):
    """A new file is created at the current schema version, in WAL mode, with foreign keys on."""
    open_database(tmp_path / "new.db")
    assert schema_version() == SCHEMA_VERSION
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] > 0


def test_new_database_file_is_readable_by_its_owner_only(tmp_path):
    """The database file holds a tenant's directory: mode 0600."""
    path = tmp_path / "private.db"
    open_database(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_reopening_keeps_the_data(tmp_path):
    """What was written is there when the file is opened again."""
    path = tmp_path / "tenant.db"
    open_database(path)
    User.create(user_principal_name="a@contoso.com", display_name="A")
    close_database()
    open_database(path)
    assert User.select().count() == 1


def test_newer_database_is_refused(tmp_path):
    """A database written by a newer version is refused with a message naming both versions."""
    path = tmp_path / "newer.db"
    open_database(path)
    SchemaInfo.update(value=str(SCHEMA_VERSION + 5)).where(SchemaInfo.key == "schema_version").execute()
    close_database()
    with pytest.raises(DatabaseOpenError, match=rf"newer Entitlement Desk.*{SCHEMA_VERSION + 5}"):
        open_database(path)


@pytest.mark.parametrize("content", [b"hello, this is a text file", bytes(range(256)) * 8])
def test_a_file_that_is_not_a_database_is_refused(tmp_path, content):
    """Text or binary junk is refused with a clear message, and left as it was."""
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseOpenError, match="not an Entitlement Desk database"):
        open_database(path)
    assert path.read_bytes() == content


def test_a_damaged_database_is_refused(tmp_path):
    """A file with the SQLite header and garbage after it gets a clear message."""
    path = tmp_path / "damaged.db"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    with pytest.raises(DatabaseOpenError, match="damaged or not a database"):
        open_database(path)


def test_a_foreign_sqlite_database_is_refused(tmp_path):
    """Someone else's SQLite file is not taken over."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE photos (id INTEGER)")
    with pytest.raises(DatabaseOpenError, match="not an Entitlement Desk database"):
        open_database(path)


def test_a_missing_database_is_refused_when_not_creating(tmp_path):
    """create=False never makes a file."""
    with pytest.raises(DatabaseOpenError, match="There is no database"):
        open_database(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_location_comes_from_the_argument_then_the_environment(tmp_path, monkeypatch):
    """--db wins over ENTITLEMENT_DESK_DB, which wins over the default."""
    monkeypatch.setenv(ENV_VARIABLE, str(tmp_path / "env.db"))
    assert resolve_location(None).path == tmp_path / "env.db"
    assert resolve_location(f"sqlite:///{tmp_path}/url.db").path == tmp_path / "url.db"
    assert (
        resolve_location("postgresql://alice:secret@db.example/tenant").describe()
        == "postgresql://alice@db.example/tenant"
    )
    monkeypatch.delenv(ENV_VARIABLE)
    assert resolve_location(None).path.name == "entitlement-desk.db"
    with pytest.raises(DatabaseOpenError, match="Unsupported database address"):
        resolve_location("mysql://x/y")


def _add_nickname(database):
    database.execute_sql('ALTER TABLE "user" ADD COLUMN nickname VARCHAR(64)')


def test_version_1_fixture_migrates_forward_after_a_backup(tmp_path, monkeypatch):
    """The kept version-1 database migrates to a newer version; a backup copy of it is made first."""
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "schema_v1.db", path)
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(database_module, "registered_migrations", lambda: {2: _add_nickname})
    open_database(path)
    assert schema_version() == 2
    columns = {c.name for c in db.get_columns("user")}
    assert "nickname" in columns
    assert User.select().count() == 3
    backups = list(tmp_path.glob("v1.db.v1-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as backup:
        assert backup.execute("SELECT value FROM schema_info WHERE key='schema_version'").fetchone() == ("1",)


def test_a_failing_migration_leaves_the_database_at_its_version(tmp_path, monkeypatch):
    """A migration step that fails is rolled back whole and the open is refused."""
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "schema_v1.db", path)

    def broken(database):
        _add_nickname(database)
        database.execute_sql("SELECT * FROM no_such_table")

    monkeypatch.setattr(database_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(database_module, "registered_migrations", lambda: {2: broken})
    with pytest.raises(DatabaseOpenError):
        open_database(path)
    close_database()
    with sqlite3.connect(path) as reopened:
        assert reopened.execute("SELECT value FROM schema_info WHERE key='schema_version'").fetchone() == ("1",)
        assert "nickname" not in {row[1] for row in reopened.execute('PRAGMA table_info("user")')}


def test_the_real_migrations_end_at_the_schema_a_new_database_gets(tmp_path):
    """Version 1 taken through every migration has the tables, columns and indexes of a
    database created new, no index more or less."""
    migrated = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "schema_v1.db", migrated)
    open_database(migrated)
    assert schema_version() == SCHEMA_VERSION
    close_database()
    open_database(tmp_path / "new.db")
    close_database()
    assert _schema_shape(migrated) == _schema_shape(tmp_path / "new.db")


def _schema_shape(path: Path) -> dict:
    with sqlite3.connect(path) as connection:
        shape = {}
        for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            # Declared lengths aside: SQLite does not enforce them, so v4 left them as they were.
            shape[table] = [
                (name, declared.split("(")[0])
                for _, name, declared, *_ in connection.execute(f'PRAGMA table_info("{table}")')
            ]
        for name, table in connection.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"):
            unique = connection.execute(
                f'SELECT "unique" FROM pragma_index_list("{table}") WHERE name = ?', (name,)
            ).fetchone()[0]
            columns = [row[2] for row in connection.execute(f'PRAGMA index_info("{name}")')]
            shape[f"index {name}"] = (table, unique, columns)
    return shape
