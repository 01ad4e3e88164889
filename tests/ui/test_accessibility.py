"""Keyboard and screen readers: every control is reached with Tab and shows it has the focus,
tables and buttons without text have names a screen reader can say, and the window is right
at 150 % and 200 % scaling."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QComboBox, QLineEdit, QWidget

from tests.helpers import requests_tenant as lifecycle_tenant
from ui.background import wait_for_reads
from ui.main_window import MainWindow
from ui.navigation import NAVIGATION

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(database, qtbot):
    people = lifecycle_tenant.build()
    shown = MainWindow(database, actor=people.global_admin)
    shown.resize(1280, 800)
    with qtbot.waitActive(shown):
        shown.show()
        shown.activateWindow()
    yield shown
    QThreadPool.globalInstance().waitForDone(5000)
    wait_for_reads(5000)
    shown.close()
    shown.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def our_controls(page: QWidget) -> list[QWidget]:
    """The page's own controls in view (not the parts Qt builds inside its widgets)."""
    found = []
    for kind in (QAbstractItemView, QLineEdit, QComboBox, QAbstractButton):
        for widget in page.findChildren(kind):
            if widget.objectName().startswith("qt_") or not widget.isVisible() or not widget.isEnabled():
                continue
            if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or isinstance(widget.parent(), QComboBox):
                continue
            if (
                isinstance(widget, QAbstractItemView)
                and widget.parent() is not None
                and isinstance(widget.parent().parent(), QComboBox)
            ):
                continue
            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox):
                continue
            found.append(widget)
    return found


@pytest.mark.parametrize("title", [entry.title for entry in NAVIGATION])
def test_tab_reaches_every_control_of_the_page(window, qtbot, title):
    """Tab, from the navigation on, lands on every enabled control of the page in turn."""
    window.show_page([entry.title for entry in NAVIGATION].index(title))
    qtbot.wait(50)
    page = window.current_page()
    wanted = set(our_controls(page))
    window.navigation.setFocus(Qt.FocusReason.TabFocusReason)
    reached = set()
    for _ in range(len(wanted) * 3 + 20):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused in wanted:
            reached.add(focused)
    missed = [f"{type(w).__name__} {w.accessibleName() or getattr(w, 'text', lambda: '')()}" for w in wanted - reached]
    assert not missed, missed


def test_tables_and_textless_controls_have_names(window, qtbot):
    """A screen reader can say what each table, field and button is."""
    for row, entry in enumerate(NAVIGATION):
        window.show_page(row)
        qtbot.wait(20)
        for widget in our_controls(window.current_page()):
            text = widget.text() if isinstance(widget, QAbstractButton) else ""
            assert widget.accessibleName() or text.strip(), (entry.title, type(widget).__name__)
        for table in window.current_page().findChildren(QAbstractItemView, "reportTable"):
            assert table.accessibleName().endswith(" table"), entry.title


def test_focus_is_drawn_on_the_navigation_and_tables(window, qtbot):
    """The style sheet frames the focused navigation list and table in the highlight colour."""
    window.show_page(0)
    table = window.current_page().findChild(QAbstractItemView, "reportTable")
    table.setFocus()
    qtbot.wait(20)
    unfocused = window.navigation.grab().toImage()
    window.navigation.setFocus()
    qtbot.wait(20)
    focused = window.navigation.grab().toImage()
    highlight = window.palette().highlight().color().rgb()
    edge = [focused.pixel(x, focused.height() // 2) for x in range(3)]
    assert highlight in edge and unfocused.pixel(0, unfocused.height() // 2) != highlight


SCALED = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication
    warnings = []
    qInstallMessageHandler(lambda kind, context, text: warnings.append(text)
                           if kind != QtMsgType.QtDebugMsg and "propagateSizeHints" not in text else None)
    app = QApplication([])
    from ui.app import configure_application
    configure_application(app)
    from models.database import open_database
    from tests.helpers import requests_tenant as lifecycle_tenant
    from ui.main_window import MainWindow
    from ui.navigation import NAVIGATION
    location = open_database(sys.argv[1])
    people = lifecycle_tenant.build()
    window = MainWindow(location, actor=people.global_admin)
    window.resize(1280, 800)
    window.show()
    for row in range(len(NAVIGATION)):
        window.show_page(row)
        app.processEvents()
        page = window.current_page()
        for table in page.findChildren(__import__("PySide6.QtWidgets").QtWidgets.QTableView, "reportTable"):
            height = table.verticalHeader().defaultSectionSize()
            assert height >= table.fontMetrics().height() + 4, (NAVIGATION[row].title, height)
    image = window.grab()
    print(window.devicePixelRatio(), image.width(), image.height(), len(warnings), flush=True)
    assert not warnings, warnings
    import os
    os._exit(0)  # PySide's interpreter teardown with live windows is not what is tested here
""")


@pytest.mark.parametrize("factor", ["1.5", "2"])
def test_correct_at_150_and_200_percent(tmp_path, factor):
    """Under QT_SCALE_FACTOR every page paints at the higher density, rows fit their text, and
    Qt has nothing to warn about."""
    environment = dict(os.environ, QT_SCALE_FACTOR=factor, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", SCALED, str(tmp_path / "scaled.db")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ratio, width, height, warnings = done.stdout.split()[-4:]
    assert float(ratio) == float(factor) and int(width) == round(1280 * float(factor))
