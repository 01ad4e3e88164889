"""Screenshots of a report as of a past moment for a user deleted since: the user picker offering
them marked "deleted <date>", and the Reports page's Can request and Assigned tabs as of then.
From a small demo tenant with its history, in which an import has since found that user gone.

    python docs/screenshots/take_history.py [--out docs/screenshots]

Runs in a temporary folder (database and settings); nothing touches the real home.
"""
import argparse
from datetime import timedelta
from pathlib import Path

from studio import ANCHOR, SIZE, Studio

DELETED = ANCHOR - timedelta(days=10)  # when the import first saw the user gone
AS_OF = ANCHOR - timedelta(days=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    studio = Studio(args.out)
    app, shoot = studio.app, studio.shoot

    from PySide6.QtCore import QTimer

    from desktop.directory import search_users
    from desktop.reports.user_packages import AssignedPackagesReport
    from models import User, db
    from models.change_context import clear_change_context, set_change_context
    from ui.dialogs.user_picker import UserPickerDialog
    from ui.main_window import MainWindow
    from ui.navigation import NAVIGATION

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

    window = MainWindow(studio.location)
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
