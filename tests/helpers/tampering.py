"""Acting as an attacker who holds more than the app's login."""
import os
from contextlib import contextmanager

from models import db
from models.database import postgresql_database


@contextmanager
def tampering():
    """Change what the app may not: as whoever holds the SQLite file, or on the least-privilege
    PostgreSQL pass as a superuser with triggers off (what an attacker would need)."""
    setup_database = os.environ.get("ENTITLEMENT_DESK_TEST_SETUP_DB")
    if not setup_database:
        yield
        return
    application = db.obj
    superuser = postgresql_database(setup_database)
    superuser.connect()
    superuser.execute_sql("SET session_replication_role = replica")
    db.initialize(superuser)
    try:
        yield
    finally:
        superuser.close()
        db.initialize(application)
