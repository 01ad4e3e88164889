"""First-page latency of the reports the GUI's paged table opens.

    python -m bench.bench_reports [--db PATH] [--rows N] [--runs N]

With --db (the large demo tenant: 100,000 assignments, 4,000 packages; P3), reports 1, 2, 3
and 5 and the audit log, each to its first page as the paged table opens it (the count,
then the first page). Without it, the audit log report on 1,000,000 records (the database
bench.bench_export builds): count, first, last and middle pages, every sort and filter.
Goal: median at most 50 ms each.
"""

import argparse
import sys
from pathlib import Path

from bench.bench_export import DATA, ensure_database
from bench.harness import Figure, report, sampled, timed_ms

GOAL_MS = 50
PAGE = 100


def demo_figures(path: Path, runs: int) -> list[Figure]:
    """P3 on a demo tenant: the package and the user with the most current assignments."""
    from peewee import fn

    from desktop.states import ACTIVE_ASSIGNMENT_STATES
    from desktop.reports.assignments import AssignmentsReport
    from desktop.reports.audit import AuditLogReport
    from desktop.reports.connected_organizations import ConnectedOrganizationsReport
    from desktop.reports.user_packages import AssignedPackagesReport, CanRequestReport
    from desktop.reports.user_resources import ResourceAssignmentsReport
    from models import AccessPackage, Assignment, User
    from models.database import close_database, open_database

    open_database(path, create=False)
    try:
        current = Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)

        def most(column):
            return (
                Assignment.select(column, fn.COUNT(Assignment.id))
                .where(current)
                .group_by(column)
                .order_by(fn.COUNT(Assignment.id).desc())
                .limit(1)
                .tuples()
                .get()
            )

        package_id, package_count = most(Assignment.access_package)
        user_id, user_count = most(Assignment.target)
        package, user = AccessPackage.get_by_id(package_id), User.get_by_id(user_id)
        reports = {
            f"Report 1: assignments of the biggest package ({package_count:,} current)": AssignmentsReport(package),
            "Report 1: assignments of every package": AssignmentsReport(None),
            f"Report 2: packages a user can request (user with {user_count} assignments)": CanRequestReport(user),
            "Report 2: packages that user is assigned": AssignedPackagesReport(user),
            "Report 3: resource roles that user holds": ResourceAssignmentsReport(user),
            "Report 5: connected organizations": ConnectedOrganizationsReport(),
            "Audit log, newest first": AuditLogReport(),
        }
        results = []
        for what, chosen in reports.items():
            rows = chosen.count()
            samples = timed_ms(lambda r=chosen: (r.count(), r.page(0, PAGE)), runs)
            results.append(sampled("P3", f"{what}: count + first page", samples, "ms", GOAL_MS, note=f"{rows:,} rows"))
        return results
    finally:
        close_database()


def audit_figures(rows: int, runs: int, data: Path = DATA) -> list[Figure]:
    """The audit log report on `rows` records: pages, sorts and filters."""
    from desktop.reports.audit import AuditLogReport
    from models import AuditEvent
    from models.database import close_database, open_database

    open_database(ensure_database(rows, data), create=False)
    try:
        some = AuditEvent.get(AuditEvent.seq == rows // 2)
        log = AuditLogReport()
        total = log.count()
        cases = [
            ("count", log.count),
            ("first page (newest first)", lambda: log.page(0, PAGE)),
            ("last page (jump to end)", lambda: log.page(total - PAGE, PAGE)),
            ("middle page + 1000", lambda: log.page(total // 2 + 1000, PAGE)),
        ]
        for column in log.columns:
            cases.append((f"first page sorted by {column.key}", lambda key=column.key: log.page(0, PAGE, key)))
        filtered = {
            "initiated by 'user12'": AuditLogReport(initiated_by="user12"),
            "target 'user 7'": AuditLogReport(target="user 7"),
            "category UserManagement": AuditLogReport(category="UserManagement"),
            "correlation id": AuditLogReport(correlation_id=some.correlation_id),
            "access package": AuditLogReport(access_package_id=some.access_package_id),
        }
        for label, filtered_report in filtered.items():
            cases.append((f"filter {label}: first page", lambda r=filtered_report: r.page(0, PAGE)))
            cases.append((f"filter {label}: count", filtered_report.count))
        return [
            sampled("P3", f"audit log ({total:,} records): {label}", timed_ms(action, runs), "ms", GOAL_MS)
            for label, action in cases
        ]
    finally:
        close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a demo tenant (the large one for P3)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db and not args.db.exists():
        sys.exit(f"No database at {args.db}: python -m desktop --db {args.db} demo --size large")
    report(demo_figures(args.db, args.runs) if args.db else audit_figures(args.rows, args.runs), args.json)


if __name__ == "__main__":
    main()
