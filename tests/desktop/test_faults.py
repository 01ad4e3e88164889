"""A database that fails mid-work gives a clear message and keeps its state."""
import sqlite3

import peewee
import pytest

from desktop.audit_chain import append, verify
from desktop.audit_record import event_fields
from desktop.cli import main
from models import AuditEvent, User, db
from models.database import (
    RECOVERABLE_ERRORS, close_database, explain_failure, open_database, postgresql_database,
)
from models.errors import DatabaseUnavailable
from tests import factories
from tests.desktop.test_audit_chain import document


def failure_message(action) -> str:
    with pytest.raises(RECOVERABLE_ERRORS) as caught:
        action()
    explained = explain_failure(caught.value)
    assert isinstance(explained, DatabaseUnavailable)
    return str(explained)


def append_records():
    with db.atomic():
        append(event_fields(document(n)) for n in range(100, 400))


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "tenant.db"
    open_database(path, busy_timeout=0.2)
    append(event_fields(document(n)) for n in range(5))
    yield path
    close_database()


def test_a_database_locked_by_another_program(sqlite_file):
    """A write lock held elsewhere past the wait: 'locked', nothing written, works after."""
    other = sqlite3.connect(sqlite_file)
    other.execute("BEGIN IMMEDIATE")
    assert "locked by another program" in failure_message(append_records)
    other.rollback()
    other.close()
    assert AuditEvent.select().count() == 5
    append_records()
    assert verify().intact and AuditEvent.select().count() == 305


def test_a_full_disk(sqlite_file):
    """The database cannot grow: 'full', the transaction rolled back, the chain intact."""
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages + 1}")
    assert "is full" in failure_message(append_records)
    assert AuditEvent.select().count() == 5 and verify().intact


def test_a_read_only_database(sqlite_file):
    """Writing to a read-only database: 'read-only', nothing changed."""
    db.execute_sql("PRAGMA query_only = 1")
    assert "read-only" in failure_message(lambda: factories.user("Adele Vance"))
    assert not User.select().exists()


def test_cli_turns_a_database_failure_into_one_line(sqlite_file, capsys, monkeypatch):
    """The CLI prints the failure on stderr with exit code 2, never a traceback."""
    def fail(args):
        raise peewee.OperationalError("database or disk is full")
    from desktop.commands import info
    monkeypatch.setattr(info, "run", fail)
    close_database()
    assert main(["--db", str(sqlite_file), "info"]) == 2
    err = capsys.readouterr().err
    assert "is full" in err and "Traceback" not in err
    open_database(sqlite_file)


def test_a_postgresql_server_that_drops_the_connection(database, on_postgresql):
    """The server ends the session: a clear message, then the next action reconnects."""
    if not on_postgresql:
        pytest.skip("needs the PostgreSQL test server")
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    killer = postgresql_database(database.url)
    killer.connect()
    killer.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))
    killer.close()
    message = failure_message(lambda: factories.user("Adele Vance"))
    assert "Lost the connection" in message
    factories.user("Alex Wilber")
    assert User.select().count() == 1
