"""The shape every report shares: typed columns, a count, a sorted page, a stream.

A report is built from filters (constructor arguments) and answers in SQL: nothing here
loads a whole report into memory. Rows are tuples of Python values in column order:
str, int, float, bool, aware UTC datetime, or None; JSON columns hold the JSON text.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Callable, Iterator

from peewee import Ordering

from desktop.audit_record import format_time
from desktop.permissions import Action, require
from desktop.reports.as_of import as_of
from models import db
from models.streaming import streamed


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

    def title_in(self, zone: str) -> str:
        """The header over times shown in `zone` ("UTC" in every file; the screen's zone on
        screen), so no header claims a zone its times are not in."""
        if self.type != ColumnType.DATETIME:
            return self.title
        return f"{self.title.removesuffix(' (UTC)')} ({zone})"


class Report:
    """Subclasses set `name` and `columns` and implement the three queries."""

    name: str = ""
    columns: tuple[Column, ...] = ()

    def filters(self) -> list[tuple[str, str]]:
        """The filters this report was built with, as (label, value) for the Report sheet."""
        return []

    def count(self) -> int:
        raise NotImplementedError

    def page(self, offset: int, limit: int, sort_key: str | None = None, descending: bool = False) -> list[tuple]:
        """Rows [offset, offset+limit) in the given order (the report's own order when
        `sort_key` is None); ties always broken by a unique key, so pages never overlap."""
        raise NotImplementedError

    def iterate(self, sort_key: str | None = None, descending: bool = False) -> Iterator[tuple]:
        """Every row, streamed from the database (`models.streaming`), in page order."""
        raise NotImplementedError

    def column_index(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    # What an acting user needs to save the report to a file.
    download_action: Action = Action.DOWNLOAD

    # The Graph resource `documents()` yields ("directoryAudit", "accessPackageAssignment",
    # ...), or None when the JSON export writes rows keyed by column.
    graph_type: str | None = None

    def graph_rows(self, sort_key: str | None = None, descending: bool = False) -> Iterator[tuple]:
        """The rows `iterate` gives with their times as Graph's UTC text (`format_time`; None
        stays None): what the text exports write. Reports that can produce that text more
        cheaply than through datetimes override it."""
        times = [i for i, column in enumerate(self.columns) if column.type is ColumnType.DATETIME]
        if not times:
            yield from self.iterate(sort_key, descending)
            return
        for row in self.iterate(sort_key, descending):
            row = list(row)
            for i in times:
                row[i] = format_time(row[i])
            yield tuple(row)

    def documents(self) -> Iterator[dict]:
        """Every row as a JSON-ready dict, streamed in the report's own order: by default
        keyed by column key with times as Graph text; Graph-shaped reports override it."""
        keys = [column.key for column in self.columns]
        for row in self.graph_rows():
            yield dict(zip(keys, row))


@dataclass(frozen=True)
class TreeNode:
    """A row and the nodes it groups (none when there is nothing to expand); a child may
    group rows of its own."""

    row: tuple
    children: tuple["TreeNode", ...] = ()

    def leaves(self) -> list[tuple]:
        """The rows at the bottom of this node, in order: the report's own rows."""
        if not self.children:
            return [self.row]
        return [row for child in self.children for row in child.leaves()]


