"""Qt client I on the large demo tenant: the biggest package's assignments and the user
picker's search, to their first painted rows, through the real Qt models and views, offscreen.

    python -m bench.bench_gui [--db PATH] [--runs N]

Goals (medians): opening the assignments of the package with the most assignments paints
its first rows in <= 100 ms; a user picker search (the query after the debounce, then the
paint) shows its matches in <= 100 ms. The database defaults to the large demo tenant that
`entitlement-desk --demo --size large` builds (directory and request history). The first
run is a warm-up.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, report, sampled

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOAL_ASSIGNMENTS_MS = 100
GOAL_PICKER_MS = 100
# What an admin types: name and UPN prefixes, and a text only a contains query finds.
SEARCHES = ("s", "sanjay", "megan.b", "alex w", "nakamura", "zz-nobody")


def figures(path: Path, runs: int) -> list[Figure]:
    """Issue 5's figures on the demo tenant at `path`: `runs` runs after a warm-up."""
    from PySide6.QtCore import QEvent, QObject, QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication
    from peewee import fn

    from desktop.states import ACTIVE_ASSIGNMENT_STATES
    from models import AccessPackage, Assignment, User
    from models.database import close_database, open_database
    from ui.app import configure_application
    from ui.dialogs.download import Downloader
    from ui.dialogs.user_picker import UserPickerDialog
    from ui.navigation import default_administrator
    from ui.pages.access_packages import AccessPackagesPage
    from ui.pages.base import PageContext

    app = QApplication.instance() or QApplication([])
    configure_application(app)
    # Column widths go to a scratch folder, never the real home.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="bench-settings-"))
    open_database(path, create=False)

    biggest_id, biggest_count = (
        Assignment.select(Assignment.access_package, fn.COUNT(Assignment.id))
        .where(Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES))
        .group_by(Assignment.access_package)
        .order_by(fn.COUNT(Assignment.id).desc())
        .limit(1)
        .tuples()
        .get()
    )
    biggest = AccessPackage.get_by_id(biggest_id)
    users = User.select().count()

    class PaintWatch(QObject):
        """Notes when a view's viewport has been painted."""

        painted = False

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    def until_painted(viewport, action) -> float:
        """Milliseconds from `action()` until `viewport` has painted."""
        watch = PaintWatch()
        viewport.installEventFilter(watch)
        started = time.perf_counter()
        action()
        while not watch.painted:
            app.processEvents()
        app.processEvents()  # the paint event itself runs inside this call
        elapsed = (time.perf_counter() - started) * 1000
        viewport.removeEventFilter(watch)
        return elapsed

    context = PageContext(actor=default_administrator(), downloader=Downloader())
    page = AccessPackagesPage(context)
    page.resize(1400, 900)
    page.show()
    app.processEvents()
    opened = []
    for _run in range(runs + 1):
        viewport = page.assignments_view.view.viewport()
        opened.append(until_painted(viewport, lambda: page.open_package(biggest)))
        assert page.assignments_view.model.row_values(0) is not None
        page.show_list()
        app.processEvents()

    picker = UserPickerDialog()
    picker.resize(1000, 480)
    picker.show()
    app.processEvents()
    searched = []
    for _run in range(runs + 1):
        for text in SEARCHES:
            picker.search_edit.setText(text)  # starts the debounce; the measure starts when it fires
            searched.append(until_painted(picker.results.viewport(), picker.run_search))
            picker.search_edit.clear()
            picker.run_search()
            app.processEvents()
    QThreadPool.globalInstance().waitForDone()
    close_database()

    return [
        sampled(
            "I5",
            f"Biggest package's assignments ({biggest_count:,} current) to first painted rows",
            opened[1:],
            "ms",
            GOAL_ASSIGNMENTS_MS,
            note=f"{users:,} users",
        ),
        sampled(
            "I5",
            f"User picker search to painted matches ({len(SEARCHES)} texts a run)",
            searched[len(SEARCHES) :],
            "ms",
            GOAL_PICKER_MS,
            note="the query after the debounce, then the paint",
        ),
    ]


def main() -> int:
    from ui.app import demo_database_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database file (default: the large demo tenant)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.db or demo_database_path("large")
    if not path.exists():
        print(
            f"No database at {path}. Build the large demo first: entitlement-desk --demo --size large", file=sys.stderr
        )
        return 2
    report(figures(path, args.runs), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
