"""The main window: navigation as in the admin center's entitlement management, one page
per entry, the database and the acting user in the status bar; an empty database opens on the
welcome page."""

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from desktop.audit_chain import ChainReport, verify
from desktop.errors import DeskError
from desktop.graph.connection import account_status, connected_tenant, tenant_actor
from desktop.graph.plan import syncable_kinds
from desktop.graph.sync import SyncOutcome
from desktop.import_guard import guarded_import
from desktop.importers import ImportProblems, ImportSummary, import_files
from desktop.permissions import (
    Action,
    why_not,
)
from desktop.session import resolve_actor
from models import User
from models.database import DatabaseLocation, open_database
from ui.account_menu import AccountMenu
from ui.background import wait_for_reads
from ui.demo_builder import DemoBuild, demo_database_path
from ui.dialogs import messages
from ui.dialogs.about import show_about
from ui.dialogs.download import Downloader
from ui.dialogs.import_problems import ImportProblemsDialog
from ui.dialogs.sign_in import Account
from ui.dialogs.sync import SyncHistoryDialog, start_sync
from ui.jobs import Job, JobContext, run_with_progress
from ui.navigation import NAVIGATION, NAVIGATION_REFUSAL_ROLE, default_administrator, holds_no_tenant
from ui.operations import IMPORT_CHANGES, run_operation, show_failure, wait_for_writes
from ui.pages.base import Page, PageContext, unavailable_page
from ui.pages.welcome import WelcomePage
from ui.recent_databases import forget, recent_databases, remember, target_of
from ui.times import time_display
from ui.times_menu import TimesMenu


