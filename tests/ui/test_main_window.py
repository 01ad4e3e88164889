"""The main window: navigation, the acting administrator, unavailable and later pages,
remembered state, and the habits every table shares."""

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

import ui.account_menu as account_menu
import ui.main_window as main_window
from desktop.audit_chain import append
from desktop.audit_record import event_fields
from desktop.demo import build_demo
from desktop.directory import search_users
from models import AuditEvent
from tests.helpers.audit_documents import document
from tests.helpers import gui_tenant as tenant
from tests.helpers.windows import make_window
from tests.helpers.tampering import tampering
from ui.main_window import MainWindow
from ui.navigation import NAVIGATION, default_administrator
from ui.pages.base import NoticePage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def people(database):
    return tenant.build(assignees=3)


@pytest.mark.slow
def test_smoke_on_the_small_demo_tenant(database, qtbot):
    """Every page of the small demo opens; the status bar names the database and the admin."""
    build_demo("small")
    window = make_window(qtbot, database)
    assert window.actor is not None and window.actor_status.text().startswith(
        f"Simulation: acting as {window.actor.display_name}"
    )
    assert window.database_status.text() == f"Database: {database.describe()}"
    for row, _entry in enumerate(NAVIGATION):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + row), Qt.KeyboardModifier.ControlModifier)
        assert window.navigation.currentRow() == row
        assert window.current_page() is window.page(row)
    window.show_page(0)
    assert window.row_status.text() == "40 access packages"
    window.show_page(3)
    assert window.row_status.text() == "3 connected organizations"
    window.close()  # waits for the pages' background reads


def test_default_administrator_prefers_identity_governance(people):
    """The acting admin is the first Identity Governance Administrator, not the Reports Reader."""
    assert default_administrator() == people.admin


def test_a_forbidden_page_shows_its_reason(database, people, qtbot):
    """A Reports Reader sees Access packages as unavailable, with why, instead of no page."""
    window = make_window(qtbot, database, actor=people.reader)
    page = window.page(0)
    assert isinstance(page, NoticePage)
    assert "Reese Reader cannot view access packages" in page.text_label.text()
    assert "Identity Governance Administrator" in page.text_label.text()


def test_acting_as_another_admin_rebuilds_the_pages(database, people, qtbot):
    """Switching the acting admin in the Account menu opens the pages their roles allow."""
    window = make_window(qtbot, database, actor=people.reader)
    assert isinstance(window.page(0), NoticePage)
    window.account_menu.refill()
    action = next(a for a in window.account_menu.actions() if a.text().startswith("Miriam Graham"))
    action.trigger()
    assert window.actor == people.admin
    assert not isinstance(window.current_page(), NoticePage)
    assert "Miriam Graham" in window.actor_status.text()


def test_window_state_is_restored(database, people, qtbot, isolated_settings):
    """The last page, the columns chosen and their widths come back at the next start."""
    window = make_window(qtbot, database, actor=people.admin)
    window.show_page(3)
    view = window.page(0).list_view
    view.set_column_shown(
        view.model.columns().index(next(c for c in view.model.columns() if c.key == "description")), False
    )
    view.header.resizeSection(0, 321)
    window.close()
    assert (isolated_settings / "EntitlementDesk" / "Entitlement Desk.ini").exists()
    again = make_window(qtbot, database, actor=people.admin)
    assert again.navigation.currentRow() == 3
    restored = again.page(0).list_view
    assert "description" not in restored.visible_column_keys()
    assert restored.header.sectionSize(0) == 321


def test_column_chooser_lists_every_column(database, people, qtbot):
    """The header's context menu has one checkable entry per column, hidden ones unchecked."""
    window = make_window(qtbot, database, actor=people.admin)
    view = window.page(0).list_view
    view._show_column_menu(view.header.rect().center())
    entries = {a.text(): a.isChecked() for a in view.column_menu.actions() if a.isCheckable()}
    view.column_menu.close()
    assert entries["Name"] and not entries["Object ID"]
    assert len(entries) == len(view.model.columns())
    next(a for a in view.column_menu.actions() if a.text() == "Object ID").setChecked(True)
    assert "id" in view.visible_column_keys()


def test_ctrl_f_focuses_the_quick_filter_and_esc_clears_it(database, people, qtbot):
    window = make_window(qtbot, database, actor=people.admin)
    view = window.page(0).list_view
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is view.filter_edit
    qtbot.keyClicks(view.filter_edit, "zzz-nothing")
    view.apply_filter()
    assert view.stack.currentWidget() is view.empty_label
    assert "Nothing matches “zzz-nothing”" in view.empty_label.text()
    qtbot.keyClick(view.filter_edit, Qt.Key.Key_Escape)
    view.apply_filter()
    assert view.model.rowCount() == 3 and view.stack.currentWidget() is view.view


