"""Acting with more than the app's login: as the database's owner, or as an attacker."""

import os
from contextlib import contextmanager

from models import db
from models.database import postgresql_database


@contextmanager
def as_owner(without_triggers: bool = False):
    """On the least-privilege PostgreSQL pass, run the block as the superuser that set the
    database up (what a migration, or an attacker, would need); elsewhere as the test already
    is. `without_triggers` also switches the database's triggers off."""
    setup_database = os.environ.get("ENTITLEMENT_DESK_TEST_SETUP_DB")
    if not setup_database:
        yield
        return
    application = db.obj
    superuser = postgresql_database(setup_database)
    superuser.connect()
    if without_triggers:
        superuser.execute_sql("SET session_replication_role = replica")
    db.initialize(superuser)
    try:
        yield
    finally:
        superuser.close()
        db.initialize(application)


def tampering():
    """Change what the app may not: as whoever holds the SQLite file, or on the least-privilege
    PostgreSQL pass as a superuser with triggers off (what an attacker would need)."""
    return as_owner(without_triggers=True)
