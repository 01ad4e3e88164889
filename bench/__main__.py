"""Every benchmark of issue 8 in one command, side by side with the bare libraries.

    python -m bench [--quick] [--only P2,P4] [--stop-at HH:MM] [--rounds N] [--results PATH]

Builds or reuses the databases under bench/data/ (gitignored): the large demo tenant
(`python -m desktop --db bench/data/large-demo.db demo --size large`), the 1,000,000-record
audit database, the directoryAudit JSON file and the admin center's audit CSV. Each area runs
in its own process (the export and import benches start one more per measurement), so every
peak memory is that measurement's own. Prints the table and writes bench/RESULTS.md with the machine, the date
and the load average during the run; a "## Notes" section already in that file is kept.

--quick runs every area at tiny sizes in a scratch folder and writes no RESULTS.md unless
--results says where: a smoke test, its figures mean nothing. --stop-at (UTC) stops a
running area at that time and marks what did not run.
"""

import argparse
import dataclasses
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.harness import Child, Figure, LoadWatch, figures_of, machine, run_child, sampled, table

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"
NOTES = "\n## Notes\n"
AREAS = ("P1", "P2", "P3", "P4", "P5", "P6", "Peer", "I5", "I17", "H", "S1")


@dataclasses.dataclass(frozen=True)
class Sizes:
    audit_rows: int  # P1, P2, Peer
    import_records: int  # P4
    import_csv_rows: int  # P4, the admin center's CSV download
    demo: str  # P3, P5, P6, I5, I17
    lifecycles: int  # P5
    runs: int  # the quick figures' timed runs (each after a warm-up)
    lifecycle_runs: int  # bench_lifecycle processes
    rounds: int  # the export and import rounds (minutes each at full size: no warm-up)
    sync: str  # S1: bench_sync's --size


FULL = Sizes(1_000_000, 1_000_000, 250_000, "large", 2000, 7, 3, 1, "large")
QUICK = Sizes(2000, 2000, 500, "small", 50, 1, 1, 1, "tiny")


class OutOfTime(Exception):
    """The --stop-at time came before the area finished."""


