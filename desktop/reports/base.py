"""The shape every report shares: typed columns, a count, a sorted page, a stream.

A report is built from filters (constructor arguments) and answers in SQL: nothing here
loads a whole report into memory. Rows are tuples of Python values in column order:
str, int, float, bool, aware UTC datetime, or None; JSON columns hold the JSON text.
"""
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterator


class ColumnType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    JSON = "json"


@dataclass(frozen=True)
class Column:
    key: str  # stable identifier: sorting, settings, CLI
    title: str  # header text, as the admin center names it
    type: ColumnType = ColumnType.TEXT


class Report:
    """Subclasses set `name` and `columns` and implement the three queries."""

    name: str = ""
    columns: tuple[Column, ...] = ()

    def filters(self) -> list[tuple[str, str]]:
        """The filters this report was built with, as (label, value) for the Report sheet."""
        return []

    def count(self) -> int:
        raise NotImplementedError

    def page(self, offset: int, limit: int, sort_key: str | None = None,
             descending: bool = False) -> list[tuple]:
        """Rows [offset, offset+limit) in the given order (the report's own order when
        `sort_key` is None); ties always broken by a unique key, so pages never overlap."""
        raise NotImplementedError

    def iterate(self, sort_key: str | None = None, descending: bool = False) -> Iterator[tuple]:
        """Every row, streamed from the database (peewee `.iterator()`), in page order."""
        raise NotImplementedError

    def column_index(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)
