"""Qt client I on the large demo tenant: the biggest package's assignments and the user
picker's search, to their first painted rows, through the real Qt models and views, offscreen.

    python -m bench.bench_gui [--db PATH] [--runs N]

Goals (medians): opening the assignments of the package with the most assignments paints
its first rows in <= 100 ms; a user picker search (the query after the debounce, then the
paint) shows its matches in <= 100 ms. The database defaults to the large demo tenant that
`entitlement-desk --demo --size large` builds (directory and request history).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOAL_ASSIGNMENTS_MS = 100
GOAL_PICKER_MS = 100
# What an admin types: name and UPN prefixes, and a text only a contains query finds.
SEARCHES = ("s", "sanjay", "megan.b", "alex w", "nakamura", "zz-nobody")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database file (default: the large demo tenant)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from PySide6.QtCore import QEvent, QObject, QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication
    from peewee import fn

    from desktop.reports.access_packages import CURRENT_ASSIGNMENT_STATES
    from models import AccessPackage, Assignment, User
    from models.database import close_database, open_database
    from ui.app import configure_application, demo_database_path
    from ui.dialogs.download import Downloader
    from ui.dialogs.user_picker import UserPickerDialog
    from ui.main_window import default_administrator
    from ui.pages.access_packages import AccessPackagesPage
    from ui.pages.base import PageContext

    path = args.db or demo_database_path("large")
    if not path.exists():
        print(f"No database at {path}. Build the large demo first: entitlement-desk --demo --size large",
              file=sys.stderr)
        return 2

    app = QApplication.instance() or QApplication([])
    configure_application(app)
    # Column widths go to a scratch folder, never the real home.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="bench-settings-"))
    open_database(path, create=False)

    biggest_id, biggest_count = (Assignment
                                 .select(Assignment.access_package, fn.COUNT(Assignment.id))
                                 .where(Assignment.state.in_(CURRENT_ASSIGNMENT_STATES))
                                 .group_by(Assignment.access_package)
                                 .order_by(fn.COUNT(Assignment.id).desc()).limit(1).tuples().get())
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
    for _run in range(args.runs):
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
    for _run in range(args.runs):
        for text in SEARCHES:
            picker.search_edit.setText(text)  # starts the debounce; the measure starts when it fires
            searched.append(until_painted(picker.results.viewport(), picker.run_search))
            picker.search_edit.clear()
            picker.run_search()
            app.processEvents()
    QThreadPool.globalInstance().waitForDone()
    close_database()

    print(f"{path.name}: {users:,} users; biggest package {biggest.display_name!r} with "
          f"{biggest_count:,} current assignments; {args.runs} runs (median, min-max):")
    for label, values, goal in (("assignments to first painted rows", opened, GOAL_ASSIGNMENTS_MS),
                                (f"user picker search ({len(SEARCHES)} texts)", searched, GOAL_PICKER_MS)):
        median = statistics.median(values)
        print(f"  {label:<38} {median:7.1f} ms  ({min(values):.1f}-{max(values):.1f})  goal <= {goal} ms "
              f"{'ok' if median <= goal else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
