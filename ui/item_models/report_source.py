"""What the table and the tree model over a report share: the report they show, its sort,
and how a failed read is told to the admin."""

from desktop.reports.base import Column, Report
from models.database import RECOVERABLE_ERRORS, explain_failure


def read_failure_message(error: Exception) -> str:
    if isinstance(error, RECOVERABLE_ERRORS):
        return str(explain_failure(error))
    return f"The database could not be read: {error}"


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
