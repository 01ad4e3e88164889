"""A fingerprint of the whole database, to show that a failed operation changed nothing."""

import hashlib

from models import ALL_MODELS


def database_digest(excluding=()) -> str:
    """sha256 over every model's rows (raw stored values), each table ordered by primary key;
    `excluding` leaves out tables that record the attempt itself (the sync runs)."""
    digest = hashlib.sha256()
    for model in ALL_MODELS:
        if model in excluding:
            continue
        digest.update(model._meta.table_name.encode())
        keys = model._meta.get_primary_keys()
        for row in model.select().order_by(*keys).tuples():
            digest.update(repr(row).encode())
    return digest.hexdigest()
