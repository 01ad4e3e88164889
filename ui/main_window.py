"""The main window: navigation as in the admin center's entitlement management, one page
per entry, the database and the acting administrator in the status bar."""
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog, QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QSplitter,
    QStackedWidget, QWidget,
)

from desktop.audit_chain import ChainReport, verify
from desktop.errors import DeskError
from desktop.importers import ImportSummary, import_files
from desktop.permissions import (
    IDENTITY_GOVERNANCE_ADMINISTRATOR, Action, administrators, roles_of, why_not,
)
from models import User
from models.database import DatabaseLocation
from ui.background import wait_for_reads
from ui.dialogs import messages
from ui.dialogs.download import Downloader
from ui.dialogs.user_picker import pick_user
from ui.jobs import Job, JobContext, run_with_progress
from ui.pages.access_packages import AccessPackagesPage
from ui.pages.audit_logs import AuditLogsPage
from ui.pages.base import Page, PageContext, unavailable_page
from ui.pages.changes import ChangesPage
from ui.pages.connected_organizations import ConnectedOrganizationsPage
from ui.pages.reports import ReportsPage
from ui.pages.requests import RequestsPage
from ui.pages.workbooks import WorkbooksPage


@dataclass(frozen=True)
class NavigationEntry:
    title: str
    action: Action
    build: Callable[[PageContext], Page]


NAVIGATION = (
    NavigationEntry("Access packages", Action.VIEW_ACCESS_PACKAGES, AccessPackagesPage),
    NavigationEntry("Reports", Action.VIEW_REPORTS, ReportsPage),
    NavigationEntry("Audit logs", Action.VIEW_AUDIT_LOG, AuditLogsPage),
    NavigationEntry("Connected organizations", Action.VIEW_CONNECTED_ORGANIZATIONS,
                    ConnectedOrganizationsPage),
    NavigationEntry("Workbooks", Action.VIEW_WORKBOOKS, WorkbooksPage),
    NavigationEntry("Requests", Action.MANAGE_REQUESTS, RequestsPage),
    NavigationEntry("Changes", Action.VIEW_REPORTS, ChangesPage),
)


def default_administrator() -> User | None:
    """The first Identity Governance Administrator by name, else the first other admin."""
    candidates = list(administrators())
    for user in candidates:
        if IDENTITY_GOVERNANCE_ADMINISTRATOR in roles_of(user):
            return user
    return candidates[0] if candidates else None


