from peewee import CharField, ForeignKeyField, TextField

from models.base import BaseModel
from models.directory import User


class SchemaInfo(BaseModel):
    """Key/value facts about the database itself; `schema_version` among them."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()

    @classmethod
    def put(cls, key: str, value: str) -> None:
        """Insert or overwrite one fact (an upsert SQLite and PostgreSQL both understand)."""
        (cls.insert(key=key, value=value).on_conflict(conflict_target=[cls.key], update={cls.value: value}).execute())


class DatabaseLogin(BaseModel):
    """On a shared PostgreSQL database: the directory user a database login acts as."""

    role_name = CharField(primary_key=True, max_length=63)
    user = ForeignKeyField(User, on_delete="CASCADE")
