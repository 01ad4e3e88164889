"""Reports as of a moment: a report's own query, with each tracked table shadowed by a
common table expression of the same name that selects the versions valid at that moment.
So a report is defined once and answers for any moment; the history tables hold the rest."""
from datetime import datetime

from peewee import CTE

from models.history import TRACKED_MODELS, history_model, tracked_columns


def versions_at(model, moment: datetime) -> CTE:
    """`model`'s table as it was at `moment`, under the table's own name."""
    history = history_model(model)
    fields = history._meta.fields
    return CTE(
        model._meta.table_name,
        history.select(*[fields[column] for column in tracked_columns(model)])
        .where((history.valid_from <= moment) & (history.valid_to.is_null() | (history.valid_to > moment))),
        # Inlined, so a filter of the report reaches the history's indexes (a materialized
        # CTE would copy every version of the table first).
        materialized=False)


def as_of(query, moment: datetime | None):
    """`query` read at `moment` (None: as things are now)."""
    if moment is None:
        return query
    return query.with_cte(*[versions_at(model, moment) for model in TRACKED_MODELS])
