"""The database the suite runs on: SQLite files, or PostgreSQL when the environment names one."""

import os
from urllib.parse import unquote, urlparse

from models.database import close_database, open_database, postgresql_database

# Set to a postgresql:// URL to run the suite against PostgreSQL (see the README).
TEST_DATABASE = os.environ.get("ENTITLEMENT_DESK_TEST_DB")
# With a superuser's URL here too, each test's database is emptied and set up by
# `database setup` as that superuser, and the tests run as TEST_DATABASE's login: an
# application login with least privilege (CI's PostgreSQL pass).
SETUP_DATABASE = os.environ.get("ENTITLEMENT_DESK_TEST_SETUP_DB")


def empty_postgresql(url: str) -> None:
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
