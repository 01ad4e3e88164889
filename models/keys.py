"""Case-insensitive matching that works beyond ASCII, the same on SQLite and PostgreSQL.

A search key is its text case-folded with Unicode's full folding (after NFKC), so
"Größe ÄNDERUNG" and "grösse änderung" match ("ß" folds to "ss"); SQLite's own LOWER and
LIKE fold ASCII only. `SearchKeyField` columns hold the key of another column and are
filled by the model (BaseModel) on every insert, update and save, never by the code that
writes the row. `folded()` is the same folding inside SQL, for matching columns that have
no key column: a function registered on each SQLite connection, `desk_fold` on PostgreSQL.
"""

import unicodedata
from collections.abc import Callable

import peewee
from peewee import CharField, Function, Node, fn

FOLD_FUNCTION = "desk_fold"


def fold(text: str | None) -> str | None:
    """The search key of `text` (None stays None)."""
    if text is None:
        return None
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


class SearchKeyField(CharField):
    """The search key of the field named `source`; `read` takes the text to fold from the
    source's value when it is not the text itself (a JSON column's)."""

    def __init__(self, source: str, read: Callable | None = None, **kwargs):
        super().__init__(**kwargs)
        self.source = source
        self.read = read

    def key_of(self, value):
        if isinstance(value, Node):
            return folded(value)
        return fold(self.read(value) if self.read is not None else value)


def key_fields(model) -> tuple[SearchKeyField, ...]:
    """The model's search key fields (cached on its metadata)."""
    meta = model._meta
    if "_search_keys" not in meta.__dict__:
        meta._search_keys = tuple(f for f in meta.sorted_fields if isinstance(f, SearchKeyField))
    return meta._search_keys


def with_keys(model, values: dict) -> dict:
    """`values` (keyed by field name or field) with the search key of every source it sets.
    A key given beside a source that is an SQL expression is kept (a prepared statement's
    parameter: its value is keyed when it runs)."""
    fields = key_fields(model)
    if not fields:
        return values
    by_name = {(key.name if not isinstance(key, str) else key): key for key in values}
    for field in fields:
        source = by_name.get(field.source)
        if source is None:
            continue
        value = values[source]
        if isinstance(value, Node) and field.name in by_name:
            continue
        # The key is named as its source is: by field, or by field name.
        named_by_field = not isinstance(source, str)
        values[by_name.get(field.name, field if named_by_field else field.name)] = field.key_of(value)
    return values


def folded(expression) -> Function:
    """`expression` folded as `fold` folds, in SQL."""
    return getattr(fn, FOLD_FUNCTION)(expression)


def contains(expression, key: str):
    """`expression` contains the search key `key`, taken literally: no LIKE wildcards, and no
    case rules of the database's own."""
    from models.base import db  # base imports this module: the bound database, read at call time

    if isinstance(db.obj, peewee.PostgresqlDatabase):
        return fn.strpos(expression, key) > 0
    return fn.instr(expression, key) > 0


def register_fold(database) -> None:
    """Make `desk_fold` available on every connection of an SQLite database."""
    database.register_function(fold, FOLD_FUNCTION, 1, deterministic=True)


def install_fold_function(database) -> None:
    """Create `desk_fold` in a PostgreSQL database: lower() under the ICU root locale (when
    the server has ICU), with the folds lower() does not make ("ß" → "ss", final sigma)."""
    icu = database.execute_sql("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'").fetchone()
    collate = ' COLLATE "und-x-icu"' if icu else ""
    database.execute_sql(
        f"CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT normalize(replace(replace(replace("
        f"lower(normalize(value, NFKC){collate}), 'ß', 'ss'), 'ẞ', 'ss'), 'ς', 'σ'), NFKC) $$"
    )
