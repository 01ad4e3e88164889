"""Base model, the database proxy, and the field types every table shares."""
import json
import uuid
from datetime import datetime, timezone

from peewee import CharField, DatabaseProxy, DateTimeField, Model, TextField

db = DatabaseProxy()


def new_id() -> str:
    """A Graph-style object id: a lowercase GUID string."""
    return str(uuid.uuid4())


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
    class Meta:
        database = db
        legacy_table_names = False


class GraphModel(BaseModel):
    """A table whose rows are Microsoft Graph objects, keyed by their Graph object id."""

    id = GuidField(primary_key=True, default=new_id)


def quote_name(name: str) -> str:
    """A table or column name quoted as the bound database quotes it (for hand-built SQL)."""
    opening, closing = db.obj.quote
    return f"{opening}{name}{closing}"
