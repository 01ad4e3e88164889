"""Statements whose SQL is generated once and run many times.

peewee builds a query's SQL from scratch on every execution, which costs more than running
a small indexed statement. A `Prepared` statement is written as an ordinary peewee query
with named `Parameter`s where the values go; its SQL is generated from the bound database
at first use (so the placeholder style, quoting and dialect are that database's) and then
reused, with each run's values converted the way the fields convert them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from peewee import CharField, Field, ForeignKeyField, Node, Query, __exception_wrapper__

from models.base import db
from models.keys import key_fields, with_keys


class _Slot:
    """Where a run's value goes in the parameter list, and how it becomes a stored value."""

    __slots__ = ("name", "convert", "default", "keeps_text")

    def __init__(self, name: str, field: Field | None, default):
        self.name = name
        self.convert = field.db_value if field is not None else None
        self.default = default  # a value, or a function giving one, when the run names none
        # Most values are ids and names: strings that text fields store as they are.
        self.keeps_text = field is not None and _keeps_text(field)

    def bind(self, values: dict):
        if self.name in values:
            value = values[self.name]
        else:
            value = self.default() if callable(self.default) else self.default
        if self.convert is None or (self.keeps_text and value.__class__ is str):
            return value
        return self.convert(value)


def _keeps_text(field: Field) -> bool:
    """Whether the field stores and reads a str unchanged (peewee's own text fields and keys
    to them)."""
    if isinstance(field, ForeignKeyField):
        return (
            type(field).db_value is ForeignKeyField.db_value
            and type(field).python_value is ForeignKeyField.python_value
            and _keeps_text(field.rel_field)
        )
    return (
        type(field).db_value is Field.db_value
        and type(field).python_value is Field.python_value
        and type(field).adapt is CharField.adapt
    )


def _reader(field) -> Callable | None:
    """How a selected column's value is read, or None when it is read as the driver gives it
    (text columns come back as str)."""
    if not isinstance(field, Field) or _keeps_text(field):
        return None
    return field.python_value


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
        # In a comparison peewee's context converts as the field on the other side does.
        field = self.field if self.field is not None else getattr(ctx.state.converter, "__self__", None)
        return ctx.value(_Slot(self.name, field, self.default), converter=False)


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL for one database, and what its parameters and columns need."""

    database: object
    sql: str
    params: tuple  # _Slot for a run's value, anything else is a constant of the query
    fields: tuple  # the selected fields, for a SELECT
    converters: tuple  # each selected column's python_value, or None
    model: object
    names: tuple  # the selected fields' names, for a model instance

    def bind(self, values: dict) -> list:
        return [param.bind(values) if param.__class__ is _Slot else param for param in self.params]


class Prepared:
    """A peewee query, given by a function that builds it, run with new parameter values.

    The SQL is rebuilt only when another database is bound (tests open many)."""

    def __init__(self, build: Callable[[], Query], keyed_model=None):
        self._build = build
        self._compiled: _Compiled | None = None
        # An INSERT into a model with search keys: each run's values get their keys here.
        self._keyed_model = keyed_model if keyed_model is not None and key_fields(keyed_model) else None

    @classmethod
    def insert(cls, model, *, ignore_conflict: bool = False) -> "Prepared":
        """INSERT of one row naming every column but an auto-increment key; the values are
        passed by field name, and a field left out takes its default, as in `Model.create`."""
        fields = [
            field for field in model._meta.sorted_fields if not (field.primary_key and field.field_type == "AUTO")
        ]

        def build():
            query = model.insert({field: Parameter(field.name, field, field.default) for field in fields})
            return query.on_conflict_ignore() if ignore_conflict else query

        return cls(build, keyed_model=model)

    def _current(self) -> _Compiled:
        compiled = self._compiled
        if compiled is None or compiled.database is not db.obj:
            query = self._build()
            sql, params = db.get_sql_context().sql(query).query()
            fields = tuple(getattr(query, "_returning", None) or ())
            compiled = self._compiled = _Compiled(
                db.obj,
                sql,
                tuple(params),
                fields,
                tuple(_reader(field) for field in fields),
                getattr(query, "model", None),
                tuple(getattr(field, "name", None) for field in fields),
            )
        return compiled

    def execute(self, **values):
        """Run the statement; returns the database cursor."""
        compiled = self._current()
        if self._keyed_model is not None:
            values = with_keys(self._keyed_model, values)
        return db.execute_sql(compiled.sql, compiled.bind(values))

    def execute_many(self, rows: Iterable[dict]) -> None:
        """Run the statement once for each dict of values, in one call to the driver (bulk
        inserts)."""
        compiled = self._current()
        with __exception_wrapper__:
            if self._keyed_model is not None:
                rows = (with_keys(self._keyed_model, dict(values)) for values in rows)
            db.cursor().executemany(compiled.sql, [compiled.bind(values) for values in rows])

    def rowcount(self, **values) -> int:
        """Rows the INSERT, UPDATE or DELETE changed."""
        return self.execute(**values).rowcount

    def tuples(self, **values) -> list[tuple]:
        """The rows of a SELECT as tuples, each value as its field reads it."""
        converters = self._current().converters
        return [
            tuple(
                value if convert is None or value is None else convert(value) for convert, value in zip(converters, row)
            )
            for row in self.execute(**values).fetchall()
        ]

    def scalar(self, **values):
        """The first column of the first row of a SELECT, or None."""
        rows = self.tuples(**values)
        return rows[0][0] if rows else None

    def all(self, **values) -> list:
        """The rows of a SELECT of one model's fields as model instances (nothing dirty)."""
        compiled = self._current()
        instances = []
        for row in self.tuples(**values):
            instance = compiled.model(__no_default__=1)
            # As peewee's own rows: the values by field name, without a field's setter for each.
            instance.__data__.update(zip(compiled.names, row))
            instances.append(instance)
        return instances

    def first(self, **values):
        """The first row of a SELECT of one model's fields as a model instance, or None."""
        instances = self.all(**values)
        return instances[0] if instances else None
