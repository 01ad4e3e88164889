"""JSON in Graph shape: `{"value": [...]}` streamed one object at a time, so an export can
be imported again. Several reports go in `{"reports": [{"name", "type", "value"}, ...]}`."""

import json
from datetime import datetime

from desktop.audit_record import format_time
from desktop.export.atomic import atomic_file
from desktop.export.progress import Progress
from desktop.reports.base import Report


def _default(value):
    if isinstance(value, datetime):
        return format_time(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def write_json(path, reports: list[Report], *, progress: Progress) -> list[int]:
    """Write the reports' Graph documents (atomically); return the count of each."""
    counts = []
    with atomic_file(path) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            several = len(reports) > 1
            if several:
                handle.write('{"reports": [\n')
            for number, report in enumerate(reports):
                if several:
                    head = {"name": report.name, "type": report.graph_type}
                    handle.write((",\n" if number else "") + json.dumps(head)[:-1] + ', "value": [')
                else:
                    handle.write('{"value": [')
                counts.append(_write_values(handle, report, progress))
                handle.write("\n]}")
            handle.write("\n]}\n" if several else "\n")
    return counts


def _write_values(handle, report: Report, progress: Progress) -> int:
    written = 0
    for document in report.documents():
        handle.write(",\n" if written else "\n")
        handle.write(json.dumps(document, ensure_ascii=False, default=_default))
        written += 1
        progress.advance()
    return written
