"""History in the GUI: the Changes page, and "As of" on the package and user reports."""

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtWidgets import QDialog

from desktop.reports.changes import ChangesReport
from models import User, db
from models.change_context import clear_change_context, set_change_context
from tests.helpers import factories as f
from tests.helpers import history_tenant
from ui.dialogs import messages, user_picker
from ui.main_window import MainWindow
from ui.navigation import NAVIGATION
from ui.times import zone_name
from ui.widgets.as_of import AsOfPicker

TITLES = [entry.title for entry in NAVIGATION]


@pytest.fixture
def lifecycle_history(database):
    return history_tenant.lifecycle_history()


@pytest.fixture
def window(lifecycle_history, database, qtbot):
    main = MainWindow(database, actor=lifecycle_history.admin)
    qtbot.addWidget(main)
    main.resize(1280, 800)
    main.show()
    qtbot.waitExposed(main)
    return main


def test_changes_page_lists_changes_and_warns_without_runs(window, qtbot, monkeypatch):
    """The Changes page shows the changes of the range; "last import or sync" without any
    recorded run is a clear message, and the table stays as it was."""
    window.show_page(TITLES.index("Changes"))
    page = window.current_page()
    page.date_range.select("All")
    page.apply()
    expected = ChangesReport().count()
    qtbot.waitUntil(lambda: page.view.model.rowCount() == expected)
    assert window.row_status.text() == f"{expected} changes"
    page.package.setText("Open")
    page.apply()
    qtbot.waitUntil(lambda: page.view.model.rowCount() == 5)
    assert "Access package: Open" in page.range_label.text()
    # Times as the screen shows them (local with the zone here), not raw UTC text.
    assert page.range_label.text().startswith(f"From the beginning to now ({zone_name()})")
    told = []
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **_: told.append(text))
    page.last_run.setChecked(True)
    page.apply()
    assert told == ["No import or sync has been recorded in this database yet."]
    assert page.view.model.rowCount() == 5


def test_package_assignments_as_of_a_moment(window, lifecycle_history, qtbot):
    """A package's assignments as of a past moment show who held it then, and say so."""
    window.show_page(TITLES.index("Access packages"))
    page = window.current_page()
    page.state_filter.setCurrentText("All")
    page.open_package(lifecycle_history.open_package)
    qtbot.waitUntil(lambda: page.assignments_view.model.rowCount() == 1)
    assert page.assignments_view.model.row_values(0)[6] == "expired"
    page.as_of.set_moment(f.T0 + timedelta(minutes=30))
    qtbot.waitUntil(lambda: page.assignments_view.model.row_values(0)[6] == "delivered")
    assert page.assignments_heading.text().startswith("Assignments as of ")
    assert page._download_name() == "Open assignments as of 2026-01-05 0930 UTC"


def test_user_reports_as_of_a_moment(window, lifecycle_history, qtbot):
    """Alice's Assigned and Resource assignments as of the moment she held Open; back to now
    they are empty again."""
    window.show_page(TITLES.index("Reports"))
    page = window.current_page()
    page.select_user(lifecycle_history.alice)
    qtbot.waitUntil(lambda: page.assigned_view.model.rowCount() == 0)
    page.as_of.set_moment(f.T0 + timedelta(minutes=30))
    qtbot.waitUntil(lambda: page.assigned_view.model.rowCount() == 1)
    qtbot.waitUntil(lambda: page.resources_view.model.rowCount() == 2)
    assert "as of" in page.title.subtitle_label.text()
    page.as_of.set_moment(None)
    qtbot.waitUntil(lambda: page.assigned_view.model.rowCount() == 0)


def test_as_of_picker_hands_out_utc_and_settles_after_typing(qtbot):
    """The picker shows local time and hands out the same instant in UTC; a typed change is
    announced once, after the admin pauses."""
    picker = AsOfPicker()
    qtbot.addWidget(picker)
    assert picker.moment() is None and picker.describe() == ""
    march = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with qtbot.waitSignal(picker.changed):
        picker.set_moment(march)
    assert picker.moment() == march
    assert picker.describe().endswith("(2026-03-01T00:00:00Z)")
    announced = []
    picker.changed.connect(lambda: announced.append(picker.moment()))
    picker.edit.setDateTime(picker.edit.dateTime().addDays(1))
    picker.edit.setDateTime(picker.edit.dateTime().addDays(1))
    qtbot.waitUntil(lambda: len(announced) > 0, timeout=3000)
    assert announced == [march + timedelta(days=2)]


