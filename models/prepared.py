"""Statements whose SQL is generated once and run many times.

peewee builds a query's SQL from scratch on every execution, which costs more than running
a small indexed statement. A `Prepared` statement is written as an ordinary peewee query
with named `Parameter`s where the values go; its SQL is generated from the bound database
at first use (so the placeholder style, quoting and dialect are that database's) and then
reused, with each run's values converted the way the fields convert them.
"""
from collections.abc import Callable
from dataclasses import dataclass

from peewee import Field, Node, Query

from models.base import db


@dataclass(frozen=True)
class _Slot:
    """Where a run's value goes in the parameter list, and how it becomes a stored value."""

    name: str
    convert: Callable | None
    default: object = None  # a value, or a function giving one, when the run names none


class Parameter(Node):
    """A named value of a prepared statement. In a comparison with a field it is converted
    as that field converts (`Model.id == Parameter("id")`); in an insert or an update, name
    the field it goes to (`Parameter("state", Model.state)`)."""

    def __init__(self, name: str, field: Field | None = None, default=None):
        super().__init__()
        self.name = name
        self.field = field
        self.default = default

    def __sql__(self, ctx):
        convert = self.field.db_value if self.field is not None else ctx.state.converter
        return ctx.value(_Slot(self.name, convert, self.default), converter=False)


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL for one database, and what its parameters and columns need."""

    database: object
    sql: str
    params: tuple  # _Slot for a run's value, anything else is a constant of the query
    fields: tuple  # the selected fields, for a SELECT
    converters: tuple  # each selected column's python_value, or None
    model: object


class Prepared:
    """A peewee query, given by a function that builds it, run with new parameter values.

    The SQL is rebuilt only when another database is bound (tests open many)."""

    def __init__(self, build: Callable[[], Query]):
        self._build = build
        self._compiled: _Compiled | None = None

    @classmethod
    def insert(cls, model, *, ignore_conflict: bool = False) -> "Prepared":
        """INSERT of one row naming every column but an auto-increment key; the values are
        passed by field name, and a field left out takes its default, as in `Model.create`."""
        fields = [field for field in model._meta.sorted_fields
                  if not (field.primary_key and field.field_type == "AUTO")]

        def build():
            query = model.insert({field: Parameter(field.name, field, field.default) for field in fields})
            return query.on_conflict_ignore() if ignore_conflict else query
        return cls(build)

    def _current(self) -> _Compiled:
        compiled = self._compiled
        if compiled is None or compiled.database is not db.obj:
            query = self._build()
            sql, params = db.get_sql_context().sql(query).query()
            fields = tuple(getattr(query, "_returning", None) or ())
            compiled = self._compiled = _Compiled(
                db.obj, sql, tuple(params), fields,
                tuple(field.python_value if isinstance(field, Field) else None for field in fields),
                getattr(query, "model", None))
        return compiled

    def execute(self, **values):
        """Run the statement; returns the database cursor."""
        compiled = self._current()
        return db.execute_sql(compiled.sql, [_value(param, values) for param in compiled.params])

    def rowcount(self, **values) -> int:
        """Rows the INSERT, UPDATE or DELETE changed."""
        return self.execute(**values).rowcount

    def tuples(self, **values) -> list[tuple]:
        """The rows of a SELECT as tuples, each value as its field reads it."""
        converters = self._current().converters
        return [tuple(value if convert is None or value is None else convert(value)
                      for convert, value in zip(converters, row))
                for row in self.execute(**values).fetchall()]

    def scalar(self, **values):
        """The first column of the first row of a SELECT, or None."""
        rows = self.tuples(**values)
        return rows[0][0] if rows else None

    def first(self, **values):
        """The first row of a SELECT of one model's fields as a model instance (nothing dirty),
        or None."""
        rows = self.tuples(**values)
        if not rows:
            return None
        compiled = self._current()
        instance = compiled.model(__no_default__=1, **{
            field.name: value for field, value in zip(compiled.fields, rows[0])})
        instance._dirty.clear()
        return instance


def _value(param, values: dict):
    if not isinstance(param, _Slot):
        return param  # a constant of the query, converted when the SQL was built
    if param.name in values:
        value = values[param.name]
    else:
        value = param.default() if callable(param.default) else param.default
    return param.convert(value) if param.convert is not None else value
