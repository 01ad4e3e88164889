"""What every benchmark shares: a figure against its goal, medians of timed runs, child
processes whose own peak memory (ru_maxrss) is read back, the machine and its load."""

import json
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from importlib import metadata


@dataclass
class Figure:
    """One measured figure. `value` None means not run; `note` then says why."""

    area: str  # "P1" ... "P6", "Peer", "I5"
    what: str
    value: float | None
    unit: str  # "ms", "MB", "s", "x", "/s"
    goal: float | None = None  # None: a reference figure without a goal
    at_most: bool = True  # the goal is a ceiling (False: a floor)
    runs: str = ""
    low: float | None = None
    high: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return f"not run ({self.note})" if self.note else "not run"
        if self.goal is None:
            return "reference"
        met = self.value <= self.goal if self.at_most else self.value >= self.goal
        return "pass" if met else "MISS"

    def goal_text(self) -> str:
        if self.goal is None:
            return "—"
        return f"{'≤' if self.at_most else '≥'} {self.goal:g} {self.unit}".replace(" x", "×")


def number(value: float) -> str:
    """A figure with the digits that mean something at its size."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def spread(samples: list[float]) -> tuple[float, float, float]:
    """Median, min and max."""
    return statistics.median(samples), min(samples), max(samples)


def sampled(
    area: str,
    what: str,
    samples: list[float],
    unit: str,
    goal: float | None,
    *,
    at_most: bool = True,
    warmups: int = 1,
    note: str = "",
) -> Figure:
    """A figure that is the median of `samples` (taken after `warmups` untimed runs)."""
    median, low, high = spread(samples)
    warm = f" after {warmups} warm-up" if warmups else ", no warm-up"
    runs = f"median of {len(samples)}{warm}" if len(samples) > 1 else f"1 run{warm}"
    return Figure(area, what, median, unit, goal, at_most, runs, low, high, note)


def timed_ms(action, runs: int, warmups: int = 1) -> list[float]:
    """Milliseconds of `action()` over `runs` runs after `warmups` untimed ones."""
    for _ in range(warmups):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def emit(figures: list[Figure]) -> None:
    """A child's answer to its parent: the figures as the last line of stdout."""
    print(json.dumps([asdict(figure) for figure in figures]), flush=True)


@dataclass
class Child:
    stdout: str
    stderr: str
    seconds: float
    cpu: float  # user + system seconds of the child (and of its own waited-for children)
    peak_mb: float  # the child's ru_maxrss


def run_child(argv: list[str], *, env: dict | None = None, timeout: float | None = None) -> Child:
    """Run `python argv...` to completion; its own rusage (wait4), so its peak memory is
    its own and not the largest of every child so far. Raises on a failed exit."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        # Its own session: stopping it also stops the processes it started.
        process = subprocess.Popen(
            [sys.executable, *argv],
            stdout=out,
            stderr=err,
            text=True,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        deadline = None if timeout is None else started + timeout
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if deadline is not None and time.perf_counter() > deadline:
                    raise TimeoutError(f"{' '.join(argv)}: over {timeout:.0f} s")
                time.sleep(0.05)
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL
            raise
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        child = Child(out.read(), err.read(), seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}: {child.stderr.strip()[-2000:]}")
    return child


def figures_of(child: Child) -> list[Figure]:
    """The figures a child printed with `emit`."""
    return [Figure(**fields) for fields in json.loads(child.stdout.strip().splitlines()[-1])]


class LoadWatch:
    """Samples the 1-minute load average every few seconds while the benchmarks run."""

    def __init__(self, every: float = 5.0):
        self.samples = [os.getloadavg()[0]]
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "LoadWatch":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def _watch(self) -> None:
        while not self._stop.wait(self._every):
            self.samples.append(os.getloadavg()[0])

    def summary(self) -> str:
        return (
            f"1-minute load average {min(self.samples):.2f}–{max(self.samples):.2f} "
            f"(mean {statistics.fmean(self.samples):.2f}, {len(self.samples)} samples) on "
            f"{os.cpu_count()} cores"
        )


def machine() -> dict[str, str]:
    """CPU, cores, memory and the versions the figures depend on."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        total_kb = next(int(line.split()[1]) for line in handle if line.startswith("MemTotal"))
    versions = {}
    for package in ("PySide6-Essentials", "peewee", "xlsxwriter", "ijson", "pandas", "openpyxl"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "CPU": cpu,
        "Cores": str(os.cpu_count()),
        "Memory": f"{total_kb / 2**20:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        **versions,
        "SQLite": sqlite3.sqlite_version,
    }


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table."""
    lines = ["| # | What | Result | Goal | Verdict | Runs (min–max) | Notes |", "|---|---|---|---|---|---|---|"]
    for figure in figures:
        result = "—" if figure.value is None else f"{number(figure.value)} {figure.unit}".replace(" x", "×")
        extent = figure.runs
        if figure.low is not None and figure.high is not None and figure.low != figure.high:
            extent += f" ({number(figure.low)}–{number(figure.high)})"
        note = "" if figure.value is None else figure.note
        lines.append(
            f"| {figure.area} | {figure.what} | {result} | {figure.goal_text()} | {figure.verdict} "
            f"| {extent or '—'} | {note} |"
        )
    return "\n".join(lines)


def report(figures: list[Figure], as_json: bool) -> None:
    """What a bench module's own entry point prints: the table, or JSON for `python -m bench`."""
    if as_json:
        emit(figures)
    else:
        print(table(figures))
