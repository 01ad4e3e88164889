"""History (issue 18): a `<table>_history` of every tracked table, written by triggers, the
change context they read and the record of import and sync runs. Each row already there
becomes its first version, valid from its creation time."""

from datetime import datetime, timezone

from models.history import backfill_history, install_history


def upgrade(database) -> None:
    install_history(database)
    backfill_history(database, datetime.now(timezone.utc))
