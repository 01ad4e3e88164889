"""Reports as of a moment: a report's own query, with each tracked table shadowed by a
common table expression of the same name that selects the versions valid at that moment.
So a report is defined once and answers for any moment; the history tables hold the rest."""

import functools
from datetime import datetime

from peewee import CTE, SQL, SqliteDatabase

from models.base import UtcDateTimeField
from models.history import TRACKED_MODELS, history_model, history_table, tracked_columns, valid_at


@functools.cache
def _versions_sql(model, param: str, sqlite: bool) -> str:
    columns = ", ".join(f'"{column}"' for column in tracked_columns(model))
    # At a moment a history is read by a row's key, by a foreign key or whole, never well by
    # the start of its versions: almost every version started before a moment that matters. The
    # unary + keeps SQLite from driving a report by the `valid_from` index (then sorting every
    # row valid at the moment) where a report's order can walk another index and stop at a page:
    # report 1 over every package on the large demo, 1.2 s → 38 ms (count + first page, in one
    # run on a loaded machine). PostgreSQL plans by its own statistics (and has no + for times).
    start = "+valid_from" if sqlite else "valid_from"
    return (
        f'SELECT {columns} FROM "{history_table(model)}" '
        f"WHERE {start} <= {param} AND (valid_to IS NULL OR valid_to > {param})"
    )


def versions_at(model, moment: datetime, param: str, sqlite: bool) -> CTE:
    """`model`'s table as it was at `moment`, under the table's own name."""
    at = UtcDateTimeField().db_value(moment)
    # Literal SQL, generated once per table: building sixteen peewee subqueries for every
    # page would cost more than running them. Inlined (NOT MATERIALIZED), so a filter of the
    # report reaches the history's indexes instead of copying every version first.
    return CTE(model._meta.table_name, SQL(_versions_sql(model, param, sqlite), (at, at)), materialized=False)


def as_of(query, moment: datetime | None):
    """`query` read at `moment` (None: as things are now)."""
    if moment is None:
        return query
    from models import db

    sqlite = isinstance(db.obj, SqliteDatabase)
    return query.with_cte(*[versions_at(model, moment, db.param, sqlite) for model in TRACKED_MODELS])


def row_as_of(model, key, moment: datetime):
    """The row of `model` whose primary key is `key` as it was at `moment`, or None when it did
    not exist then: a model instance read from the history, to read, never to save."""
    history = history_model(model)
    columns = tracked_columns(model)
    version = (
        history.select(*[getattr(history, column) for column in columns])
        .where((getattr(history, model._meta.primary_key.column_name) == key) & valid_at(history, moment))
        .tuples()
        .first()
    )
    if version is None:
        return None
    fields = {field.column_name: field.name for field in model._meta.sorted_fields}
    return model(**{fields[column]: value for column, value in zip(columns, version)})