def test_settings_stay_out_of_the_real_home(isolated_settings):
    """The tests' settings file lives in the test's temp folder."""
    assert QSettings().fileName().startswith(str(isolated_settings))


def test_any_directory_user_can_be_chosen_to_act_as(database, people, qtbot, monkeypatch):
    """'Act as another user…' picks any user (an approver without a role) through the picker."""
    window = make_window(qtbot, database)
    chosen = next(match for match in search_users("ada") if match.id == people.ada.id)
    monkeypatch.setattr(account_menu, "pick_user", lambda parent, title: chosen)
    window.account_menu.refill()
    act_as = next(a for a in window.account_menu.actions() if a.text() == "Act as another user…")
    act_as.trigger()
    assert window.actor == people.ada
    assert people.ada.display_name in window.actor_status.text()


def test_a_bound_login_cannot_switch_users(database, people, qtbot):
    """On a shared database whose login is bound, the Account menu only says who it acts as."""
    window = MainWindow(database, actor=people.admin, switchable=False)
    qtbot.addWidget(window)
    window.account_menu.refill()
    texts = [action.text() for action in window.account_menu.actions()]
    assert texts == [f"Acting as {people.admin.display_name}: this database login is bound to them"]
    assert not window.account_menu.actions()[0].isEnabled()


def test_verify_audit_log_names_a_changed_record(database, people, qtbot, monkeypatch):
    """File → Verify audit log checks the chain in the background and names what was changed."""
    append(event_fields(document(n)) for n in range(20))
    shown = []
    monkeypatch.setattr(main_window.messages, "inform", lambda parent, title, text, **kw: shown.append((title, text)))
    window = make_window(qtbot, database, actor=people.admin)
    with qtbot.waitSignal(window.verify_audit_log().finished, timeout=10_000):
        pass
    assert shown[-1][0] == "Audit log intact" and "20 audit records" in shown[-1][1]
    with tampering():
        AuditEvent.update(activity_display_name="Quietly edited").where(AuditEvent.id == document(7)["id"]).execute()
    with qtbot.waitSignal(window.verify_audit_log().finished, timeout=10_000):
        pass
    assert shown[-1][0] == "Audit log tampered with" and document(7)["id"] in shown[-1][1]


def test_file_import_runs_in_the_background_and_sums_up(database, people, qtbot, monkeypatch):
    """File → Import reads the chosen files off the UI thread and shows the summary."""
    users_file = FIXTURES / "graph" / "users.json"
    monkeypatch.setattr(main_window.QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([str(users_file)], ""))
    shown = []
    monkeypatch.setattr(
        main_window.messages, "inform", lambda parent, title, text, **kw: shown.append((title, text, kw.get("details")))
    )
    window = make_window(qtbot, database, actor=people.admin)
    with qtbot.waitSignal(window.import_files().finished, timeout=10_000):
        pass
    title, text, details = shown[-1]
    assert title == "Import finished" and text.startswith("Imported 1 file:") and "user" in details


def test_import_needs_a_governance_role(database, people, qtbot, monkeypatch):
    """A Reports Reader is told why instead of getting a file dialog."""
    monkeypatch.setattr(
        main_window.QFileDialog, "getOpenFileNames", lambda *args, **kwargs: pytest.fail("no dialog for a reader")
    )
    shown = []
    monkeypatch.setattr(main_window.messages, "inform", lambda parent, title, text, **kw: shown.append(text))
    window = make_window(qtbot, database, actor=people.reader)
    assert window.import_files() is None
    assert "Identity Governance Administrator" in shown[-1]


def test_a_role_changing_import_needs_a_global_administrator(database, people, qtbot, monkeypatch, tmp_path):
    """File → Import goes through the core's guard: an Identity Governance Administrator's
    import that would make them Global Administrator is refused whole, with the reason."""
    from models import DirectoryRoleAssignment
    from tests.helpers.role_files import role_file

    roles_file = role_file(tmp_path, people.admin)
    monkeypatch.setattr(main_window.QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([roles_file], ""))
    shown = []
    monkeypatch.setattr(main_window.messages, "inform", lambda parent, title, text, **kw: shown.append((title, text)))
    holders = DirectoryRoleAssignment.select().count()
    window = make_window(qtbot, database, actor=people.admin)
    with qtbot.waitSignal(window.import_files().finished, timeout=10_000):
        pass
    assert shown[-1][0] == "Import" and "only a Global Administrator" in shown[-1][1]
    assert DirectoryRoleAssignment.select().count() == holders
    assert not AuditEvent.select().where(AuditEvent.activity_display_name == "Import tenant data").exists()
