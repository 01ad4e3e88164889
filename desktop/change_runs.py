"""Import and sync runs as the history records them: each run is a `ChangeRun`, and every
change it makes to a tracked table carries the run's id and its observed time."""

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from models.change_context import clear_change_context, set_change_context
from models.history import ChangeRun

IMPORT = "import"
SYNC = "sync"


@contextmanager
def recorded_run(source: str, description: str | None = None, observed: datetime | None = None) -> Iterator[ChangeRun]:
    """Inside a write transaction: record a run of `source` and credit the writes made inside
    to it, valid from `observed` (when the tenant was read; default now)."""
    started = observed or datetime.now(timezone.utc)
    run = ChangeRun.create(source=source, started_date_time=started, description=description)
    set_change_context(source, at=started, run=run.id)
    try:
        yield run
    finally:
        clear_change_context()
    run.finished_date_time = datetime.now(timezone.utc)
    run.save()


def last_runs(count: int = 2) -> list[ChangeRun]:
    """The latest import or sync runs, newest first."""
    return list(ChangeRun.select().order_by(ChangeRun.started_date_time.desc(), ChangeRun.id.desc()).limit(count))
