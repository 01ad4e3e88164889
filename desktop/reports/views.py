"""Reports derived from what a table shows: its quick filter, its visible columns and sort,
its selected rows. Each is again a Report, so the model shows it and the exporters write it
without knowing where it came from; all of them still answer in SQL, page by page.
"""

import copy
import operator
from functools import reduce
from typing import Iterator

from peewee import ColumnBase

from desktop.lookup import search_key
from desktop.reports.base import Column, ColumnType, QueryReport, Report
from models.keys import contains, folded

# Rows read per query when streaming a selection or a projection.
CHUNK = 1000


def quick_filtered(report: Report | None, text: str) -> Report | None:
    """`report` narrowed to rows whose text columns contain `text`, compared as search keys
    (Unicode case folding, models.keys), the same on SQLite and PostgreSQL.

    Works on any QueryReport: the filter is one more WHERE on its query over the SQL
    expressions behind its text columns. Columns computed in Python (joined cells) are not
    searched. A copy is returned so the unfiltered report stays as it was.
    """
    text = text.strip()
    if report is None or not text or not isinstance(report, QueryReport):
        return report
    key = search_key(text)
    expressions = report.sort_expressions()
    searchable = [
        expressions[column.key]
        for column in report.columns
        if column.type == ColumnType.TEXT and isinstance(expressions.get(column.key), ColumnBase)
    ]
    if not searchable:
        return report
    # Folding in SQL also keeps a field's own converter (a JSON column's, say) off the key.
    condition = reduce(operator.or_, (contains(folded(expression), key) for expression in searchable))
    unfiltered_query, unfiltered_filters = report.query, report.filters
    filtered = copy.copy(report)
    # Instance attributes win over the class's methods: count, page, iterate, documents and
    # tree all go through `query()`, so each of them sees the filter.
    filtered.query = lambda: unfiltered_query().where(condition)
    # The filter needs the joined columns, so the count must come from the filtered query.
    filtered.count_query = filtered.query
    filtered.filters = lambda: [*unfiltered_filters(), ("Quick filter", text)]
    return filtered


def is_quick_filterable(report: Report | None) -> bool:
    return isinstance(report, QueryReport)


class ShownReport(Report):
    """What the admin sees: chosen columns (in screen order), the table's sort, and
    optionally only some rows (ranges of row numbers in that sort)."""

    def __init__(
        self,
        report: Report,
        column_keys: list[str],
        sort_key: str | None = None,
        descending: bool = False,
        row_ranges: list[tuple[int, int]] | None = None,
    ):
        by_key = {column.key: column for column in report.columns}
        self.source = report
        self.name = report.name
        self.download_action = report.download_action
        self.columns: tuple[Column, ...] = tuple(by_key[key] for key in column_keys)
        self._indexes = [report.column_index(key) for key in column_keys]
        self.sort_key = sort_key
        self.descending = descending
        # (first row, row count) pairs, merged and in order
        self.row_ranges = _merged(row_ranges) if row_ranges is not None else None

    def filters(self) -> list[tuple[str, str]]:
        filters = list(self.source.filters())
        if self.sort_key is not None:
            title = next(c.title for c in self.source.columns if c.key == self.sort_key)
            filters.append(("Sorted by", f"{title}, {'descending' if self.descending else 'ascending'}"))
        if self.row_ranges is not None:
            filters.append(("Rows", f"{self.count():,} selected"))
        return filters

    def count(self) -> int:
        if self.row_ranges is None:
            return self.source.count()
        return sum(length for _, length in self.row_ranges)

    def page(self, offset: int, limit: int, sort_key: str | None = None, descending: bool = False) -> list[tuple]:
        # A derived report keeps the order it was made with; `sort_key` is not a choice here.
        rows = []
        for start, length in self._source_spans(offset, limit):
            rows.extend(self._project(self.source.page(start, length, self.sort_key, self.descending)))
        return rows

    def iterate(self, sort_key: str | None = None, descending: bool = False) -> Iterator[tuple]:
        if self.row_ranges is None:
            for row in self.source.iterate(self.sort_key, self.descending):
                yield self._project_row(row)
            return
        for start, length in self.row_ranges:
            for chunk_start in range(start, start + length, CHUNK):
                chunk = min(CHUNK, start + length - chunk_start)
                yield from self._project(self.source.page(chunk_start, chunk, self.sort_key, self.descending))

    def graph_rows(self, sort_key: str | None = None, descending: bool = False) -> Iterator[tuple]:
        if self.row_ranges is not None:
            yield from super().graph_rows()
            return
        # The source's own: the audit log makes its time text without datetimes.
        yield from map(self._project_row, self.source.graph_rows(self.sort_key, self.descending))

    def _source_spans(self, offset: int, limit: int) -> Iterator[tuple[int, int]]:
        """The source row spans holding rows [offset, offset+limit) of this report."""
        if self.row_ranges is None:
            yield offset, limit
            return
        skipped = 0
        for start, length in self.row_ranges:
            if limit <= 0:
                return
            if offset >= skipped + length:
                skipped += length
                continue
            inside = max(0, offset - skipped)
            take = min(length - inside, limit)
            yield start + inside, take
            offset += take
            limit -= take
            skipped += length

    def _project(self, rows: list[tuple]) -> list[tuple]:
        return [self._project_row(row) for row in rows]

    def _project_row(self, row: tuple) -> tuple:
        return tuple(row[index] for index in self._indexes)


class RowsReport(Report):
    """Rows already on screen (a tree's selection: one user's resources, never many),
    with the columns and filters of the report they came from."""

    def __init__(self, report: Report, rows: list[tuple]):
        self.source = report
        self.name = report.name
        self.download_action = report.download_action
        self.columns = report.columns
        self._rows = list(rows)

    def filters(self) -> list[tuple[str, str]]:
        return [*self.source.filters(), ("Rows", f"{len(self._rows):,} selected")]

    def count(self) -> int:
        return len(self._rows)

    def page(self, offset: int, limit: int, sort_key: str | None = None, descending: bool = False) -> list[tuple]:
        return self._rows[offset : offset + limit]

    def iterate(self, sort_key: str | None = None, descending: bool = False) -> Iterator[tuple]:
        return iter(self._rows)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, length in sorted(ranges):
        if merged and start <= merged[-1][0] + merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], start + length - merged[-1][0])
        else:
            merged.append([start, length])
    return [(start, length) for start, length in merged]
