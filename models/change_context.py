"""The change context: the source, run, actor and business time the history triggers record
for the writes of the current transaction (see `models.history`)."""

from datetime import datetime

import peewee

from models.base import UtcDateTimeField, db
from models.history import SETTING_PREFIX, ChangeContext

_TABLE = ChangeContext._meta.table_name
_SET_SQLITE = f'INSERT OR REPLACE INTO "{_TABLE}" (slot, source, run, actor, at) VALUES (1, ?, ?, ?, ?)'
_CLEAR_SQLITE = f'DELETE FROM "{_TABLE}"'
_AT = UtcDateTimeField()


def set_change_context(
    source: str, at: datetime | None = None, run: str | None = None, actor: str | None = None
) -> None:
    """Record the writes that follow, until `clear_change_context()` or the end of the
    transaction, as coming from `source` at `at` (None: the database's clock). Call inside
    a transaction."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        # SET LOCAL semantics: the settings end with the transaction, so a connection handed to
        # the next writer carries nothing over.
        values = {"source": source, "run": run, "actor": actor, "at": _AT.db_value(at).isoformat() if at else None}
        for key, value in values.items():
            db.execute_sql("SELECT set_config(%s, %s, true)", (SETTING_PREFIX + key, value or ""))
        return
    # Plain SQL: a lifecycle transition sets the context each time, and peewee's query builder
    # would cost more than the statement.
    db.execute_sql(_SET_SQLITE, (source, run, actor, _AT.db_value(at)))


def clear_change_context() -> None:
    """Forget the context, so later writes of this transaction (or of the next writer on
    SQLite, where the row would otherwise outlive the transaction) are not credited to it."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        for key in ("source", "run", "actor", "at"):
            db.execute_sql("SELECT set_config(%s, '', true)", (SETTING_PREFIX + key,))
        return
    db.execute_sql(_CLEAR_SQLITE)
