"""Exporting 1,000,000 audit records: xlsx against a bare xlsxwriter loop, peak memory, CSV.

    python -m bench.bench_export [--rows N] [--runs N] [--peer]

Goals: the xlsx export takes at most 1.15 times the CPU time of a bare xlsxwriter
constant-memory loop that writes the same cells from the same report rows (so the ratio is
what the exporter adds: typed dispatch, limits, return-code checks, progress); peak memory
of the export process at most 150 MB; CSV at least 5 times faster than xlsx (CPU time). Each measurement runs in its own
process, so ru_maxrss is that measurement's peak. The database is built once with bulk
inserts and kept under bench/data/ (gitignored). With --peer, pandas' DataFrame.to_excel
(openpyxl) writes the same rows instead, once, as a reference beside the export's time and
memory (the `bench` extra installs pandas).
"""

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from importlib.util import find_spec
from pathlib import Path

from bench.harness import Figure, report, sampled

DATA = Path(__file__).resolve().parent / "data"
GOAL_RATIO = 1.15
GOAL_PEAK_MB = 150
GOAL_CSV_SPEEDUP = 5
ACTIVITIES = (
    ("EntitlementManagement", "User requests access package assignment"),
    ("EntitlementManagement", "Auto approve access package assignment request"),
    ("EntitlementManagement", "Ready to fulfill access package assignment request"),
    ("EntitlementManagement", "Fulfill access package assignment"),
    ("UserManagement", "Create request approval"),
    ("UserManagement", "Add approver to request approval"),
    ("EntitlementManagement", "Approve access package assignment request"),
    ("EntitlementManagement", "Remove access package assignment"),
)


def database_path(rows: int, data: Path = DATA) -> Path:
    from models.database import SCHEMA_VERSION

    return data / f"audit-{rows}-v{SCHEMA_VERSION}.db"


def ensure_database(rows: int, data: Path = DATA) -> Path:
    """The database of `rows` audit records under `data`, built when missing."""
    path = database_path(rows, data)
    if not path.exists():
        started = time.perf_counter()
        build_database(path, rows)
        print(f"built {path.name}: {rows:,} audit records in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def build_database(path: Path, rows: int) -> None:
    """A database holding `rows` audit records over a year, written with bulk inserts."""
    from models import AuditEvent, db
    from models.database import close_database, open_database

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    open_database(partial)
    random.seed(7)
    users = [
        (str(uuid.UUID(int=random.getrandbits(128), version=4)), f"User {n}", f"user{n}@contoso.com")
        for n in range(2000)
    ]
    packages = [(str(uuid.UUID(int=random.getrandbits(128), version=4)), f"Package {n}") for n in range(200)]
    start = datetime(2025, 1, 1)
    columns = (
        "id",
        "activity_date_time",
        "category",
        "activity_display_name",
        "operation_type",
        "result",
        "logged_by_service",
        "correlation_id",
        "initiated_by",
        "initiated_by_type",
        "initiated_by_id",
        "initiated_by_upn",
        "initiated_by_display_name",
        "initiated_by_upn_key",
        "initiated_by_name_key",
        "target_resources",
        "target_upn_key",
        "target_name_key",
        "additional_details",
        "access_package_id",
    )
    sql = f'INSERT INTO "{AuditEvent._meta.table_name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'

    def records():
        for n in range(rows):
            actor_id, actor_name, actor_upn = users[n % 1999]
            target_id, target_name, target_upn = users[(n * 7) % 2000]
            package_id, package_name = packages[n % 200]
            category, activity = ACTIVITIES[n % len(ACTIVITIES)]
            initiated = json.dumps(
                {"user": {"id": actor_id, "displayName": actor_name, "userPrincipalName": actor_upn}, "app": None},
                separators=(",", ":"),
            )
            targets = json.dumps(
                [
                    {
                        "id": target_id,
                        "displayName": target_name,
                        "type": "User",
                        "userPrincipalName": target_upn,
                        "modifiedProperties": [],
                    },
                    {"id": package_id, "displayName": package_name, "type": "AccessPackage", "modifiedProperties": []},
                ],
                separators=(",", ":"),
            )
            details = json.dumps([{"key": "RequestType", "value": "UserAdd"}], separators=(",", ":"))
            yield (
                str(uuid.UUID(int=random.getrandbits(128), version=4)),
                str(start + timedelta(seconds=n * 31.5)),
                category,
                activity,
                "Add",
                "success",
                "Core Directory",
                str(uuid.UUID(int=random.getrandbits(128), version=4)),
                initiated,
                "user",
                actor_id,
                actor_upn,
                actor_name,
                actor_upn,
                actor_name.lower(),
                targets,
                target_upn,
                target_name.lower(),
                details,
                package_id,
            )

    connection = db.connection()
    with db.atomic():
        connection.executemany(sql, records())
    close_database()
    partial.rename(path)


def measure(kind: str, database: str, output: str) -> dict:
    """Run one measurement in this process: "xlsx", "bare", "csv" or "pandas"."""
    from desktop.export import export
    from desktop.reports.audit import AuditLogReport
    from models.database import open_database

    open_database(database, create=False)
    report = AuditLogReport()
    started, cpu_started = time.perf_counter(), time.process_time()
    if kind == "bare":
        rows = _bare_xlsx(report, output)
    elif kind == "pandas":
        rows = _pandas_xlsx(report, output)
    else:
        rows = export(output, report).rows
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "rows": rows, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}