class Run:
    """The areas of one `python -m bench`, in the order they run."""

    def __init__(self, sizes: Sizes, data: Path, selected: set[str], stop_at: datetime | None):
        self.sizes, self.data, self.selected, self.stop_at = sizes, data, selected, stop_at
        self.demo_db = data / f"{sizes.demo}-demo.db"
        self.demo_build: Child | None = None
        self.peak_mb = 0.0  # the largest peak memory of the current area's processes

    def child(self, *argv: str) -> Child:
        timeout = None
        if self.stop_at is not None:
            timeout = (self.stop_at - datetime.now(timezone.utc)).total_seconds()
            if timeout <= 0:
                raise OutOfTime()
        try:
            child = run_child(list(argv), env={"QT_QPA_PLATFORM": "offscreen"}, timeout=timeout)
        except TimeoutError as error:
            raise OutOfTime() from error
        self.peak_mb = max(self.peak_mb, child.peak_mb)
        return child

    def demo(self) -> Path:
        """The demo tenant, built through the CLI when missing (that build is P5's demo time)."""
        if not self.demo_db.exists():
            partial = self.demo_db.with_name(self.demo_db.name + ".partial")
            for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
                leftover.unlink(missing_ok=True)
            print(f"building {self.demo_db} (demo --size {self.sizes.demo}) ...", file=sys.stderr, flush=True)
            self.demo_build = self.child("-m", "desktop", "--db", str(partial), "demo", "--size", self.sizes.demo)
            partial.rename(self.demo_db)
        return self.demo_db

    def plan(self) -> list[tuple[str, str, object]]:
        """(name, the area it gives figures for, how) in running order: the demo build first (it
        is P5's demo figure when it happens), the long 1,000,000-row rounds last."""
        s, data = self.sizes, str(self.data)
        runs = str(s.runs)
        steps = [
            ("demo --size " + s.demo, "P5", self.demo_time),
            (
                "P3 reports",
                "P3",
                lambda: self.area("bench.bench_reports", "--db", str(self.demo()), "--runs", str(s.runs * 2 + 1)),
            ),
            ("H history", "H", lambda: self.area("bench.bench_history", "--db", str(self.demo()), "--runs", runs)),
            ("issue 5 GUI", "I5", lambda: self.area("bench.bench_gui", "--db", str(self.demo()), "--runs", runs)),
            (
                "issue 17 decisions",
                "I17",
                lambda: self.area(
                    "bench.bench_decision_stall", "--db", str(self.demo()), "--decisions", str(s.runs * 2 + 1)
                ),
            ),
            ("P6 cold start", "P6", lambda: self.area("bench.bench_startup", "--db", str(self.demo()), "--runs", runs)),
            ("P5 lifecycles", "P5", self.lifecycles),
            (
                "P1 audit log GUI",
                "P1",
                lambda: self.area("bench.bench_audit_gui", "--rows", str(s.audit_rows), "--runs", runs, "--data", data),
            ),
            ("S1 sync", "S1", lambda: self.area("bench.bench_sync", "--size", s.sync)),
            (
                "P4 import",
                "P4",
                lambda: self.area(
                    "bench.bench_import",
                    "--records",
                    str(s.import_records),
                    "--csv-rows",
                    str(s.import_csv_rows),
                    "--runs",
                    str(s.rounds),
                    "--data",
                    data,
                ),
            ),
            (
                "P2 export",
                "P2",
                lambda: self.area(
                    "bench.bench_export", "--rows", str(s.audit_rows), "--runs", str(s.rounds), "--data", data
                ),
            ),
            (
                "pandas peer",
                "Peer",
                lambda: self.area("bench.bench_export", "--rows", str(s.audit_rows), "--data", data, "--peer"),
            ),
        ]
        return [step for step in steps if step[1] in self.selected]

    def area(self, module: str, *argv: str) -> list[Figure]:
        return figures_of(self.child("-m", module, "--json", *argv))

    def demo_time(self) -> list[Figure]:
        """P5's demo figure: the CLI build's time when this run built the tenant, else bench_demo."""
        self.demo()
        if self.demo_build is not None:
            build = self.demo_build
            return [
                Figure(
                    "P5",
                    f"`python -m desktop demo --size {self.sizes.demo}` (the bench database's build)",
                    build.seconds,
                    "s",
                    300,
                    runs="1 run",
                    note=f"{build.cpu:.0f} s CPU; peak {build.peak_mb:.0f} MB",
                )
            ]
        child = self.child("-m", "bench.bench_demo", "--size", self.sizes.demo)
        found = re.search(r"demo --size \w+: ([\d.]+) s \(CPU ([\d.]+) s\)", child.stdout)
        if not found:
            return [
                Figure(
                    "P5", f"demo --size {self.sizes.demo}", None, "s", 300, note="bench_demo's output not understood"
                )
            ]
        return [
            Figure(
                "P5",
                f"demo --size {self.sizes.demo} (bench.bench_demo, a temporary file)",
                float(found[1]),
                "s",
                300,
                runs="1 run",
                note=f"{float(found[2]):.0f} s CPU; peak {child.peak_mb:.0f} MB",
            )
        ]

    def lifecycles(self) -> list[Figure]:
        """P5's rate, from bench_lifecycle's printed lines (both modes, wall and CPU rates)."""
        pattern = re.compile(
            r"^(?P<mode>[^:\n]+): \d+ lifecycles .*?(?P<rate>\d+) lifecycles/s"
            r"(?:.*?by CPU time (?P<cpu>\d+)/s)?",
            re.MULTILINE,
        )
        modes: dict[str, list[tuple[float, float | None]]] = {}
        for _run in range(self.sizes.lifecycle_runs):
            child = self.child("-m", "bench.bench_lifecycle", "--lifecycles", str(self.sizes.lifecycles))
            for found in pattern.finditer(child.stdout):
                modes.setdefault(found["mode"], []).append(
                    (float(found["rate"]), float(found["cpu"]) if found["cpu"] else None)
                )
        if not modes:
            return [
                Figure(
                    "P5",
                    "lifecycles per second",
                    None,
                    "/s",
                    300,
                    False,
                    note="bench_lifecycle's output not understood",
                )
            ]
        figures = []
        for mode, rates in modes.items():
            cpu = sorted(c for _, c in rates if c is not None)
            figures.append(sampled_rate(mode, [rate for rate, _ in rates], cpu, self.sizes.lifecycles))
        return figures


def sampled_rate(mode: str, rates: list[float], cpu_rates: list[float], lifecycles: int) -> Figure:
    processes = len(rates)
    note = f"by CPU time {cpu_rates[len(cpu_rates) // 2]:,.0f}/s" if cpu_rates else ""
    figure = sampled(
        "P5",
        f"Approval-path lifecycles through the controller, SQLite: {mode}",
        rates,
        "/s",
        300,
        at_most=False,
        warmups=0,
        note=note,
    )
    figure.runs = (
        f"median of {processes} processes of {lifecycles:,} lifecycles"
        if processes > 1
        else f"1 process of {lifecycles:,} lifecycles"
    )
    return figure


