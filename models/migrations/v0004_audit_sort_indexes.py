"""Version 4: indexes for sorting the audit log by result, service and result reason."""
from models.audit import AuditEvent


def upgrade(database) -> None:
    # create_index is idempotent (IF NOT EXISTS): it adds only the indexes still missing.
    AuditEvent._schema.create_indexes(safe=True)
