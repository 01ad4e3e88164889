"""Time `entitlement-desk-cli demo --size large` into a temporary file: directory, catalogs and
policies in bulk, then six months of request history through the lifecycle controller.
Goal: <= 5 minutes, with about 100,000 assignments and 1,000,000 audit events.

Prints the time of each phase (wall and CPU: the machine may be shared) and the rows of
every table.

Run: python -m bench.bench_demo [--size small|large] [--seed N]
"""

import argparse
import tempfile
import time
from pathlib import Path

from desktop.demo import SIZES, build_demo
from models import ALL_MODELS
from models.database import close_database, open_database

GOAL_SECONDS = 300


class PhaseClock:
    """Wall and CPU seconds spent in each progress phase of the build."""

    def __init__(self):
        self.phases: dict[str, list[float]] = {}
        self._current: str | None = None
        self._since = (time.perf_counter(), time.process_time())
        self._began = self._shown = time.perf_counter()

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase != self._current:
            self.stop()
            self._current = phase
        if done == total or time.perf_counter() - self._shown >= 10:
            self._shown = time.perf_counter()
            print(f"  {time.perf_counter() - self._began:6.0f} s  {phase}: {done:,}/{total:,}", flush=True)

    def stop(self) -> None:
        now = (time.perf_counter(), time.process_time())
        if self._current is not None:
            spent = self.phases.setdefault(self._current, [0.0, 0.0])
            spent[0] += now[0] - self._since[0]
            spent[1] += now[1] - self._since[1]
        self._since = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        open_database(Path(folder) / "demo.db")
        try:
            clock = PhaseClock()
            began = time.perf_counter(), time.process_time()
            build_demo(args.size, args.seed, progress=clock.progress)
            clock.stop()
            wall, cpu = time.perf_counter() - began[0], time.process_time() - began[1]
            counts = {model._meta.table_name: model.select().count() for model in ALL_MODELS}
        finally:
            close_database()
    for phase, (phase_wall, phase_cpu) in clock.phases.items():
        if phase_wall >= 0.5:
            print(f"  {phase:<30} {phase_wall:7.1f} s  (CPU {phase_cpu:7.1f} s)")
    for table, rows in counts.items():
        print(f"  {table:<32} {rows:>12,}")
    verdict = "within" if wall <= GOAL_SECONDS else "over"
    print(
        f"demo --size {args.size}: {wall:.1f} s (CPU {cpu:.1f} s), {verdict} the {GOAL_SECONDS} s goal; "
        f"{counts['assignment']:,} assignments, {counts['audit_event']:,} audit events"
    )


if __name__ == "__main__":
    main()
