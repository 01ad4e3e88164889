"""What the screenshot scripts start from: a Qt application whose settings live in a scratch
folder (nothing touches the real home), the small demo tenant with its request history up to
ANCHOR, and `shoot`, which lets layouts, paints and background reads finish before it grabs."""

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


class Studio:
    def __init__(self, out: Path):
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from desktop.demo import build_demo
        from desktop.demo_history import generate_history
        from models.database import open_database
        from ui.app import configure_application

        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.scratch = Path(tempfile.mkdtemp(prefix="entitlement-desk-shots-"))
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        configure_application(self.app)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(self.scratch / "settings"))
        self.location = open_database(self.scratch / "demo.db")
        print("building the small demo tenant and its history…", flush=True)
        build_demo("small", now=ANCHOR)
        generate_history(random.Random(7), "small", ANCHOR - timedelta(days=HISTORY_DAYS), ANCHOR)

    def settle(self) -> None:
        """Let layouts, paints and background reads finish."""
        from PySide6.QtCore import QThreadPool

        from ui.background import wait_for_reads

        for _ in range(20):
            self.app.processEvents()
            time.sleep(0.01)
        QThreadPool.globalInstance().waitForDone()
        wait_for_reads()
        for _ in range(5):
            self.app.processEvents()

    def shoot(self, widget, name: str, *, whole_screen: bool = False) -> None:
        self.settle()
        path = self.out / name
        if whole_screen and self.app.platformName() == "xcb":
            # A real X window, as the window system shows it.
            geometry = widget.frameGeometry()
            image = widget.screen().grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
        else:
            image = widget.grab()
        image.save(str(path))
        print(f"saved {path} ({image.width()}x{image.height()}, {self.app.platformName()})", flush=True)
