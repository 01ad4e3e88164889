import os

# Before anything imports Qt: the tests run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import pytest

from models.database import close_database, open_database
from tests.helpers.databases import TEST_DATABASE, empty_postgresql


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "tenant.db"


@pytest.fixture
def database_target(db_path):
    """Where the `database` fixture's database is: a temp SQLite file, or the PostgreSQL
    test database emptied for this test."""
    if TEST_DATABASE:
        empty_postgresql(TEST_DATABASE)
        return TEST_DATABASE
    return db_path


@pytest.fixture
def database(database_target):
    """A fresh, empty database bound to the models (worker threads and processes see it too)."""
    location = open_database(database_target)
    yield location
    close_database()


@pytest.fixture
def on_postgresql() -> bool:
    return bool(TEST_DATABASE)
