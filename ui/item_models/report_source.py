"""What the table and the tree model over a report share: the report they show, its sort,
how a failed read is told to the admin, and the rows read for them off the UI thread."""

from dataclasses import dataclass

from desktop.reports.base import Column, Report
from models.database import RECOVERABLE_ERRORS, explain_failure


def read_failure_message(error: Exception) -> str:
    if isinstance(error, RECOVERABLE_ERRORS):
        return str(explain_failure(error))
    return f"The database could not be read: {error}"


@dataclass(frozen=True)
class RowsRead:
    """What a model needs to show `report`, read on the reader thread in the order
    (`sort_key`, `descending`): its count and first rows (a table's first page, a tree's
    nodes), or the error that stopped the read."""

    report: Report | None
    sort_key: str | None
    descending: bool
    count: int = 0
    rows: list = ()
    error: Exception | None = None


class ReportSource:
    """The report behind a model and the column it is sorted by (set by the model)."""

    _report: Report | None
    _sort_key: str | None
    _descending: bool

    def report(self) -> Report | None:
        return self._report

    def columns(self) -> tuple[Column, ...]:
        return self._report.columns if self._report is not None else ()

    def sort_key(self) -> str | None:
        return self._sort_key

    def descending(self) -> bool:
        return self._descending

    def sort_for(self, report: Report | None) -> tuple[str | None, bool]:
        """The current sort, carried over to `report` when it has the same column."""
        if report is None or self._sort_key not in {c.key for c in report.columns}:
            return None, False
        return self._sort_key, self._descending
