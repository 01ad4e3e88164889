"""Screenshots of a report as of a past moment for a user deleted since: the user picker offering
them marked "deleted <date>", and the Reports page's Can request and Assigned tabs as of then.
From a small demo tenant with its history, in which an import has since found that user gone.

    python docs/screenshots/take_history.py [--out docs/screenshots]

Runs in a temporary folder (database and settings); nothing touches the real home.
"""
import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ANCHOR = datetime(2026, 3, 2, tzinfo=timezone.utc)  # "now" in the demo: history ends here
HISTORY_DAYS = 120
DELETED = ANCHOR - timedelta(days=10)  # when the import first saw the user gone
AS_OF = ANCHOR - timedelta(days=30)
SIZE = (1280, 800)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="entitlement-desk-shots-"))

    from PySide6.QtCore import QSettings, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.demo import build_demo
    from desktop.demo_history import generate_history
    from desktop.directory import search_users
    from desktop.reports.user_packages import AssignedPackagesReport
    from models import User, db
    from models.change_context import clear_change_context, set_change_context
    from models.database import open_database
    from ui.app import configure_application
    from ui.background import wait_for_reads
    from ui.dialogs.user_picker import UserPickerDialog
    from ui.main_window import MainWindow
    from ui.navigation import NAVIGATION

    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch / "settings"))

    location = open_database(scratch / "demo.db")
    print("building the small demo tenant and its history…", flush=True)
    build_demo("small", now=ANCHOR)
    generate_history(random.Random(7), "small", ANCHOR - timedelta(days=HISTORY_DAYS), ANCHOR)

    # A member who held several packages a month ago; an import ten days ago found them gone.
    gone = max(
        (user for user in User.select().where(User.user_type == "Member").limit(400)),
        key=lambda user: (AssignedPackagesReport(user, as_of=AS_OF).count(), user.id),
    )
    with db.atomic():
        set_change_context("import", at=DELETED)
        User.update(deleted_date_time=DELETED).where(User.id == gone.id).execute()
        clear_change_context()
    gone = User.get_by_id(gone.id)

    def settle() -> None:
        """Let layouts, paints and background reads finish."""
        for _ in range(20):
            app.processEvents()
            time.sleep(0.01)
        QThreadPool.globalInstance().waitForDone()
        wait_for_reads()
        for _ in range(5):
            app.processEvents()

    def shoot(widget, name: str) -> None:
        settle()
        path = args.out / name
        image = widget.grab()
        image.save(str(path))
        print(f"saved {path} ({image.width()}x{image.height()}, {app.platformName()})", flush=True)

    window = MainWindow(location)
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    window.show_page([entry.title for entry in NAVIGATION].index("Reports"))
    reports = window.current_page()
    reports.as_of.set_moment(AS_OF)

    picker = UserPickerDialog(
        window, search=lambda text, limit: search_users(text, limit, deleted_after=reports.as_of.moment())
    )
    picker.resize(1000, 460)
    picker.show()
    picker.search_edit.setText(gone.display_name.split()[0].lower())
    picker.run_search()
    shoot(picker, "user-picker-deleted-user.png")
    picker.close()

    reports.select_user(gone)
    reports.can_request_view.header.resizeSection(0, 220)
    reports.can_request_view.select_row(0)
    shoot(window, "report-as-of-deleted-user.png")
    reports.package_tabs.setCurrentIndex(1)
    reports.assigned_view.select_row(0)
    shoot(window, "report-as-of-deleted-user-assigned.png")

    window.close()
    QTimer.singleShot(0, app.quit)
    app.exec()


if __name__ == "__main__":
    main()
