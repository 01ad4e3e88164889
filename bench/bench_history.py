"""History on a demo tenant: reports as of a past moment, the changes of 30 days, and what an
unchanged re-import adds.

    python -m bench.bench_history --db PATH [--runs N]

PATH is a demo tenant (`python -m desktop --db PATH demo --size large`; the goals are for the
large one). The database is copied first: the import figure writes to the copy.
Goals: reports 1-3 as of 30 days before the newest change (report 1 of the busiest package and
of every package, report 2's both tabs), count + first page, median at most 50 ms each; the changes of those 30 days, count + first page, at most 1 s; importing the same
Graph JSON (every assignment with its target, package and policy) a second time grows the
database file by less than 1 %.
"""

import argparse
import json
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from bench.harness import Figure, report, sampled, timed_ms

PAGE = 100
GOAL_REPORT_MS = 50
GOAL_CHANGES_MS = 1000
GOAL_GROWTH_PERCENT = 1.0


def query_figures(runs: int) -> list[Figure]:
    from peewee import fn

    from desktop.reports.assignments import AssignmentsReport
    from desktop.reports.changes import ChangesReport
    from desktop.reports.user_packages import AssignedPackagesReport, CanRequestReport
    from desktop.reports.user_resources import ResourceAssignmentsReport
    from models import AccessPackage, Assignment, User
    from models.history import history_model

    history = history_model(Assignment)
    newest = history.select(fn.MAX(history.valid_from)).scalar()
    moment = newest - timedelta(days=30)

    def most(column):
        return (
            history.select(column, fn.COUNT(history.version))
            .group_by(column)
            .order_by(fn.COUNT(history.version).desc())
            .limit(1)
            .tuples()
            .get()
        )

    package_id, _ = most(history.access_package_id)
    user_id, _ = most(history.target_id)
    package, user = AccessPackage.get_by_id(package_id), User.get_by_id(user_id)
    cases = {
        "Report 1 as of 30 days ago: assignments of the busiest package": AssignmentsReport(package, as_of=moment),
        "Report 1 as of 30 days ago: every package": AssignmentsReport(None, as_of=moment),
        "Report 2 as of 30 days ago: Assigned of the busiest user": AssignedPackagesReport(user, as_of=moment),
        "Report 2 as of 30 days ago: Can request of that user": CanRequestReport(user, as_of=moment),
        "Report 3 as of 30 days ago: resource roles of that user": ResourceAssignmentsReport(user, as_of=moment),
    }
    figures = []
    for what, chosen in cases.items():
        rows = chosen.count()
        samples = timed_ms(lambda r=chosen: (r.count(), r.page(0, PAGE)), runs)
        figures.append(
            sampled("H", f"{what}: count + first page", samples, "ms", GOAL_REPORT_MS, note=f"{rows:,} rows")
        )
    changes = {
        "Changes of the last 30 days": ChangesReport(moment, newest + timedelta(seconds=1)),
        "Changes of the last 30 days, busiest package": ChangesReport(moment, package=package),
        "Changes of the last 30 days, sorted by user": ChangesReport(moment),
    }
    for what, chosen in changes.items():
        rows = chosen.count()
        sort = "user_principal_name" if "sorted" in what else None
        samples = timed_ms(lambda r=chosen, s=sort: (r.count(), r.page(0, PAGE, s)), runs)
        figures.append(
            sampled("H", f"{what}: count + first page", samples, "ms", GOAL_CHANGES_MS, note=f"{rows:,} rows")
        )
    return figures


def growth_figure(path: Path, folder: Path) -> list[Figure]:
    from desktop.importers import import_files
    from desktop.reports.assignments import AssignmentsReport
    from models import db
    from models.history import TRACKED_MODELS, history_table

    export = folder / "assignments.json"
    with open(export, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identityGovernance/"
                "entitlementManagement/assignments(target(),accessPackage(),assignmentPolicy())",
                "value": list(AssignmentsReport(None).documents()),
            },
            handle,
        )

    def size() -> int:
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size

    def versions() -> int:
        return sum(
            db.execute_sql(f'SELECT COUNT(*) FROM "{history_table(model)}"').fetchone()[0] for model in TRACKED_MODELS
        )

    # The first import settles what the demo and Graph's shape store differently.
    import_files([export])
    before, versions_before = size(), versions()
    summary = import_files([export])
    after, versions_after = size(), versions()
    growth = (after - before) / before * 100
    return [
        Figure(
            "H",
            "Unchanged re-import of every assignment (Graph JSON): database growth",
            growth,
            "%",
            GOAL_GROWTH_PERCENT,
            note=f"{before / 1e6:,.1f} MB → {after / 1e6:,.1f} MB; "
            f"{versions_after - versions_before} history rows added; "
            f"{summary.total('unchanged'):,} records unchanged",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a demo tenant (the large one for the goals)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"No database at {args.db}: python -m desktop --db {args.db} demo --size large")
    from models.database import close_database, open_database

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "tenant.db"
        shutil.copy(args.db, copy)
        open_database(copy, create=False)
        try:
            figures = query_figures(args.runs) + growth_figure(copy, Path(folder))
        finally:
            close_database()
    report(figures, args.json)


if __name__ == "__main__":
    main()
