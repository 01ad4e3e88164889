"""Every page at 1280×800 in a light and a dark palette, in a time zone other than UTC, for
review before a release (not the README's pictures): the welcome page, each navigation page
with a row selected, the audit record's details, a request's timeline, the decision dialog.

    TZ=Asia/Kolkata python docs/screenshots/take_review.py --out /tmp/review [--scale 1.5]

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

ANCHOR = datetime(2026, 3, 2, tzinfo=timezone.utc)
HISTORY_DAYS = 120
SIZE = (1280, 800)


def dark_palette():
    """A dark scheme as a desktop in dark mode gives Fusion."""
    from PySide6.QtGui import QColor, QPalette
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.Mid: "#4a4a4a", QPalette.ColorRole.Link: "#6ea8ff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--schemes", default="light,dark")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="entitlement-desk-review-"))

    from PySide6.QtCore import QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication

    from desktop.demo import build_demo
    from desktop.lifecycle import Lifecycle
    from desktop.demo_history import generate_history
    from models import AssignmentRequest
    from models.database import open_database
    from ui.app import configure_application
    from ui.background import wait_for_reads
    from ui.dialogs.decision import DecisionDialog
    from ui.dialogs.request_timeline import RequestTimelineDialog
    from desktop.permissions import GLOBAL_ADMINISTRATOR, administrators, roles_of
    from ui.main_window import MainWindow
    from ui.navigation import NAVIGATION

    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch / "settings"))
    light = app.palette()

    def settle() -> None:
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
        widget.grab().save(str(path))
        print(f"saved {path} ({widget.width()}x{widget.height()})", flush=True)

    empty = open_database(scratch / "empty.db")
    for scheme in args.schemes.split(","):
        app.setPalette(dark_palette() if scheme == "dark" else light)
        window = MainWindow(empty)
        window.resize(*SIZE)
        window.show()
        shoot(window, f"{scheme}-welcome.png")
        window.close()

    location = open_database(scratch / "demo.db")
    build_demo("small", now=ANCHOR)
    generate_history(random.Random(7), "small", ANCHOR - timedelta(days=HISTORY_DAYS), ANCHOR)
    pending = AssignmentRequest.select().where(AssignmentRequest.state == "pendingApproval").first()

    for scheme in args.schemes.split(","):
        app.setPalette(dark_palette() if scheme == "dark" else light)
        window = MainWindow(location)
        window.resize(*SIZE)
        window.show()
        for row, entry in enumerate(NAVIGATION):
            window.show_page(row)
            page = window.current_page()
            settle()
            for view_name in ("list_view", "view", "pending_view"):
                view = getattr(page, view_name, None)
                if view is not None and hasattr(view, "select_row") and view.model.rowCount():
                    view.select_row(0)
                    break
            shoot(window, f"{scheme}-{row + 1}-{entry.title.lower().replace(' ', '-')}.png")
            if window.width() != SIZE[0]:
                print(f"WARNING: {entry.title} widened the window to {window.width()} px", flush=True)
        # The workbooks and a package's assignments, as an administrator who may open them.
        window.set_actor(next(user for user in administrators() if GLOBAL_ADMINISTRATOR in roles_of(user)))
        window.show_page([entry.title for entry in NAVIGATION].index("Workbooks"))
        workbooks = window.current_page()
        settle()
        workbooks.package_activity.chooser.setCurrentIndex(0)
        shoot(window, f"{scheme}-5-workbooks-package-activity.png")
        workbooks.tabs.setCurrentIndex(1)
        shoot(window, f"{scheme}-5-workbooks-app-role-activity.png")
        window.show_page(0)
        window.current_page().open_row(0)
        shoot(window, f"{scheme}-1-package-assignments.png")
        if pending is not None:
            lifecycle = Lifecycle()
            timeline = RequestTimelineDialog(pending.id, window.actor, lifecycle, window)
            timeline.resize(1100, 640)
            timeline.show()
            shoot(timeline, f"{scheme}-timeline.png")
            timeline.close()
            decision = DecisionDialog(lifecycle, window.actor, pending, True, window)
            decision.show()
            shoot(decision, f"{scheme}-decision.png")
            decision.close()
        window.close()
    app.quit()


if __name__ == "__main__":
    main()
