import os

# Before anything imports Qt: the tests run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from urllib.parse import unquote, urlparse

import pytest

from models.database import close_database, open_database, postgresql_database

# Set to a postgresql:// URL to run the suite against PostgreSQL (see the README).
TEST_DATABASE = os.environ.get("ENTITLEMENT_DESK_TEST_DB")
# With a superuser's URL here too, each test's database is emptied and set up by
# `database setup` as that superuser, and the tests run as TEST_DATABASE's login: an
# application login with least privilege (CI's PostgreSQL pass).
SETUP_DATABASE = os.environ.get("ENTITLEMENT_DESK_TEST_SETUP_DB")


def _empty_postgresql(url: str) -> None:
    server = postgresql_database(SETUP_DATABASE or url)
    server.connect()
    server.execute_sql("DROP SCHEMA public CASCADE")
    server.execute_sql("CREATE SCHEMA public")
    server.close()
    if SETUP_DATABASE:
        from desktop.database_setup import setup_database
        open_database(SETUP_DATABASE)
        try:
            setup_database([unquote(urlparse(url).username)])
        finally:
            close_database()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "tenant.db"


@pytest.fixture
def database_target(db_path):
    """Where the `database` fixture's database is: a temp SQLite file, or the PostgreSQL
    test database emptied for this test."""
    if TEST_DATABASE:
        _empty_postgresql(TEST_DATABASE)
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


