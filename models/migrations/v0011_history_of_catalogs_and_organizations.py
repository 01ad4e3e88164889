"""Version 11: catalogs and connected organizations keep their history too (who could request
what at a moment reads them), and the histories get the indexes reports as of a moment walk.
Each row already there becomes its first version, valid from its creation time."""

from datetime import datetime, timezone

from models.catalog import Catalog
from models.directory import ConnectedOrganization
from models.history import TRACKED_MODELS, backfill_history, history_model, history_table, install_history

NEWLY_TRACKED = (Catalog, ConnectedOrganization)


def upgrade(database) -> None:
    existing = set(database.get_tables())
    # A database created new at an earlier version number by this code (tests make such) has them.
    missing = [model for model in NEWLY_TRACKED if history_table(model) not in existing]
    install_history(database, missing)
    backfill_history(database, datetime.now(timezone.utc), missing)
    for model in TRACKED_MODELS:
        history_model(model)._schema.create_indexes(safe=True)