class QueryReport(Report):
    """A report answered by one peewee query.

    Subclasses give the filtered query (`query`), the SQL expression behind every column
    (`sort_expressions`), their own order (`default_order`), a unique tie-breaker
    (`unique_key`; `tie_breakers` may put others before it) and the conversion of fetched records into rows (`rows`). Columns whose
    cells join several values ("; ") name the columns of their details in `detail_columns`
    and answer `details(row, column_key)`.
    """

    # Past this offset a page that lies in the second half is read backwards from the end,
    # so "jump to the last row" costs as much as the first page.
    REVERSE_AFTER = 1000
    BATCH = 500
    detail_columns: dict[str, tuple[Column, ...]] = {}

    def query(self):
        raise NotImplementedError

    def sort_expressions(self) -> dict:
        raise NotImplementedError

    def default_order(self) -> list[tuple[object, bool]]:
        """(expression, descending) pairs; the last one must be unique."""
        return [(self.unique_key(), False)]

    def unique_key(self):
        raise NotImplementedError

    def tie_breakers(self, sorted_by) -> list:
        """What orders rows that share the value of the `sorted_by` expression, in the same
        direction; the last one must be unique."""
        return [self.unique_key()]

    def rows(self, records: list) -> list[tuple]:
        raise NotImplementedError

    # The moment the report is read at (a report of the current state that takes one sets it);
    # None reads things as they are now.
    as_of: datetime | None = None

    def as_of_filter(self) -> list[tuple[str, str]]:
        """The "As of" line of `filters()`, for the reports that can be read at a moment."""
        return [("As of", format_time(self.as_of))] if self.as_of else []

    # Whether `rows` takes the driver's raw tuples (a subclass that converts its few typed
    # columns itself) instead of peewee's records.
    reads_raw = False

    def fetch(self, query):
        """The records of a page's query."""
        return db.execute(query) if self.reads_raw else query.iterator()

    def details(self, row: tuple, column_key: str) -> list[tuple]:
        """The values joined in a multi-valued cell, one row per value."""
        raise KeyError(column_key)

    def count_query(self):
        """The query whose rows `count` counts: the report's own, unless a subclass knows a
        cheaper one with the same number of rows."""
        return self.query()

    def count(self) -> int:
        return as_of(self.count_query(), self.as_of).count()

    def page(self, offset: int, limit: int, sort_key: str | None = None, descending: bool = False) -> list[tuple]:
        order = self._order(sort_key, descending)
        if offset > self.REVERSE_AFTER:
            total = self.count()
            if offset * 2 > total:
                end = min(offset + limit, total)
                if end <= offset:
                    return []
                records = list(self.fetch(self._ordered(order, reverse=True).offset(total - end).limit(end - offset)))
                records.reverse()
                return self.rows(records)
        return self.rows(list(self.fetch(self._ordered(order).offset(offset).limit(limit))))

    def iterate(self, sort_key: str | None = None, descending: bool = False) -> Iterator[tuple]:
        return self.stream(self._ordered(self._order(sort_key, descending)), self.rows)

    def stream(self, query, rows: Callable[[list], list[tuple]]) -> Iterator[tuple]:
        """The records of an ordered query turned into rows by `rows` (`self.rows` or a
        variant of it), streamed a batch at a time."""
        batch = []
        for record in streamed(query, raw=self.reads_raw):
            batch.append(record)
            if len(batch) == self.BATCH:
                yield from rows(batch)
                batch = []
        if batch:
            yield from rows(batch)

    def _order(self, sort_key: str | None, descending: bool) -> list[tuple[object, bool]]:
        if sort_key is None:
            return [(expression, desc != descending) for expression, desc in self.default_order()]
        expressions = self.sort_expressions()
        if sort_key not in expressions:
            raise ValueError(f"{type(self).__name__} has no column {sort_key!r} to sort by")
        chosen = expressions[sort_key]
        return [(chosen, descending)] + [
            (expression, descending) for expression in self.tie_breakers(chosen) if expression is not chosen
        ]

    def _ordered(self, order: list[tuple[object, bool]], reverse: bool = False):
        # Ordering (not .asc()/.desc()) so correlated subqueries can be sort keys too.
        return as_of(
            self.query().order_by(
                *[Ordering(expression, "DESC" if desc != reverse else "ASC") for expression, desc in order]
            ),
            self.as_of,
        )


def authorize(actor, action: Action) -> None:
    """Refuse (Forbidden) when an acting user is given and lacks the role for `action`;
    without one the caller is the operator of the local database."""
    if actor is not None:
        require(actor, action)


def joined(values) -> str | None:
    """Several values of a cell as one text ("; " between them), None when there are none."""
    values = [value for value in values if value]
    return "; ".join(values) if values else None
