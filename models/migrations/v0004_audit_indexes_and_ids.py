"""Version 4: indexes for sorting the audit log by result, service and result reason, and
audit ids as long as Entra's own."""

import peewee

from models.audit import AuditEvent


def upgrade(database) -> None:
    # create_index is idempotent (IF NOT EXISTS): it adds only the indexes still missing.
    AuditEvent._schema.create_indexes(safe=True)
    # SQLite does not enforce a text length; PostgreSQL does.
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        database.execute_sql('ALTER TABLE "audit_event" ALTER COLUMN "id" TYPE VARCHAR(128)')
