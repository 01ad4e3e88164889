from peewee import CharField, TextField

from models.base import BaseModel


class SchemaInfo(BaseModel):
    """Key/value facts about the database itself; `schema_version` among them."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()
