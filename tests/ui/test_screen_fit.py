"""1280×800: no page widens the window, combos show their chosen text, hints are readable,
detail panes show their rows, and the columns an admin needs are in view by default."""

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from PySide6.QtWidgets import QComboBox, QLineEdit

from tests.helpers import requests_tenant as lifecycle_tenant
from ui.background import wait_for_reads
from ui.main_window import MainWindow
from ui.navigation import NAVIGATION

SCREEN = (1280, 800)


@pytest.fixture
def window(database, qtbot):
    people = lifecycle_tenant.build()
    shown = MainWindow(database, actor=people.global_admin)
    shown.resize(*SCREEN)
    shown.show()
    shown.people = people
    yield shown
    QThreadPool.globalInstance().waitForDone(5000)
    wait_for_reads(5000)
    shown.close()
    shown.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def settle(qtbot) -> None:
    qtbot.wait(50)
    QThreadPool.globalInstance().waitForDone(5000)
    wait_for_reads(5000)
    qtbot.wait(50)


def test_no_page_widens_the_window(window, qtbot):
    """Every page fits 1280 px, its choices loaded: the window never grows past the screen."""
    for row, entry in enumerate(NAVIGATION):
        window.show_page(row)
        settle(qtbot)
        assert window.width() == SCREEN[0], entry.title
        assert window.minimumSizeHint().width() <= SCREEN[0], entry.title


def test_combos_show_their_choice_and_edits_their_hint(window, qtbot):
    """A chosen "EntitlementManagement" reads in full; no placeholder is cut."""
    audit = window.page([entry.title for entry in NAVIGATION].index("Audit logs"))
    window.show_page([entry.title for entry in NAVIGATION].index("Audit logs"))
    settle(qtbot)
    audit.category.setCurrentText("EntitlementManagement")
    audit.activity.setCurrentText("Approve access package assignment request")
    for combo in audit.findChildren(QComboBox):
        if combo.isVisible() and combo.currentText():
            needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
            assert combo.width() >= needed + 20, (combo.accessibleName(), combo.currentText())
    for edit in audit.findChildren(QLineEdit):
        if edit.isVisible() and edit.placeholderText():
            assert edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + 8, (
                edit.accessibleName()
            )


def test_the_columns_an_admin_needs_are_in_view(window, qtbot):
    """A package's assignments show State, Start and End without scrolling; the audit log shows
    Activity in full."""
    titles = [entry.title for entry in NAVIGATION]
    window.show_page(titles.index("Access packages"))
    packages = window.current_page()
    settle(qtbot)
    packages.open_row(0)
    settle(qtbot)
    view = packages.assignments_view
    visible = view.view.viewport().rect()
    for key in ("state", "start", "end"):
        section = [column.key for column in view.model.columns()].index(key)
        assert not view.header.isSectionHidden(section), key
        right = view.header.sectionViewportPosition(section) + view.header.sectionSize(section)
        assert right <= visible.right() + 1, key

    window.show_page(titles.index("Audit logs"))
    audit = window.current_page()
    settle(qtbot)
    section = [column.key for column in audit.view.model.columns()].index("activity")
    fm = audit.view.view.fontMetrics()
    longest = max(
        (audit.view.model.index(row, section).data() for row in range(audit.view.model.rowCount())),
        key=fm.horizontalAdvance,
    )
    assert audit.view.header.sectionSize(section) >= fm.horizontalAdvance(longest)
    right = audit.view.header.sectionViewportPosition(section) + audit.view.header.sectionSize(section)
    assert right <= audit.view.view.viewport().width() + 1
    longest_activity = "Access package assignment request timed out (no approver action taken)"
    date = [column.key for column in audit.view.model.columns()].index("date")
    needed = audit.view.header.sectionSize(date) + fm.horizontalAdvance(longest_activity) + 12
    assert needed <= audit.view.view.viewport().width(), "the longest activity Entra writes would be cut"