DELETED = f.T0 + timedelta(days=3)


@pytest.fixture
def alice_deleted(lifecycle_history):
    """Alice, found gone from the tenant by an import three days after T0."""
    with db.atomic():
        set_change_context("import", at=DELETED)
        User.update(deleted_date_time=DELETED).where(User.id == lifecycle_history.alice.id).execute()
        clear_change_context()
    return lifecycle_history.alice


def pick_alice(offered: list, summaries: list):
    """A stand-in for the picker's exec: search "alice", note what it offers, choose the first."""

    def run(dialog):
        dialog.search_edit.setText("alice")
        dialog.run_search()
        offered.append([dialog.model.index(row, 0).data() for row in range(dialog.model.rowCount())])
        summaries.append(dialog.summary.text())
        dialog.accept()
        return QDialog.DialogCode.Accepted if dialog.chosen else QDialog.DialogCode.Rejected

    return run


def test_user_reports_as_of_a_moment_offer_a_user_deleted_since(window, alice_deleted, qtbot, monkeypatch):
    """As of a moment before Alice was deleted, the user picker offers her marked "deleted
    <date>", and every tab reports her as she was then; as of now she is not offered."""
    window.show_page(TITLES.index("Reports"))
    page = window.current_page()
    offered, summaries = [], []
    monkeypatch.setattr(user_picker.UserPickerDialog, "exec", pick_alice(offered, summaries))
    page.choose_user()
    assert offered == [[]] and page.user is None
    page.as_of.set_moment(f.T0 + timedelta(minutes=30))
    page.choose_user()
    assert offered[-1] == [f"Alice ({user_picker.deleted_label(DELETED)})"]
    assert summaries[-1] == "1 user matches. Greyed: 1 deleted from the tenant since the report's moment."
    assert page.user.id == alice_deleted.id
    assert page.user_label.text().endswith(f"· {user_picker.deleted_label(DELETED)}")
    qtbot.waitUntil(lambda: page.assigned_view.model.rowCount() == 1)
    qtbot.waitUntil(lambda: page.can_request_view.model.rowCount() == 3)
    qtbot.waitUntil(lambda: page.resources_view.model.rowCount() == 2)
    assert "as of" in page.title.subtitle_label.text()
    # Now she is gone: nothing to request, nothing held.
    page.as_of.set_moment(None)
    qtbot.waitUntil(lambda: page.can_request_view.model.rowCount() == 0)
    assert page.can_request_view.empty_text.startswith("Alice is deleted from the tenant")


def test_changes_page_offers_a_user_deleted_since_the_range_began(window, alice_deleted, qtbot, monkeypatch):
    """Over every change, the Changes page's picker offers Alice though she is deleted, and
    narrows the changes to hers."""
    window.show_page(TITLES.index("Changes"))
    page = window.current_page()
    page.date_range.select("All")
    offered, summaries = [], []
    monkeypatch.setattr(user_picker.UserPickerDialog, "exec", pick_alice(offered, summaries))
    page.choose_user()
    assert offered == [[f"Alice ({user_picker.deleted_label(DELETED)})"]]
    assert page.user_label.text().endswith(f"· {user_picker.deleted_label(DELETED)}")
    expected = ChangesReport(user=alice_deleted).count()
    assert expected > 0
    qtbot.waitUntil(lambda: page.view.model.rowCount() == expected)
    # Clear goes back to every user's changes, and is only offered while a user is chosen.
    assert page.clear_user_button.isEnabled()
    page.clear_user_button.click()
    assert page.user is None and page.user_label.text() == "Any user"
    assert not page.clear_user_button.isEnabled()
    qtbot.waitUntil(lambda: page.view.model.rowCount() == ChangesReport().count())
