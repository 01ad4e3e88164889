"""Base model, the database proxy, and the field types every table shares."""

import json
import random
import time
from datetime import datetime, timezone

from peewee import CharField, DatabaseProxy, DateTimeField, Model, TextField

from models.keys import key_fields, with_keys

db = DatabaseProxy()


def new_id() -> str:
    """A Graph-style object id for a row this app creates: a lowercase GUID string."""
    # Python's own generator (seeded from the system's, reseeded in a forked child) is ample
    # for ids that only need to be unique, and a tenth of the cost of a system call per id.
    return time_ordered_guid(time.time_ns() // 1_000_000, random.getrandbits(74))


def time_ordered_guid(milliseconds: int, random_bits: int) -> str:
    """A version-7 GUID (RFC 9562): the time in milliseconds since 1970, then 74 random bits.
    Ids made one after another sort side by side, so a new row's id lands on the same
    index page as the last one's instead of on a random page of a large index."""
    value = (
        (milliseconds & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76
        | (random_bits >> 62 & 0xFFF) << 64
        | 0b10 << 62
        | random_bits & 0x3FFF_FFFF_FFFF_FFFF
    )
    text = "%032x" % value
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTimeField(DateTimeField):
    """A point in time, stored as naive UTC and read back as an aware UTC datetime.

    Naive UTC text sorts correctly in SQLite and maps to `timestamp` on PostgreSQL;
    an aware value handed in is converted to UTC first, so offsets never leak into the
    stored text.
    """

    def db_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class JSONField(TextField):
    """JSON kept as text, so the same schema runs on SQLite and PostgreSQL."""

    def db_value(self, value):
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value):
        if value is None:
            return None
        return json.loads(value)


class GuidField(CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 36)
        super().__init__(*args, **kwargs)


class BaseModel(Model):
    """A foreign key that leads a composite index or key of its table is declared with
    `index=False`: the composite serves its lookups, and each index is one more page every
    write transaction has to log."""

    class Meta:
        database = db
        legacy_table_names = False

    # Search keys (models.keys) are filled here, on every path a row is written by peewee:
    # insert() and update() (and so create() and save()) through _normalize_data, many rows
    # through insert_many(), and the instance itself on save().

    @classmethod
    def _normalize_data(cls, data, kwargs):
        normalized = super()._normalize_data(data, kwargs)
        return with_keys(cls, normalized) if isinstance(normalized, dict) else normalized

    @classmethod
    def insert_many(cls, rows, fields=None):
        if key_fields(cls):
            rows = list(_rows_with_keys(cls, rows, fields))
            fields = None
        return super().insert_many(rows, fields)

    def save(self, *args, **kwargs):
        for field in key_fields(type(self)):
            setattr(self, field.name, field.key_of(getattr(self, field.source)))
        return super().save(*args, **kwargs)


def _rows_with_keys(model, rows, fields):
    """Dict rows with their keys; tuple rows (given with `fields`) become dicts first."""
    for row in rows:
        if not isinstance(row, dict):
            row = dict(zip(fields, row))
        yield with_keys(model, dict(row))


class GraphModel(BaseModel):
    """A table whose rows are Microsoft Graph objects, keyed by their Graph object id."""

    id = GuidField(primary_key=True, default=new_id)


def quote_name(name: str) -> str:
    """A table or column name quoted as the bound database quotes it (for hand-built SQL)."""
    opening, closing = db.obj.quote
    return f"{opening}{name}{closing}"
