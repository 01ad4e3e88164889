"""Version 8: the tenant connection, the delta links of incremental syncs, and sync runs."""

from models.sync import DeltaLink, SyncRun, TenantConnection


def upgrade(database) -> None:
    database.create_tables([TenantConnection, DeltaLink, SyncRun])