def _bare_xlsx(report, output: str) -> int:
    """The same cells with the same typed calls, straight into xlsxwriter: no checks."""
    import xlsxwriter
    from desktop.export.xlsx import DATE_FORMAT, WORKBOOK_OPTIONS
    from desktop.reports.base import ColumnType

    workbook = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    worksheet = workbook.add_worksheet(report.name)
    date = workbook.add_format({"num_format": DATE_FORMAT})
    is_date = [column.type is ColumnType.DATETIME for column in report.columns]
    for column, header in enumerate(report.columns):
        worksheet.write_string(0, column, header.title)
    row = 0
    for row, values in enumerate(report.iterate(), start=1):
        for column, value in enumerate(values):
            if value is None:
                continue
            if is_date[column]:
                worksheet.write_datetime(row, column, value.replace(tzinfo=None), date)
            else:
                worksheet.write_string(row, column, value)
    workbook.close()
    return row


def _pandas_xlsx(report, output: str) -> int:
    """The same rows through a DataFrame and to_excel with openpyxl (dates without their
    zone, as Excel has none)."""
    import pandas
    from desktop.reports.base import ColumnType

    is_date = [column.type is ColumnType.DATETIME for column in report.columns]
    rows = (
        [value.replace(tzinfo=None) if date and value is not None else value for value, date in zip(values, is_date)]
        for values in report.iterate()
    )
    frame = pandas.DataFrame.from_records(rows, columns=[column.title for column in report.columns])
    frame.to_excel(output, sheet_name=report.name[:31], index=False, engine="openpyxl")
    return len(frame)


