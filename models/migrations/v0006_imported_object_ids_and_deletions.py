"""Version 6: objects seen gone from the tenant are marked deleted (never removed), the ids
Graph gives contained entities (`<roleId>_<scopeId>` role scopes) fit their columns, and an
audit record keeps what its columns cannot (`graph_extra`)."""

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from models.audit import AuditEvent

from models.deletion import add_deleted_columns


def upgrade(database) -> None:
    add_deleted_columns(database)
    columns = {column.name for column in database.get_columns("audit_event")}
    if "graph_extra" not in columns:
        migrate(
            SchemaMigrator.from_database(database.obj).add_column("audit_event", "graph_extra", AuditEvent.graph_extra)
        )
    # SQLite does not enforce a text length; PostgreSQL does.
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        database.execute_sql('ALTER TABLE "resource_role_scope" ALTER COLUMN "id" TYPE VARCHAR(160)')
        database.execute_sql('ALTER TABLE "app_role_assignment" ALTER COLUMN "id" TYPE VARCHAR(128)')
