"""The deleted marker of imported objects: when an object was first seen gone from the tenant.

A row is never removed because its object left the tenant (reports of the past still need
it); `deleted_date_time` says since when it is gone, and current-state reports leave it out.
"""

from playhouse.migrate import SchemaMigrator, migrate

from models.assignments import Assignment
from models.catalog import AccessPackage, Catalog, Resource
from models.directory import ConnectedOrganization, Group, User
from models.policy import AssignmentPolicy

DELETABLE_MODELS = (User, Group, ConnectedOrganization, Catalog, Resource, AccessPackage, AssignmentPolicy, Assignment)


def current(model):
    """The condition that a row of `model` (one of DELETABLE_MODELS) is not marked deleted."""
    return model.deleted_date_time.is_null()


def add_deleted_columns(database) -> None:
    """Add `deleted_date_time` to each table that lacks it (a database of schema version 5)."""
    for model in DELETABLE_MODELS:
        table = model._meta.table_name
        columns = {column.name for column in database.get_columns(table)}
        if "deleted_date_time" not in columns:
            # The field's own type on each database (DATETIME on SQLite, TIMESTAMP on PostgreSQL).
            migrate(
                SchemaMigrator.from_database(database.obj).add_column(
                    table, "deleted_date_time", model.deleted_date_time
                )
            )
