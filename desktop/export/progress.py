"""Progress and cancel for long exports."""

import time
from typing import Callable

from desktop.errors import Cancelled

# Rows between two looks at the clock and the cancel flag: a few milliseconds of work.
CHECK_EVERY = 256


class Progress:
    """Counts rows; reports (done, total) to `callback` at most every `interval` seconds and
    raises Cancelled soon after `cancel` (a callable or a threading.Event) turns true."""

    def __init__(
        self, total: int, callback: Callable[[int, int], None] | None = None, cancel=None, interval: float = 0.1
    ):
        self.total = total
        self.done = 0
        self._callback = callback
        self._cancelled = getattr(cancel, "is_set", cancel)
        self._interval = interval
        self._next_report = 0.0

    def advance(self) -> None:
        self.done += 1
        if self.done % CHECK_EVERY == 0:
            self.check()

    def advance_many(self, rows: int) -> None:
        """Count a batch of rows (a few hundred at most) and look at the clock and the cancel flag."""
        self.done += rows
        self.check()

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise Cancelled("Export cancelled; no file was written.")
        if self._callback is not None:
            now = time.monotonic()
            if now >= self._next_report:
                self._next_report = now + self._interval
                self._callback(self.done, self.total)

    def finish(self) -> None:
        """Report the final count (always, whatever the throttle)."""
        if self._callback is not None:
            self._callback(self.done, self.total)
