"""Exporting 1,000,000 audit records: xlsx against a bare xlsxwriter loop, peak memory, CSV.

    python -m bench.bench_export [--rows N]

Goals: the xlsx export takes at most 1.15 times the CPU time of a bare xlsxwriter
constant-memory loop that writes the same cells from the same report rows (so the ratio is
what the exporter adds: typed dispatch, limits, return-code checks, progress); peak memory
of the export process at most 150 MB; CSV at least 5 times faster than xlsx (CPU time). Each measurement runs in its own
process, so ru_maxrss is that measurement's peak. The database is built once with bulk
inserts and kept under bench/data/ (gitignored).
"""
import argparse
import json
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

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


def database_path(rows: int) -> Path:
    from models.database import SCHEMA_VERSION
    return DATA / f"audit-{rows}-v{SCHEMA_VERSION}.db"


def build_database(path: Path, rows: int) -> None:
    """A database holding `rows` audit records over a year, written with bulk inserts."""
    from models import AuditEvent, db
    from models.database import close_database, open_database
    DATA.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    open_database(partial)
    random.seed(7)
    users = [(str(uuid.UUID(int=random.getrandbits(128), version=4)), f"User {n}", f"user{n}@contoso.com")
             for n in range(2000)]
    packages = [(str(uuid.UUID(int=random.getrandbits(128), version=4)), f"Package {n}") for n in range(200)]
    start = datetime(2025, 1, 1)
    columns = ("id", "activity_date_time", "category", "activity_display_name", "operation_type", "result",
               "logged_by_service", "correlation_id", "initiated_by", "initiated_by_type", "initiated_by_id",
               "initiated_by_upn", "initiated_by_display_name", "initiated_by_upn_key", "initiated_by_name_key",
               "target_resources", "target_upn_key", "target_name_key", "additional_details", "access_package_id")
    sql = (f'INSERT INTO "{AuditEvent._meta.table_name}" ({", ".join(columns)}) '
           f'VALUES ({", ".join("?" * len(columns))})')

    def records():
        for n in range(rows):
            actor_id, actor_name, actor_upn = users[n % 1999]
            target_id, target_name, target_upn = users[(n * 7) % 2000]
            package_id, package_name = packages[n % 200]
            category, activity = ACTIVITIES[n % len(ACTIVITIES)]
            initiated = json.dumps({"user": {"id": actor_id, "displayName": actor_name,
                                             "userPrincipalName": actor_upn}, "app": None}, separators=(",", ":"))
            targets = json.dumps([
                {"id": target_id, "displayName": target_name, "type": "User", "userPrincipalName": target_upn,
                 "modifiedProperties": []},
                {"id": package_id, "displayName": package_name, "type": "AccessPackage", "modifiedProperties": []},
            ], separators=(",", ":"))
            details = json.dumps([{"key": "RequestType", "value": "UserAdd"}], separators=(",", ":"))
            yield (str(uuid.UUID(int=random.getrandbits(128), version=4)),
                   str(start + timedelta(seconds=n * 31.5)), category, activity, "Add", "success",
                   "Core Directory", str(uuid.UUID(int=random.getrandbits(128), version=4)), initiated, "user",
                   actor_id, actor_upn, actor_name, actor_upn, actor_name.lower(), targets, target_upn,
                   target_name.lower(), details, package_id)

    connection = db.connection()
    with db.atomic():
        connection.executemany(sql, records())
    close_database()
    partial.rename(path)


def measure(kind: str, database: str, output: str) -> dict:
    """Run one measurement in this process: "xlsx", "bare" or "csv"."""
    from desktop.export import export
    from desktop.reports.audit import AuditLogReport
    from models.database import open_database
    open_database(database, create=False)
    report = AuditLogReport()
    started, cpu_started = time.perf_counter(), time.process_time()
    if kind == "bare":
        rows = _bare_xlsx(report, output)
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


def _run(kind: str, database: Path, output: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_export", "--measure", kind, str(database), str(output)],
        check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "DATABASE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    path = database_path(args.rows)
    if not path.exists():
        started = time.perf_counter()
        build_database(path, args.rows)
        print(f"built {path.name}: {args.rows:,} audit records in {time.perf_counter() - started:.1f} s")
    out = DATA / "out"
    out.mkdir(exist_ok=True)
    bare = _run("bare", path, out / "bare.xlsx")
    xlsx = _run("xlsx", path, out / "export.xlsx")
    csv = _run("csv", path, out / "export.csv")
    # Ratios from CPU time: other work on a shared machine stretches wall time unevenly.
    ratio = xlsx["cpu"] / bare["cpu"]
    speedup = xlsx["cpu"] / csv["cpu"]
    for result in (bare, xlsx, csv):
        print(f"{result['kind']:>5}: {result['rows']:,} rows in {result['seconds']:.1f} s wall, "
              f"{result['cpu']:.1f} s CPU, peak {result['peak_mb']:.0f} MB")
    print(f"xlsx / bare xlsxwriter = {ratio:.3f} (goal <= {GOAL_RATIO}) {'ok' if ratio <= GOAL_RATIO else 'MISSED'}")
    print(f"xlsx peak memory = {xlsx['peak_mb']:.0f} MB (goal <= {GOAL_PEAK_MB}) "
          f"{'ok' if xlsx['peak_mb'] <= GOAL_PEAK_MB else 'MISSED'}")
    print(f"csv speed-up over xlsx = {speedup:.1f}x (goal >= {GOAL_CSV_SPEEDUP}) "
          f"{'ok' if speedup >= GOAL_CSV_SPEEDUP else 'MISSED'}")
    for result in out.iterdir():
        result.unlink()


if __name__ == "__main__":
    main()
