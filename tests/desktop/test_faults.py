"""A database that fails mid-work gives a clear message and keeps its state."""

import sqlite3

import peewee
import pytest

from desktop.audit_chain import append, verify
from desktop.audit_record import event_fields
from desktop.cli import main
from models import AuditEvent, User, db
from models.database import (
    RECOVERABLE_ERRORS,
    close_database,
    explain_failure,
    open_database,
    postgresql_database,
)
from models.errors import DatabaseUnavailable, Failure, classify
from tests.helpers import factories
from tests.helpers.audit_documents import document


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
        full = sqlite3.OperationalError("database or disk is full")
        full.sqlite_errorcode = 13  # SQLITE_FULL, as the driver sets it
        raise peewee.OperationalError("database or disk is full") from full

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


def _driver_error(kind, code_attribute: str, code):
    error = kind("message text in any language")
    setattr(error, code_attribute, code)
    return error


@pytest.mark.parametrize(
    ("code", "failure", "retryable"),
    [
        (5, Failure.LOCKED, True),
        (6, Failure.LOCKED, True),
        (261, Failure.LOCKED, True),  # SQLITE_BUSY_RECOVERY
        (13, Failure.FULL, True),
        (8, Failure.READ_ONLY, False),
        (11, Failure.DAMAGED, False),
        (26, Failure.DAMAGED, False),
        (10, Failure.LOST, True),
    ],
)
def test_sqlite_failures_are_told_by_result_code_not_text(code, failure, retryable):
    """The message text says nothing; the result code decides, and says whether Retry helps."""
    try:
        raise peewee.OperationalError("message text in any language") from _driver_error(
            sqlite3.OperationalError, "sqlite_errorcode", code
        )
    except peewee.OperationalError as error:
        assert classify(error) is failure
        explained = explain_failure(error)
    assert (explained.failure, explained.retryable) == (failure, retryable)


class _PostgresError(Exception):
    sqlstate = None


@pytest.mark.parametrize(
    ("sqlstate", "failure"),
    [
        ("53100", Failure.FULL),
        ("25006", Failure.READ_ONLY),
        ("55P03", Failure.LOCKED),
        ("40P01", Failure.LOCKED),
        ("08006", Failure.LOST),
        ("57P01", Failure.LOST),
        ("XX001", Failure.DAMAGED),
    ],
)
def test_postgresql_failures_are_told_by_sqlstate(sqlstate, failure):
    try:
        raise peewee.OperationalError("text") from _driver_error(_PostgresError, "sqlstate", sqlstate)
    except peewee.OperationalError as error:
        assert classify(error) is failure


def test_a_locked_database_is_retryable(sqlite_file):
    other = sqlite3.connect(sqlite_file)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(RECOVERABLE_ERRORS) as caught:
        append_records()
    other.rollback()
    other.close()
    explained = explain_failure(caught.value)
    assert (explained.failure, explained.retryable) == (Failure.LOCKED, True)
