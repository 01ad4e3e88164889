"""The tenant a database is synced from, the delta links of its incremental syncs, and the
record of every sync run."""

from peewee import AutoField, CharField, TextField

from models.base import BaseModel, JSONField, UtcDateTimeField


class TenantConnection(BaseModel):
    """The one tenant this database mirrors (at most one row): set by the first sync."""

    tenant_id = CharField(primary_key=True, max_length=64)
    display_name = TextField(null=True)
    graph_root = TextField()
    cloud = CharField(max_length=16)
    client_id = CharField(max_length=64, null=True)
    signed_in_user_id = CharField(max_length=36, null=True)
    signed_in_upn = TextField(null=True)
    connected_at = UtcDateTimeField()


class DeltaLink(BaseModel):
    """The `@odata.deltaLink` a kind's last complete sync ended on; the next sync starts there."""

    kind = CharField(primary_key=True, max_length=64)
    url = TextField()
    saved_at = UtcDateTimeField()


class SyncRun(BaseModel):
    """One sync: who ran it against which endpoint, what it fetched, and how it ended."""

    id = AutoField()
    started_at = UtcDateTimeField()
    finished_at = UtcDateTimeField(null=True)
    signed_in = TextField(null=True)
    tenant_id = CharField(max_length=64, null=True)
    endpoint = TextField()
    mode = CharField(max_length=16)  # full / incremental
    result = CharField(max_length=16)  # running / succeeded / failed / cancelled
    message = TextField(null=True)
    counts = JSONField(null=True)  # kind -> {"fetched": n, "created": n, "updated": n, "deleted": n, ...}