class MainWindow(QMainWindow):
    def __init__(
        self,
        location: DatabaseLocation,
        actor: User | None = None,
        switchable: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.location = location
        self.switchable = switchable
        self.resize(1280, 800)
        time_display().load()
        self.downloader = Downloader(database=location.describe())
        self.account = Account(self, lambda title, error: show_failure(self, title, error))
        self.account.signed_in_changed.connect(self._account_changed)
        # Connected to a tenant, the app acts as the signed-in user; "act as" is for simulations.
        self.connected = connected_tenant() is not None
        if self.connected and switchable:
            actor = tenant_actor(None)
        self.actor = actor if actor is not None or self.connected else default_administrator()
        self.downloader.actor = self.actor
        self._pages: dict[int, QWidget] = {}
        self.demo_build: DemoBuild | None = None

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Navigation")
        for entry in NAVIGATION:
            QListWidgetItem(entry.title, self.navigation)
        self.navigation.setMinimumWidth(230)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.welcome = WelcomePage(location.describe())
        self.welcome.import_requested.connect(self.import_files)
        self.welcome.demo_requested.connect(self.open_demo)
        self.welcome.open_requested.connect(self.choose_database)
        self.welcome.recent_chosen.connect(self.switch_database)
        self.stack.addWidget(self.welcome)
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
        self.database_status = QLabel()
        self.actor_status = QLabel()
        self.statusBar().addWidget(self.row_status, 1)
        self.statusBar().addPermanentWidget(self.database_status)
        self.statusBar().addPermanentWidget(self.actor_status)

        self._build_menus()
        self.welcome.set_sign_in_action(self.sign_in_action)
        self._show_database()
        self._update_actor_status()
        self._mark_navigation()
        self._restore_state()

    # -- menus and shortcuts ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_database_action = file_menu.addAction("&Open database…", self.choose_database)
        open_database_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction("Open the &demo tenant", self.open_demo)
        file_menu.addSeparator()
        refresh = file_menu.addAction("&Reload", self.reload_current_page)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        import_action = file_menu.addAction("&Import…", self.import_files)
        import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.skip_invalid_action = file_menu.addAction("&Skip Invalid Records When Importing")
        self.skip_invalid_action.setCheckable(True)
        self.skip_invalid_action.setToolTip(
            "Import the valid records and list the others; unchecked, one invalid "
            "record stops the import and every problem is listed"
        )
        file_menu.addAction("&Verify audit log…", self.verify_audit_log)
        file_menu.addSeparator()
        self.sign_in_action = file_menu.addAction("Sign &in to Microsoft Entra…", self.sign_in)
        self.sign_out_action = file_menu.addAction("Sign &out", self.account.sign_out)
        self.sign_out_action.setEnabled(False)
        self.sync_action = file_menu.addAction("&Sync now", self.sync_now)
        self.sync_history_action = file_menu.addAction("Sync &history…", self.show_sync_history)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit", self.close)
        # Some desktops define no standard Quit key; Ctrl+Q is what everyone expects there.
        quit_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")])

        go_menu = self.menuBar().addMenu("&Go")
        for number, entry in enumerate(NAVIGATION):
            action = go_menu.addAction(entry.title)
            action.triggered.connect(lambda _checked=False, row=number: self.navigation.setCurrentRow(row))
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addMenu(TimesMenu(view_menu))

        self.account_menu = AccountMenu(self, self.sign_in_action, self.sign_out_action)
        self.menuBar().addMenu(self.account_menu)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&About Entitlement Desk", lambda: show_about(self, self.location))

    def import_refusal(self) -> str | None:
        """Why the acting user may not import; an empty database takes an import from whoever
        opened it (as the CLI does), or nobody could ever bring a tenant in."""
        if self.switchable and holds_no_tenant():
            return None
        return why_not(self.actor, Action.IMPORT)

    def import_files(self) -> Job | None:
        """Import Graph JSON and Entra audit downloads in the background; a summary at the end."""
        reason = self.import_refusal()
        if reason:
            messages.inform(self, "Import", reason, icon=messages.Icon.Warning)
            return None
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Import",
            str(QSettings().value("import/folder") or Path.home()),
            "Microsoft Graph JSON or Entra audit-log downloads (*.json *.csv);;All files (*)",
        )
        if not paths:
            return None
        QSettings().setValue("import/folder", str(Path(paths[0]).parent))

        actor = self.actor
        skip_invalid = self.skip_invalid_action.isChecked()

        def work(context: JobContext) -> ImportSummary:
            return guarded_import(
                actor,
                [Path(path).name for path in paths],
                lambda: import_files(
                    paths,
                    progress=lambda done, total: context.progress(done, total, "Importing…"),
                    cancelled=context.cancelled,
                    skip_invalid=skip_invalid,
                ),
            )

        return run_operation(
            self,
            "Import",
            work,
            changes=IMPORT_CHANGES,
            on_success=self._show_import_summary,
            on_failure=self._show_import_failure,
            progress="Importing…",
        )

    # -- Microsoft Entra: sign-in and sync -----------------------------------------------------------
    def sign_in(self) -> Job | None:
        return self.account.sign_in()

    def _account_changed(self) -> None:
        signed_in = self.account.signed_in
        self.sign_out_action.setEnabled(signed_in is not None)
        self.connected = connected_tenant() is not None
        if self.connected:
            self.set_actor(tenant_actor(signed_in))
        else:
            self._update_actor_status()  # a simulation stays one until a sync connects the database

    def sync_now(self) -> Job | None:
        """Sign in first when needed, then sync off the UI thread with progress per kind."""
        if self.account.signed_in is None:
            job = self.sign_in()
            if job is not None:
                job.succeeded.connect(lambda _identity: self.sync_now())
            return job
        job, self.sync_dialog = start_sync(self, self.account.session(), list(syncable_kinds()))
        job.succeeded.connect(self._synced)
        job.cancelled.connect(
            lambda: messages.inform(self, "Sync cancelled", "The sync was cancelled; nothing was written.")
        )
        job.failed.connect(lambda error: show_failure(self, "Sync", error))
        return job

    def _synced(self, outcome: SyncOutcome) -> None:
        lines = outcome.summary.lines()[1:]
        messages.inform(
            self,
            "Sync finished",
            f"{outcome.identity.status()}: a {outcome.run.mode} sync of {sum(outcome.fetched.values()):,} records.",
            details="\n".join(lines),
        )
        self.connected = True
        self.set_actor(tenant_actor(self.account.signed_in))

    def show_sync_history(self) -> None:
        SyncHistoryDialog(self).exec()

    def _show_import_summary(self, summary: ImportSummary) -> None:
        if self.stack.currentWidget() is self.welcome:
            # The first tenant came in: act as its administrator and show its pages.
            self.set_actor(self.actor if self.actor is not None else default_administrator())
        lines = summary.lines()
        if summary.invalid_total:
            ImportProblemsDialog(self, "Import finished; invalid records skipped", lines).exec()
        else:
            messages.inform(self, "Import finished", lines[0], details="\n".join(lines))

    def _show_import_failure(self, error: BaseException) -> None:
        if isinstance(error, ImportProblems) and error.total > 1:
            ImportProblemsDialog(self, "Import refused", str(error).splitlines()).exec()
        else:
            show_failure(self, "Import", error)

    def verify_audit_log(self) -> Job | None:
        """Check the audit log's hash chain in the background and say what was tampered with."""
        reason = why_not(self.actor, Action.VIEW_AUDIT_LOG)
        if reason:
            messages.inform(self, "Verify audit log", reason, icon=messages.Icon.Warning)
            return None

        def work(context: JobContext) -> ChainReport:
            return verify(
                progress=lambda done, total: context.progress(done, total, "Checking the audit chain…"),
                cancelled=context.cancelled,
            )

        job = run_with_progress(self, "Verify audit log", "Checking the audit chain…", work)
        job.succeeded.connect(self._show_chain_report)
        job.failed.connect(lambda error: show_failure(self, "Verify audit log", error, retry=self.verify_audit_log))
        return job

    def _show_chain_report(self, report: ChainReport) -> None:
        if report.intact:
            messages.inform(
                self,
                "Audit log intact",
                f"All {report.checked:,} audit records verify: none was changed, removed or "
                "inserted since it was written.",
            )
            return
        messages.inform(
            self,
            "Audit log tampered with",
            f"{len(report.problems):,} problem(s) in {report.checked:,} records. The first:\n\n"
            f"{report.problems[0].message}",
            icon=messages.Icon.Critical,
            details="\n".join(problem.message for problem in report.problems),
        )

    # -- acting administrator and pages ---------------------------------------------------------------
    def set_actor(self, user: User | None) -> None:
        """Act as another administrator: every page is rebuilt for their roles."""
        self.actor = user
        self.downloader.actor = user
        self._update_actor_status()
        self._mark_navigation()
        current = max(0, self.navigation.currentRow())
        for page in self._pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        self.show_page(current)

    def _update_actor_status(self) -> None:
        self.actor_status.setText(account_status(self.account.signed_in, self.actor))

    def _mark_navigation(self) -> None:
        """Pages the acting user cannot open are greyed, with the reason as their tooltip."""
        dimmed = self.navigation.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for row, entry in enumerate(NAVIGATION):
            item = self.navigation.item(row)
            reason = entry.why_not(self.actor)
            item.setData(NAVIGATION_REFUSAL_ROLE, reason)
            item.setToolTip(f"Not available: {reason}" if reason else "")
            item.setData(Qt.ItemDataRole.ForegroundRole, dimmed if reason else None)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, f"Not available: {reason}" if reason else "")

    def page_context(self) -> PageContext:
        return PageContext(actor=self.actor, downloader=self.downloader)

    def page(self, row: int) -> QWidget:
        """The page of navigation entry `row`, built on first use."""
        if row not in self._pages:
            entry = NAVIGATION[row]
            reason = entry.why_not(self.actor)
            context = self.page_context()
            page = unavailable_page(context, entry.title, reason) if reason else entry.build(context)
            page.status_changed.connect(lambda text, shown=page: self._page_status(shown, text))
            self._pages[row] = page
            self.stack.addWidget(page)
        return self._pages[row]

    def show_page(self, row: int) -> None:
        if holds_no_tenant():
            self._show_welcome()
            return
        self.navigation.setEnabled(True)
        if not 0 <= row < len(NAVIGATION):
            return
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)  # comes back here through currentRowChanged
            return
        page = self.page(row)
        self.stack.setCurrentWidget(page)
        self.row_status.setText(page.current_status())

    def _show_welcome(self) -> None:
        self.welcome.set_database(self.location.describe())
        self.welcome.set_recent(recent_databases(), target_of(self.location))
        self.stack.setCurrentWidget(self.welcome)
        self.navigation.setEnabled(False)  # every page would only say the database is empty
        self.navigation.blockSignals(True)
        self.navigation.setCurrentRow(-1)
        self.navigation.blockSignals(False)
        self.row_status.setText("")

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def _page_status(self, page: QWidget, text: str) -> None:
        if page is self.stack.currentWidget():
            self.row_status.setText(text)

    def reload_current_page(self) -> None:
        page = self.current_page()
        if isinstance(page, Page):
            page.reload()

    # -- the database ------------------------------------------------------------------------------
    def _show_database(self) -> None:
        # The window system adds the application's name; the title names the database only.
        self.setWindowTitle(self.location.describe())
        self.database_status.setText(f"Database: {self.location.describe()}")
        self.downloader.database = self.location.describe()
        remember(self.location)

    def choose_database(self) -> None:
        folder = str(self.location.path.parent) if self.location.kind == "sqlite" else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Open database", folder, "Entitlement Desk databases (*.db *.sqlite *.sqlite3);;All files (*)"
        )
        if path:
            self.switch_database(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        current = target_of(self.location)
        for target in recent_databases():
            action = self.recent_menu.addAction(target, lambda chosen=target: self.switch_database(chosen))
            action.setEnabled(target != current)
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent databases").setEnabled(False)

    def _finish_background_work(self) -> None:
        self.downloader.cancel_running()
        QThreadPool.globalInstance().waitForDone()
        wait_for_writes()
        wait_for_reads()

    def switch_database(self, target: str | Path) -> bool:
        """Open another database in this window; one that cannot be opened leaves the current one."""
        previous = target_of(self.location) if self.location.kind == "sqlite" else self.location.url
        self.save_state()
        self._finish_background_work()
        try:
            location = open_database(target)
            bound = resolve_actor(None)
        except DeskError as error:
            open_database(previous)
            if not Path(str(target)).exists() and "://" not in str(target):
                forget(str(target))
            messages.inform(self, "Cannot open the database", str(error), icon=messages.Icon.Critical)
            return False
        self.location = location
        self.switchable = bound is None
        self._show_database()
        self.set_actor(bound if bound is not None else default_administrator())
        return True

    def open_demo(self) -> None:
        """Open the demo tenant, building it first (in the background) when it does not exist yet."""
        target = demo_database_path("small")
        if target.exists():
            self.switch_database(target)
            return
        previous = target_of(self.location) if self.location.kind == "sqlite" else self.location.url
        self.save_state()
        self._finish_background_work()
        self.demo_build = DemoBuild(target, "small", self)
        self.demo_build.built.connect(self.switch_database)
        self.demo_build.cancelled.connect(lambda: open_database(previous))

        def failed(error: BaseException) -> None:
            open_database(previous)
            show_failure(self, "Cannot build the demo tenant", error)

        self.demo_build.failed.connect(failed)
        self.demo_build.start()

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
        self._finish_background_work()
        super().closeEvent(event)
