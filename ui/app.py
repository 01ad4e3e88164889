"""`entitlement-desk`: the Qt client's entry point.

`--db PATH|URL` means what it means for the CLI. `--demo` opens the demo tenant, a
`demo.db` beside the default database, building it first (directory and request history,
in the background, with a progress dialog) when it does not exist yet. A database that cannot be opened is a dialog
with the reason; an unexpected exception is the crash dialog, never a bare traceback.
"""

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop.demo import SIZES
from desktop.errors import DeskError
from desktop.session import resolve_actor
from models.database import ENV_VARIABLE, close_database, open_database
from ui import resources
from ui.dialogs import messages
from ui.dialogs.crash import CrashReporter
from ui.demo_builder import DemoBuild, demo_database_path
from ui.main_window import MainWindow
from ui.operations import show_failure, wait_for_writes

ORGANIZATION = "EntitlementDesk"
APPLICATION = "Entitlement Desk"
EXIT_CANNOT_OPEN = 2
EXIT_CANCELLED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="entitlement-desk",
        description="Reports, audit logs and spreadsheets for Microsoft Entra entitlement management.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--db",
        metavar="PATH|URL",
        help=f"database file or URL (sqlite:///PATH, postgresql://USER@HOST/DB); default: ${ENV_VARIABLE}, "
        "else a file in the user data folder",
    )
    source.add_argument(
        "--demo", action="store_true", help="open the demo tenant (built on first use, beside the default database)"
    )
    parser.add_argument(
        "--size", choices=sorted(SIZES), default="small", help="demo tenant size (with --demo; default: small)"
    )
    return parser


def configure_application(app: QApplication) -> None:
    """Names (for QSettings), style and icon; follows the system palette, dark mode included."""
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setDesktopFileName("entitlement-desk")
    if app.style().name().lower() != "fusion" and "Fusion" in QStyleFactory.keys():
        # Fusion draws every widget from the palette, so light and dark schemes both read well.
        app.setStyle("Fusion")
    app.setStyleSheet(resources.style_sheet())
    app.setWindowIcon(QIcon(str(resources.path("app-icon.svg"))))


class Startup(QObject):
    """Opens the database (building the demo first when asked) and then the main window."""

    window_ready = Signal(object)  # the MainWindow
    gave_up = Signal(int)  # exit code

    def __init__(self, args: argparse.Namespace, parent: QObject | None = None):
        super().__init__(parent)
        self.args = args
        self.window: MainWindow | None = None
        self.job = None

    def begin(self) -> None:
        if not self.args.demo:
            self._open(self.args.db)
            return
        target = demo_database_path(self.args.size)
        if target.exists():
            self._open(target)
        else:
            self._build_demo(target)

    def _open(self, target) -> None:
        try:
            location = open_database(target)
            # On a shared database the login decides who the app acts as.
            bound = resolve_actor(None)
        except DeskError as error:
            messages.inform(None, "Cannot open the database", str(error), icon=messages.Icon.Critical)
            self.gave_up.emit(EXIT_CANNOT_OPEN)
            return
        self.window = MainWindow(location, actor=bound, switchable=bound is None)
        self.window.show()
        self.window_ready.emit(self.window)

    def _build_demo(self, target: Path) -> None:
        self.job = DemoBuild(target, self.args.size, self)
        self.job.built.connect(self._open)
        self.job.cancelled.connect(lambda: self.gave_up.emit(EXIT_CANCELLED))
        self.job.failed.connect(self._demo_failed)
        self.job.start()

    def _demo_failed(self, error: BaseException) -> None:
        show_failure(None, "Cannot build the demo tenant", error)
        self.gave_up.emit(EXIT_CANNOT_OPEN)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    reporter = CrashReporter()
    reporter.install()
    # The progress dialog of a demo build may be the only window for a while.
    app.setQuitOnLastWindowClosed(False)
    startup = Startup(args)
    startup.window_ready.connect(lambda _window: app.setQuitOnLastWindowClosed(True))
    exit_code = 0

    def give_up(code: int) -> None:
        nonlocal exit_code
        exit_code = code
        app.exit(code)

    startup.gave_up.connect(give_up)
    QTimer.singleShot(0, startup.begin)
    try:
        result = app.exec()
    finally:
        QThreadPool.globalInstance().waitForDone()
        wait_for_writes()
        close_database()
        reporter.uninstall()
        app.setQuitOnLastWindowClosed(True)
    return exit_code or result


def run() -> None:
    sys.exit(main())
