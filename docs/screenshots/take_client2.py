"""Screenshots of the audit log (with its details pane), a request's timeline, both workbooks
with their charts, and the requests page, from a small demo tenant with months of history.

    python docs/screenshots/take_client2.py [--out docs/screenshots]

Runs offscreen in a temporary folder (database and settings); nothing touches the real home.
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
SIZE = (1280, 800)  # the smallest screen the app is made for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="entitlement-desk-shots-"))

    from PySide6.QtCore import QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication

    from desktop.clock import FixedClock
    from desktop.demo import build_demo
    from desktop.demo_history import generate_history
    from desktop.lifecycle import Lifecycle
    from desktop.permissions import GLOBAL_ADMINISTRATOR, IDENTITY_GOVERNANCE_ADMINISTRATOR
    from models import ApprovalDecision, AssignmentRequest, DirectoryRole, DirectoryRoleAssignment, User
    from models.database import close_database, open_database
    from ui.app import configure_application
    from ui.dialogs.download import Downloader
    from ui.dialogs.request_timeline import open_request_timeline
    from ui.pages.audit_logs import AuditLogsPage
    from ui.pages.base import PageContext
    from ui.pages.requests import RequestsPage
    from ui.pages.workbooks import WorkbooksPage

    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch / "settings"))

    location = open_database(scratch / "demo.db")
    print("building the small demo tenant and its history…", flush=True)
    build_demo("small", now=ANCHOR)
    generate_history(random.Random(7), "small", ANCHOR - timedelta(days=HISTORY_DAYS), ANCHOR)
    clock = FixedClock(ANCHOR)
    lifecycle = Lifecycle(clock)
    def holder(role: str) -> User:
        """The first user by name holding `role` (demo names can repeat; roles pick the admin)."""
        return (User.select().join(DirectoryRoleAssignment, on=DirectoryRoleAssignment.principal == User.id)
                .join(DirectoryRole).where(DirectoryRole.display_name == role)
                .order_by(User.display_name_key, User.id).get())

    governance = holder(IDENTITY_GOVERNANCE_ADMINISTRATOR)
    global_admin = holder(GLOBAL_ADMINISTRATOR)

    def context(actor) -> PageContext:
        downloader = Downloader(database=location.describe())
        downloader.actor = actor
        return PageContext(actor=actor, downloader=downloader)

    def settle(busy=lambda: False) -> None:
        """Let layouts, paints and background reads finish."""
        for _ in range(400):
            app.processEvents()
            if not busy():
                break
            time.sleep(0.02)
        QThreadPool.globalInstance().waitForDone()
        for _ in range(5):
            app.processEvents()

    def shoot(widget, name: str) -> None:
        settle()
        path = args.out / name
        widget.grab().save(str(path))
        print(f"saved {path}")

    # Audit log, a multi-stage approval selected
    audit = AuditLogsPage(context(governance), clock=clock)
    audit.resize(*SIZE)
    audit.show()
    settle(audit.choices_loading)
    audit.category.setCurrentText("EntitlementManagement")
    settle(audit.choices_loading)
    audit.activity.setCurrentText("Approval stage completed for access package assignment request")
    audit.apply_button.click()
    audit.view.select_row(0)
    shoot(audit, "audit-logs.png")

    # The timeline of a request decided in two stages
    decided = (AssignmentRequest.select().join(ApprovalDecision)
               .where((AssignmentRequest.state == "delivered") & (ApprovalDecision.stage_number == 2))
               .order_by(AssignmentRequest.created_date_time.desc()).first())
    timeline = open_request_timeline(audit, decided.id, governance, lifecycle)
    shoot(timeline, "request-timeline.png")
    timeline.close()

    # Workbooks, as a Global Administrator
    workbooks = WorkbooksPage(context(global_admin), clock=clock)
    workbooks.resize(*SIZE)
    workbooks.show()
    settle(workbooks.loading)
    packages = workbooks.package_activity
    packages.chooser.setCurrentIndex(0)
    settle(workbooks.loading)
    shoot(workbooks, "workbook-package-activity.png")
    workbooks.tabs.setCurrentIndex(1)
    apps = workbooks.app_role_activity
    apps.chooser.setCurrentIndex(1)
    settle(workbooks.loading)
    shoot(workbooks, "workbook-app-role-activity.png")

    # Requests: the governance admin's queue, then every request
    requests = RequestsPage(context(governance), lifecycle=lifecycle)
    requests.resize(*SIZE)
    requests.show()
    requests.pending_view.select_row(0)
    shoot(requests, "requests-pending.png")
    requests.tabs.setCurrentIndex(1)
    requests.requests_view.select_row(0)
    shoot(requests, "requests-all.png")

    for widget in (audit, workbooks, requests):
        widget.close()
    settle()
    close_database()


if __name__ == "__main__":
    main()