def _run(kind: str, database: Path, output: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_export", "--measure", kind, str(database), str(output)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def figures(rows: int, runs: int, data: Path = DATA) -> list[Figure]:
    """P2 (and the pandas peer): `runs` rounds of bare, xlsx and csv, one process each, no
    warm-up (a round takes minutes at 1,000,000 rows). Ratios are of CPU time: other work
    on a shared machine stretches wall time unevenly."""
    path = ensure_database(rows, data)
    out = data / "out"
    out.mkdir(parents=True, exist_ok=True)
    rounds = []
    try:
        for _round in range(runs):
            rounds.append(
                {
                    kind: _run(kind, path, out / f"{kind}.{'csv' if kind == 'csv' else 'xlsx'}")
                    for kind in ("bare", "xlsx", "csv")
                }
            )
    finally:
        for result in out.iterdir():
            result.unlink()
    assert all(r[kind]["rows"] == rows for r in rounds for kind in r), "an export wrote a different row count"
    cpu = {kind: statistics.median(r[kind]["cpu"] for r in rounds) for kind in ("bare", "xlsx", "csv")}
    wall = {kind: statistics.median(r[kind]["seconds"] for r in rounds) for kind in ("bare", "xlsx", "csv")}
    peak = {kind: statistics.median(r[kind]["peak_mb"] for r in rounds) for kind in ("bare", "xlsx", "csv")}
    size = f"{rows:,} rows"
    return [
        sampled(
            "P2",
            f"xlsx export ÷ bare xlsxwriter loop, CPU time ({size})",
            [r["xlsx"]["cpu"] / r["bare"]["cpu"] for r in rounds],
            "x",
            GOAL_RATIO,
            warmups=0,
            note=f"wall ratio {wall['xlsx'] / wall['bare']:.2f}",
        ),
        sampled(
            "P2",
            f"xlsx export peak memory ({size}, ru_maxrss)",
            [r["xlsx"]["peak_mb"] for r in rounds],
            "MB",
            GOAL_PEAK_MB,
            warmups=0,
        ),
        sampled(
            "P2",
            "csv speed over xlsx (xlsx CPU ÷ csv CPU)",
            [r["xlsx"]["cpu"] / r["csv"]["cpu"] for r in rounds],
            "x",
            GOAL_CSV_SPEEDUP,
            at_most=False,
            warmups=0,
            note=f"csv {cpu['csv']:.1f} s CPU ({wall['csv']:.1f} s wall), {peak['csv']:.0f} MB",
        ),
        sampled(
            "P2",
            f"xlsx export CPU time ({size})",
            [r["xlsx"]["cpu"] for r in rounds],
            "s",
            None,
            warmups=0,
            note=f"{wall['xlsx']:.1f} s wall",
        ),
        sampled(
            "P2",
            f"bare xlsxwriter constant-memory loop CPU time ({size})",
            [r["bare"]["cpu"] for r in rounds],
            "s",
            None,
            warmups=0,
            note=f"{wall['bare']:.1f} s wall, {peak['bare']:.0f} MB",
        ),
    ]


def peer_figures(rows: int, data: Path = DATA) -> list[Figure]:
    """pandas' DataFrame.to_excel (openpyxl) on the same rows, once: beside P2's figures."""
    what = f"pandas DataFrame.to_excel (openpyxl) ({rows:,} rows)"
    if not (find_spec("pandas") and find_spec("openpyxl")):
        return [Figure("Peer", what, None, "s", note="pandas/openpyxl not installed: pip install -e .[bench]")]
    path = ensure_database(rows, data)
    out = data / "out"
    out.mkdir(parents=True, exist_ok=True)
    try:
        pandas = _run("pandas", path, out / "pandas.xlsx")
    finally:
        (out / "pandas.xlsx").unlink(missing_ok=True)
    assert pandas["rows"] == rows, "pandas wrote a different row count"
    return [
        Figure(
            "Peer",
            f"{what}: CPU time",
            pandas["cpu"],
            "s",
            runs="1 run, no warm-up",
            note=f"{pandas['seconds']:.1f} s wall",
        ),
        Figure("Peer", f"{what}: peak memory (ru_maxrss)", pandas["peak_mb"], "MB", runs="1 run, no warm-up"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--peer", action="store_true", help="pandas DataFrame.to_excel (openpyxl) instead, once")
    parser.add_argument("--data", type=Path, default=DATA, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "DATABASE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    report(peer_figures(args.rows, args.data) if args.peer else figures(args.rows, args.runs, args.data), args.json)


if __name__ == "__main__":
    main()
