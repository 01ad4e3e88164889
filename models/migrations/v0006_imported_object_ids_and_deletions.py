"""Version 6: objects seen gone from the tenant are marked deleted (never removed), and the ids
Graph gives contained entities (`<roleId>_<scopeId>` role scopes) fit their columns."""
import peewee

from models.deletion import add_deleted_columns


def upgrade(database) -> None:
    add_deleted_columns(database)
    # SQLite does not enforce a text length; PostgreSQL does.
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        database.execute_sql('ALTER TABLE "resource_role_scope" ALTER COLUMN "id" TYPE VARCHAR(160)')
