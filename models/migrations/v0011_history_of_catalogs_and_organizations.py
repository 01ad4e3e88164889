"""Version 11: catalogs and connected organizations keep their history too (who could request
what at a moment reads them), and three histories get the indexes reports at a moment walk:
group memberships by member (who could request), access packages by name (report 1 over every
package), and assignments' valid time with the deleted marker (counting them reads that alone),
in place of their valid_from index. Each catalog and organization already there becomes its
first version, valid from its creation time."""

from datetime import datetime, timezone

from peewee import SqliteDatabase

from models.assignments import Assignment
from models.catalog import AccessPackage, Catalog
from models.directory import ConnectedOrganization, GroupMember
from models.history import backfill_history, history_model, history_table, install_history

NEWLY_TRACKED = (Catalog, ConnectedOrganization)
NEWLY_INDEXED = (GroupMember, AccessPackage, Assignment)
REPLACED_INDEX = "assignmenthistory_valid_from"


def upgrade(database) -> None:
    existing = set(database.get_tables())
    # A database created new at an earlier version number by this code (tests make such) has them.
    missing = [model for model in NEWLY_TRACKED if history_table(model) not in existing]
    install_history(database, missing)
    backfill_history(database, datetime.now(timezone.utc), missing)
    # An assignment's valid time is indexed with its deleted marker (counting reads that alone).
    database.execute_sql(f'DROP INDEX IF EXISTS "{REPLACED_INDEX}"')
    for model in NEWLY_INDEXED:
        history_model(model)._schema.create_indexes(safe=True)
    # Where the query planner has statistics, it walks only indexes it has them for.
    if "sqlite_stat1" in existing or not isinstance(database.obj, SqliteDatabase):
        for model in (*NEWLY_INDEXED, *NEWLY_TRACKED):
            database.execute_sql(f'ANALYZE "{history_table(model)}"')