class MainWindow(QMainWindow):
    def __init__(self, location: DatabaseLocation, actor: User | None = None, switchable: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.location = location
        self.switchable = switchable
        self.setWindowTitle(f"Entitlement Desk — {location.describe()}")
        self.resize(1280, 800)
        self.downloader = Downloader(database=location.describe())
        self.actor = actor if actor is not None else default_administrator()
        self.downloader.actor = self.actor
        self._pages: dict[int, QWidget] = {}

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Navigation")
        for entry in NAVIGATION:
            QListWidgetItem(entry.title, self.navigation)
        self.navigation.setMinimumWidth(230)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([240, 1040])
        self.setCentralWidget(self.splitter)
        self.navigation.currentRowChanged.connect(self.show_page)

        self.row_status = QLabel()
        self.database_status = QLabel(f"Database: {location.describe()}")
        self.actor_status = QLabel()
        self.statusBar().addWidget(self.row_status, 1)
        self.statusBar().addPermanentWidget(self.database_status)
        self.statusBar().addPermanentWidget(self.actor_status)

        self._build_menus()
        self._update_actor_status()
        self._restore_state()

    # -- menus and shortcuts ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        refresh = file_menu.addAction("&Reload", self.reload_current_page)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        import_action = file_menu.addAction("&Import…", self.import_files)
        import_action.setShortcut(QKeySequence.StandardKey.Open)
        file_menu.addAction("&Verify audit log…", self.verify_audit_log)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit", self.close)
        # Some desktops define no standard Quit key; Ctrl+Q is what everyone expects there.
        quit_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
                                 or [QKeySequence("Ctrl+Q")])

        go_menu = self.menuBar().addMenu("&Go")
        for number, entry in enumerate(NAVIGATION):
            action = go_menu.addAction(entry.title)
            action.triggered.connect(lambda _checked=False, row=number: self.navigation.setCurrentRow(row))
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))

        self.account_menu = self.menuBar().addMenu("&Account")
        self.account_menu.aboutToShow.connect(self._fill_account_menu)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&About Entitlement Desk", self._about)

    def _fill_account_menu(self) -> None:
        """The administrators the app can act as, each with the roles that open its pages, and
        any other directory user (an approver deciding their own queue)."""
        self.account_menu.clear()
        if not self.switchable:
            self.account_menu.addAction(
                f"Acting as {self.actor.display_name}: this database login is bound to them").setEnabled(False)
            return
        self.account_menu.addSection("Act as")
        group = QActionGroup(self.account_menu)
        for user in administrators().limit(200):
            roles = ", ".join(sorted(roles_of(user)))
            action = self.account_menu.addAction(f"{user.display_name} — {roles}")
            action.setCheckable(True)
            action.setChecked(self.actor is not None and user.id == self.actor.id)
            action.setActionGroup(group)
            action.triggered.connect(lambda _checked=False, chosen=user: self.set_actor(chosen))
        if not group.actions():
            self.account_menu.addAction("No user in this database holds an administrator role").setEnabled(False)
        self.account_menu.addSeparator()
        self.account_menu.addAction("Act as another user…", self._act_as_picked_user)

    def _act_as_picked_user(self) -> None:
        match = pick_user(self, "Act as")
        if match is not None:
            self.set_actor(User.get_by_id(match.id))

    def import_files(self) -> Job | None:
        """Import Graph JSON and Entra audit downloads in the background; a summary at the end."""
        reason = why_not(self.actor, Action.IMPORT)
        if reason:
            messages.inform(self, "Import", reason, icon=messages.Icon.Warning)
            return None
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import", str(QSettings().value("import/folder") or Path.home()),
            "Microsoft Graph JSON or Entra audit-log downloads (*.json *.csv);;All files (*)")
        if not paths:
            return None
        QSettings().setValue("import/folder", str(Path(paths[0]).parent))

        def work(context: JobContext) -> ImportSummary:
            return import_files(paths, progress=lambda done, total: context.progress(done, total, "Importing…"),
                                cancelled=context.cancelled)

        job = run_with_progress(self, "Import", "Importing…", work)
        job.succeeded.connect(self._show_import_summary)
        job.failed.connect(lambda error: self._show_failure("Import", error))
        return job

    def _show_import_summary(self, summary: ImportSummary) -> None:
        lines = summary.lines()
        messages.inform(self, "Import finished", lines[0], details="\n".join(lines))
        self.set_actor(self.actor)  # every page reads the new data

    def verify_audit_log(self) -> Job | None:
        """Check the audit log's hash chain in the background and say what was tampered with."""
        reason = why_not(self.actor, Action.VIEW_AUDIT_LOG)
        if reason:
            messages.inform(self, "Verify audit log", reason, icon=messages.Icon.Warning)
            return None

        def work(context: JobContext) -> ChainReport:
            return verify(progress=lambda done, total: context.progress(done, total, "Checking the audit chain…"),
                          cancelled=context.cancelled)

        job = run_with_progress(self, "Verify audit log", "Checking the audit chain…", work)
        job.succeeded.connect(self._show_chain_report)
        job.failed.connect(lambda error: self._show_failure("Verify audit log", error))
        return job

    def _show_chain_report(self, report: ChainReport) -> None:
        if report.intact:
            messages.inform(self, "Audit log intact",
                            f"All {report.checked:,} audit records verify: none was changed, removed or "
                            "inserted since it was written.")
            return
        messages.inform(self, "Audit log tampered with",
                        f"{len(report.problems):,} problem(s) in {report.checked:,} records. The first:\n\n"
                        f"{report.problems[0].message}", icon=messages.Icon.Critical,
                        details="\n".join(problem.message for problem in report.problems))

    def _show_failure(self, title: str, error: BaseException) -> None:
        if isinstance(error, DeskError):
            messages.inform(self, title, str(error), icon=messages.Icon.Warning)
        else:
            sys.excepthook(type(error), error, error.__traceback__)

    def _about(self) -> None:
        QMessageBox.about(self, "About Entitlement Desk",
                          "Entitlement Desk\n\nReports, audit logs and spreadsheets for Microsoft Entra "
                          "entitlement management, offline.\n\n"
                          f"Database: {self.location.describe()}")

    # -- acting administrator and pages ---------------------------------------------------------------
    def set_actor(self, user: User | None) -> None:
        """Act as another administrator: every page is rebuilt for their roles."""
        self.actor = user
        self.downloader.actor = user
        self._update_actor_status()
        current = self.navigation.currentRow()
        for page in self._pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        self.show_page(current)

    def _update_actor_status(self) -> None:
        if self.actor is None:
            self.actor_status.setText("Signed in as: nobody (no administrator in this database)")
        else:
            self.actor_status.setText(f"Signed in as: {self.actor.display_name} ({self.actor.user_principal_name})")

    def page_context(self) -> PageContext:
        return PageContext(actor=self.actor, downloader=self.downloader)

    def page(self, row: int) -> QWidget:
        """The page of navigation entry `row`, built on first use."""
        if row not in self._pages:
            entry = NAVIGATION[row]
            reason = why_not(self.actor, entry.action)
            context = self.page_context()
            page = unavailable_page(context, entry.title, reason) if reason else entry.build(context)
            page.status_changed.connect(lambda text, shown=page: self._page_status(shown, text))
            self._pages[row] = page
            self.stack.addWidget(page)
        return self._pages[row]

    def show_page(self, row: int) -> None:
        if not 0 <= row < len(NAVIGATION):
            return
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)  # comes back here through currentRowChanged
            return
        page = self.page(row)
        self.stack.setCurrentWidget(page)
        self.row_status.setText(page.current_status())

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def _page_status(self, page: QWidget, text: str) -> None:
        if page is self.stack.currentWidget():
            self.row_status.setText(text)

    def reload_current_page(self) -> None:
        page = self.current_page()
        if isinstance(page, Page):
            page.reload()

    # -- window state -------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        last_page = settings.value("window/page", 0, type=int)
        self.navigation.setCurrentRow(last_page if 0 <= last_page < len(NAVIGATION) else 0)

    def save_state(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/page", self.navigation.currentRow())
        for page in self._pages.values():
            save = getattr(page, "save_state", None)
            if save is not None:
                save()

    def closeEvent(self, event) -> None:
        self.save_state()
        self.downloader.cancel_running()
        QThreadPool.globalInstance().waitForDone()
        wait_for_reads()
        super().closeEvent(event)
