"""Screenshots of the Qt client I pages: an empty database's welcome page, the main window,
access packages, a package's assignments, the user picker, both reports for a user, connected organizations, and a
page the acting administrator may not use. From a small demo tenant with its history.

    python docs/screenshots/take.py [--out docs/screenshots]
    # the main window as a real X window (for the README):
    Xvfb :99 & QT_QPA_PLATFORM=xcb DISPLAY=:99 python docs/screenshots/take.py

Runs in a temporary folder (database and settings); nothing touches the real home.
"""
import argparse
from pathlib import Path

from studio import ANCHOR, SIZE, Studio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    studio = Studio(args.out)
    app, scratch, shoot = studio.app, studio.scratch, studio.shoot

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QAbstractItemView

    from desktop.clock import FixedClock
    from desktop.errors import DeskError
    from desktop.lifecycle import Lifecycle
    from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR, REPORTS_READER
    from models import (AccessPackage, Assignment, DirectoryRole, DirectoryRoleAssignment, ResourceRole,
                        ResourceRoleAssignment, ResourceRoleScope, User)
    from models.database import open_database
    from peewee import fn
    from ui.dialogs.user_picker import UserPickerDialog
    from ui.main_window import MainWindow

    # First run: an empty database opens on the welcome page.
    empty = open_database(scratch / "entitlement-desk.db")
    welcome = MainWindow(empty)
    welcome.resize(*SIZE)
    welcome.show()
    shoot(welcome, "welcome.png")
    welcome.close()
    location = open_database(scratch / "demo.db")

    window = MainWindow(location)
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    window.show_page(0)
    packages = window.current_page()
    packages.list_view.header.resizeSection(0, 230)
    packages.list_view.header.resizeSection(2, 430)
    packages.list_view.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # most assigned first
    packages.list_view.select_row(0)
    shoot(window, "main-window.png", whole_screen=True)
    shoot(window, "access-packages.png")

    packages.open_row(0)
    packages.state_filter.setCurrentText("All")
    packages.assignments_view.select_row(2)
    shoot(window, "package-assignments.png")

    # A user with resources from two packages: the report's expandable rows.
    busiest = (User.select(User, fn.COUNT(ResourceRoleAssignment.id).alias("roles"))
               .join(ResourceRoleAssignment, on=ResourceRoleAssignment.target == User.id)
               .join(Assignment, on=ResourceRoleAssignment.assignment == Assignment.id)
               .where(ResourceRoleAssignment.status != "Removed")
               .group_by(User.id).order_by(fn.COUNT(fn.DISTINCT(Assignment.access_package)).desc(), User.id)
               .first())
    window.show_page(1)
    reports = window.current_page()

    picker = UserPickerDialog(window)
    picker.resize(1000, 460)
    picker.show()
    picker.search_edit.setText(busiest.display_name.split()[0][:4].lower())
    picker.run_search()
    shoot(picker, "user-picker.png")
    picker.close()

    reports.select_user(busiest)
    reports.can_request_view.header.resizeSection(0, 220)
    reports.can_request_view.select_row(0)
    shoot(window, "report-can-request.png")
    reports.package_tabs.setCurrentIndex(1)
    reports.assigned_view.select_row(0)
    shoot(window, "report-assigned.png")
    # The resources tree's three levels: the user also gets, directly, the other packages that
    # give roles on the resource most packages share (resource → role → packages).
    shared = (ResourceRole.select(ResourceRole.resource)
              .join(ResourceRoleScope, on=ResourceRoleScope.role == ResourceRole.id)
              .group_by(ResourceRole.resource)
              .order_by(fn.COUNT(fn.DISTINCT(ResourceRoleScope.access_package)).desc(), ResourceRole.resource)
              .first().resource_id)
    packages = (AccessPackage.select().distinct()
                .join(ResourceRoleScope, on=ResourceRoleScope.access_package == AccessPackage.id)
                .join(ResourceRole, on=ResourceRoleScope.role == ResourceRole.id)
                .where(ResourceRole.resource == shared).order_by(AccessPackage.display_name))
    governor = (User.select().join(DirectoryRoleAssignment, on=DirectoryRoleAssignment.principal == User.id)
                .join(DirectoryRole).where(DirectoryRole.display_name == IDENTITY_GOVERNANCE_ADMINISTRATOR).first())
    lifecycle = Lifecycle(FixedClock(ANCHOR))
    for package in packages:
        try:
            lifecycle.assign(governor, busiest, package, package.policies.first())
        except DeskError:
            pass  # already assigned, or incompatible with what the user holds
    reports.select_user(busiest)
    reports.report_tabs.setCurrentIndex(1)
    tree = reports.resources_view
    tree.view.expandAll()
    model = tree.model
    deepest = next((model.index(row, 0) for row in range(model.rowCount())
                    if any(model.rowCount(model.index(child, 0, model.index(row, 0)))
                           for child in range(model.rowCount(model.index(row, 0))))), model.index(0, 0))
    tree.view.scrollTo(deepest, QAbstractItemView.ScrollHint.PositionAtTop)
    shoot(window, "report-resource-assignments.png")

    window.show_page(3)
    shoot(window, "connected-organizations.png")

    # A Reports Reader acting: Access packages shows why it is unavailable.
    reader = (User.select().join(DirectoryRoleAssignment, on=DirectoryRoleAssignment.principal == User.id)
              .join(DirectoryRole).where(DirectoryRole.display_name == REPORTS_READER).first())
    if reader is not None:
        window.set_actor(reader)
        window.show_page(0)
        shoot(window, "unavailable-page.png")

    window.close()
    QTimer.singleShot(0, app.quit)
    app.exec()


if __name__ == "__main__":
    main()
