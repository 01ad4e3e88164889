"""Version 2: audit records carry a content hash and a hash chained to the previous record."""

from peewee import CharField
from playhouse.migrate import SchemaMigrator, migrate

from models.audit import AuditEvent
from models.audit_chain import GENESIS, HEAD_KEY, chain_hash, content_hash, hashed_fields, stored_values
from models.meta import SchemaInfo


def upgrade(database) -> None:
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_column("audit_event", "content_hash", CharField(max_length=64, null=True)),
        migrator.add_column("audit_event", "chain_hash", CharField(max_length=64, null=True)),
    )
    # The records already there are chained in write order, as if they were written now.
    # Only the columns of this version: a column a later version adds is not there yet (and an
    # empty one is not hashed, models.audit_chain).
    present = {column.name for column in database.get_columns("audit_event")}
    fields = tuple(field for field in hashed_fields(AuditEvent) if field.column_name in present)
    head = GENESIS
    for row in AuditEvent.select(AuditEvent.seq, *fields).order_by(AuditEvent.seq).dicts().iterator():
        content = content_hash(stored_values(fields, row))
        head = chain_hash(head, content)
        (AuditEvent.update(content_hash=content, chain_hash=head).where(AuditEvent.seq == row["seq"]).execute())
    SchemaInfo.put(HEAD_KEY, head)
