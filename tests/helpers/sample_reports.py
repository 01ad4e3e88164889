"""A small report of our own over the User table: the contract the GUI consumes, with
every column type, independent of the real reports."""

from typing import Iterator

from peewee import Ordering, fn

from desktop.lookup import search_key
from models.keys import contains
from desktop.reports.base import Column, ColumnType, Report
from models import User


class UsersReport(Report):
    name = "Users"
    columns = (
        Column("display_name", "Name"),
        Column("upn", "User principal name"),
        Column("name_length", "Name length", ColumnType.NUMBER),
        Column("enabled", "Account enabled", ColumnType.BOOLEAN),
        Column("created", "Created", ColumnType.DATETIME),
        Column("id", "Object ID"),
    )

    def __init__(self, search: str = ""):
        self.search = search
        self.pages_asked = 0

    def filters(self):
        return [("Name contains", self.search)] if self.search else []

    def _expressions(self):
        return {
            "display_name": User.display_name_key,
            "upn": User.upn_key,
            "name_length": fn.LENGTH(User.display_name),
            "enabled": User.account_enabled,
            "created": User.created_date_time,
            "id": User.id,
        }

    def _query(self, sort_key=None, descending=False):
        query = User.select(
            User.display_name,
            User.user_principal_name,
            fn.LENGTH(User.display_name).coerce(False),
            User.account_enabled,
            User.created_date_time,
            User.id,
        )
        if self.search:
            query = query.where(contains(User.display_name_key, search_key(self.search)))
        order = self._expressions()[sort_key or "display_name"]
        return query.order_by(Ordering(order, "DESC" if descending else "ASC"), User.id).tuples()

    def count(self) -> int:
        return self._query().count()

    def page(self, offset, limit, sort_key=None, descending=False):
        self.pages_asked += 1
        return list(self._query(sort_key, descending).offset(offset).limit(limit))

    def iterate(self, sort_key=None, descending=False) -> Iterator[tuple]:
        return iter(self._query(sort_key, descending).iterator())
