"""First-page latency of the audit log report on 1,000,000 records (what the GUI's paged
table asks for when it opens, sorts, filters, or jumps to the last row).

    python -m bench.bench_reports [--rows N]

Goal: median at most 50 ms per first page. Uses the database bench.bench_export builds.
"""
import argparse
import statistics
import time

from bench.bench_export import build_database, database_path

GOAL_MS = 50
PAGE = 100
REPEATS = 7


def timed(action) -> float:
    """Median milliseconds of `action` over a few runs (after one warm-up)."""
    action()
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from desktop.reports.audit import AuditLogReport
    from models import AuditEvent
    from models.database import open_database
    path = database_path(args.rows)
    if not path.exists():
        build_database(path, args.rows)
    open_database(path, create=False)
    some = AuditEvent.get(AuditEvent.seq == args.rows // 2)
    report = AuditLogReport()
    total = report.count()
    cases = [
        ("count", lambda: report.count()),
        ("first page (newest first)", lambda: report.page(0, PAGE)),
        ("last page (jump to end)", lambda: report.page(total - PAGE, PAGE)),
        ("middle page + 1000", lambda: report.page(total // 2 + 1000, PAGE)),
    ]
    for column in report.columns:
        cases.append((f"first page sorted by {column.key}", lambda key=column.key: report.page(0, PAGE, key)))
    filtered = {
        "initiated by 'user12'": AuditLogReport(initiated_by="user12"),
        "target 'user 7'": AuditLogReport(target="user 7"),
        "category UserManagement": AuditLogReport(category="UserManagement"),
        "correlation id": AuditLogReport(correlation_id=some.correlation_id),
        "access package": AuditLogReport(access_package_id=some.access_package_id),
    }
    for label, filtered_report in filtered.items():
        cases.append((f"filter {label}: first page", lambda r=filtered_report: r.page(0, PAGE)))
        cases.append((f"filter {label}: count", lambda r=filtered_report: r.count()))
    print(f"audit log, {total:,} records, pages of {PAGE}; median of {REPEATS} (goal <= {GOAL_MS} ms)")
    for label, action in cases:
        milliseconds = timed(action)
        print(f"  {label:<52} {milliseconds:8.1f} ms  {'ok' if milliseconds <= GOAL_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
