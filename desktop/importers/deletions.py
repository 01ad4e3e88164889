"""Marking imported objects deleted: by a delta page's `@removed`, or by their absence from a list
the import holds completely. A row is never removed; a deleted object seen again is current again."""

from datetime import datetime

from desktop.importers import kinds
from models import (
    AccessPackage,
    Assignment,
    AssignmentPolicy,
    Catalog,
    ConnectedOrganization,
    Group,
    Resource,
    User,
)

CHUNK = 500
DELETABLE = {
    kinds.USER: User,
    kinds.GROUP: Group,
    kinds.CONNECTED_ORGANIZATION: ConnectedOrganization,
    kinds.CATALOG: Catalog,
    kinds.RESOURCE: Resource,
    kinds.ACCESS_PACKAGE: AccessPackage,
    kinds.POLICY: AssignmentPolicy,
    kinds.ASSIGNMENT: Assignment,
}


def model_of(kind: str):
    """The table of a kind that can be marked deleted, or None."""
    return DELETABLE.get(kind)


def mark(kind: str, ids, observed_at: datetime) -> int:
    """Mark the objects `ids` deleted since `observed_at` (the first time they were seen gone)."""
    model = DELETABLE.get(kind)
    if model is None:
        return 0
    ids, marked = list(ids), 0
    for start in range(0, len(ids), CHUNK):
        marked += (
            model.update(deleted_date_time=observed_at)
            .where(model.id.in_(ids[start : start + CHUNK]) & model.deleted_date_time.is_null())
            .execute()
        )
    return marked


def mark_unseen(kind: str, seen, observed_at: datetime) -> int:
    """Mark deleted the stored objects of `kind` that are current but not in `seen`."""
    model = DELETABLE.get(kind)
    if model is None:
        return 0
    seen = set(seen)
    stored = model.select(model.id).where(model.deleted_date_time.is_null()).tuples().iterator()
    return mark(kind, [pk for (pk,) in stored if pk not in seen], observed_at)


def restore(kind: str, seen) -> None:
    """Objects of `kind` this import holds are current, even when marked deleted before."""
    model = DELETABLE.get(kind)
    if model is None or not model.select().where(model.deleted_date_time.is_null(False)).exists():
        return
    ids = list(seen)
    for start in range(0, len(ids), CHUNK):
        model.update(deleted_date_time=None).where(
            model.id.in_(ids[start : start + CHUNK]) & model.deleted_date_time.is_null(False)
        ).execute()
