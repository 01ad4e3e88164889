"""A report over rows held in memory, to drive the exporters directly."""

from desktop.reports.base import Column, Report

INJECTION = [
    "=1+1",
    "{=1+1}",
    "+A1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://x","y")',
    "http://example.com",
    "0012345",
    "1e5",
]


class ListReport(Report):
    """A report over rows held in memory, to drive the writers directly."""

    def __init__(self, name, columns, rows, fail_after=None):
        self.name, self.columns, self._rows, self._fail_after = name, columns, rows, fail_after

    def count(self):
        return len(self._rows)

    def page(self, offset, limit, sort_key=None, descending=False):
        return self._rows[offset : offset + limit]

    def iterate(self, sort_key=None, descending=False):
        for number, row in enumerate(self._rows):
            if number == self._fail_after:
                raise OSError(28, "No space left on device")
            yield row


def text_report(values, name="Texts", **kwargs):
    return ListReport(name, (Column("text", "Text"),), [(value,) for value in values], **kwargs)