def results_markdown(
    figures: list[Figure], areas: list[str], load: LoadWatch, began: datetime, command: str, notes: str
) -> str:
    lines = [
        "# Benchmarks at Entra's limits (issue 8)",
        "",
        f"Run on {began:%Y-%m-%d} from {began:%H:%M} to {datetime.now(timezone.utc):%H:%M} UTC with `{command}`.",
        f"The machine is shared with other engineers' work: {load.summary()} during the run.",
        "A run at 1,000,000 rows takes minutes, so those figures are a few runs without a warm-up (each row says",
        "how many); their ratios use CPU time, as wall time on a shared machine also counts other people's work.",
        "",
        "## Results",
        "",
        table(figures),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine().items()),
        "",
        "## Areas",
        "",
        "| Area | Wall time | Largest peak memory of its processes | 1-minute load average during it |",
        "|---|---|---|---|",
        *areas,
        "",
    ]
    return "\n".join(lines) + notes


def stop(_signal, _frame) -> None:
    """SIGTERM stops the run as --stop-at does: the current area's processes end, the rest
    is marked as not run, and the results are still written."""
    raise OutOfTime()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes in a scratch folder: a smoke test")
    parser.add_argument("--only", help=f"comma-separated areas: {','.join(AREAS)}")
    parser.add_argument("--rounds", type=int, help="rounds of the 1,000,000-row export and import (default 1)")
    parser.add_argument("--stop-at", metavar="HH:MM", help="UTC time to stop at, marking what did not run")
    parser.add_argument(
        "--results", type=Path, help="where to write the results (default: bench/RESULTS.md; --quick: nowhere)"
    )
    parser.add_argument("--data", type=Path, help="databases and data files (default: bench/data; --quick: scratch)")
    args = parser.parse_args()
    selected = set(AREAS) if not args.only else {area.strip() for area in args.only.split(",")}
    if selected - set(AREAS):
        parser.error(f"unknown areas {', '.join(sorted(selected - set(AREAS)))}: choose from {', '.join(AREAS)}")
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = dataclasses.replace(sizes, rounds=args.rounds)
    stop_at = None
    if args.stop_at:
        hour, minute = (int(part) for part in args.stop_at.split(":"))
        stop_at = datetime.now(timezone.utc).replace(hour=hour, minute=minute, second=0, microsecond=0)
    results = args.results or (None if args.quick else RESULTS)
    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="bench-quick-") as scratch:
        data = args.data or (Path(scratch) if args.quick else BENCH / "data")
        data.mkdir(parents=True, exist_ok=True)
        run = Run(sizes, data, selected, stop_at)
        figures: list[Figure] = []
        areas: list[str] = []  # rows of the areas table
        began = datetime.now(timezone.utc)
        with LoadWatch() as load:
            stopped = None
            for name, gives, how in run.plan():
                if stopped:
                    figures.append(Figure(gives, name, None, "", note=stopped))
                    continue
                print(f"[{datetime.now(timezone.utc):%H:%M:%S}] {name} ...", file=sys.stderr, flush=True)
                watch_from = len(load.samples)
                started, run.peak_mb = time.perf_counter(), 0.0
                try:
                    found = how()
                except OutOfTime:
                    stopped = f"stopped at {args.stop_at} UTC, the deadline" if args.stop_at else "the run was stopped"
                    found = [Figure(gives, name, None, "", note=stopped)]
                except (RuntimeError, subprocess.SubprocessError, ValueError, KeyError, IndexError) as error:
                    print(error, file=sys.stderr)
                    found = [Figure(gives, name, None, "", note=f"failed: {str(error).strip().splitlines()[-1][:200]}")]
                seconds = time.perf_counter() - started
                during = load.samples[watch_from:] or load.samples[-1:]
                areas.append(
                    f"| {name} | {seconds:.0f} s | {run.peak_mb:.0f} MB | {min(during):.2f}–{max(during):.2f} |"
                )
                figures.extend(found)
                print(table(found), file=sys.stderr, flush=True)
        print(table(figures))
        if results is not None:
            notes = ""
            if results.exists() and NOTES in results.read_text(encoding="utf-8"):
                notes = NOTES + results.read_text(encoding="utf-8").split(NOTES, 1)[1]
            command = "python -m bench" + "".join(f" {arg}" for arg in sys.argv[1:])
            results.write_text(results_markdown(figures, areas, load, began, command, notes), encoding="utf-8")
            print(f"wrote {results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
