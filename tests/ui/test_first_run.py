"""First run and the window's chrome: an empty database opens on the welcome page (import,
demo, open database, recent databases, a place for Sign in); File → Open database and Open
recent exist always; an approver without a role reaches their queue; "Acting as", marked
navigation, a title without the app's name, About with versions."""

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

import ui.main_window as main_window
from models.database import open_database
from tests.helpers import factories
from tests.helpers import gui_tenant as tenant
from tests.helpers import requests_tenant as lifecycle_tenant
from ui.dialogs.about import about_text
from ui.main_window import MainWindow
from ui.navigation import NAVIGATION, NAVIGATION_REFUSAL_ROLE
from ui.pages.requests import RequestsPage
from ui.recent_databases import recent_databases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def window_for(qtbot):
    windows = []

    def open_window(location, actor=None) -> MainWindow:
        window = MainWindow(location, actor=actor)
        windows.append(window)
        window.show()
        return window

    yield open_window
    for window in windows:
        window.close()
        window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def shown(monkeypatch):
    seen = []
    monkeypatch.setattr(main_window.messages, "inform", lambda parent, title, text, **kw: seen.append((title, text)))
    return seen


def test_an_empty_database_opens_on_the_welcome_page(database, window_for):
    """No tenant yet: the welcome page, not six pages that each say "choose another administrator"."""
    window = window_for(database)
    assert window.stack.currentWidget() is window.welcome
    assert not window.navigation.isEnabled()
    assert database.describe() in window.welcome.text_label.text()
    labels = [
        button.text()
        for button in (
            window.welcome.sign_in_button,
            window.welcome.import_button,
            window.welcome.demo_button,
            window.welcome.open_button,
        )
    ]
    assert labels == ["Sign in to Microsoft Entra…", "Import files…", "Open the demo tenant", "Open database…"]
    assert all(
        button.isVisibleTo(window.welcome) for button in (window.welcome.sign_in_button, window.welcome.import_button)
    )
    assert window.actor_status.text() == "Simulation: nobody to act as (no administrator in this database)"


def test_import_from_the_welcome_page_brings_the_tenant_in(database, window_for, qtbot, monkeypatch, shown):
    """Import is not refused on an empty database: the files come in and the pages appear,
    acting as the imported tenant's administrator when it has one."""
    files = [str(FIXTURES / "graph" / name) for name in ("users.json",)]
    monkeypatch.setattr(main_window.QFileDialog, "getOpenFileNames", lambda *args, **kwargs: (files, ""))
    window = window_for(database)
    with qtbot.waitSignal(window.import_files().finished, timeout=20_000):
        pass
    assert shown[-1][0] == "Import finished", shown
    assert window.stack.currentWidget() is not window.welcome and window.navigation.isEnabled()


def test_the_sign_in_action_is_offered_first(database, window_for, monkeypatch):
    """File → Sign in to Microsoft Entra is the welcome page's first button, and follows the action."""
    window = window_for(database)
    action = window.sign_in_action
    triggered = []
    monkeypatch.setattr(window.account, "sign_in", lambda: triggered.append(True))
    button = window.welcome.sign_in_button
    assert button.isVisibleTo(window.welcome) and button.text() == "Sign in to Microsoft Entra…"
    button.click()
    assert triggered == [True]
    action.setEnabled(False)
    assert not button.isEnabled()


def test_open_database_and_recent_databases(database, tmp_path, window_for, monkeypatch, shown):
    """File → Open database opens another file in the same window; both are then recent, the
    welcome page lists the other one, and a file that cannot be opened leaves the current one."""
    window = window_for(database)
    other = tmp_path / "other.db"
    open_database(other)
    tenant.build(assignees=2)
    open_database(database.url or database.path)
    monkeypatch.setattr(main_window.QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(other), ""))
    window.choose_database()
    assert window.location.path == other and window.windowTitle() == str(other)
    assert window.stack.currentWidget() is not window.welcome and window.actor.display_name == "Miriam Graham"
    assert recent_databases()[:2] == [str(other), database.describe()]
    window._fill_recent_menu()
    entries = {action.text(): action.isEnabled() for action in window.recent_menu.actions()}
    assert entries == {str(other): False, database.describe(): True}

    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("not SQLite")
    assert not window.switch_database(not_a_database)
    assert shown[-1][0] == "Cannot open the database" and window.location.path == other
    assert window.actor.display_name == "Miriam Graham"  # still reads the open database

    window.recent_menu.actions()[1].trigger()
    assert window.location == database and window.stack.currentWidget() is window.welcome
    assert [window.welcome.recent.item(row).text() for row in range(window.welcome.recent.count())] == [str(other)]


def test_an_approver_without_a_role_reaches_their_queue(database, window_for):
    """Acting as a plain approver with a pending request, Requests opens on their queue; the
    pages they cannot open are marked in the navigation with the reason."""
    people = lifecycle_tenant.build()
    window = window_for(database, actor=people.manager)
    requests_row = [entry.title for entry in NAVIGATION].index("Requests")
    window.navigation.setCurrentRow(requests_row)
    page = window.current_page()
    assert isinstance(page, RequestsPage) and page.pending_view.model.rowCount() == 1
    refusals = {
        entry.title: window.navigation.item(row).data(NAVIGATION_REFUSAL_ROLE) for row, entry in enumerate(NAVIGATION)
    }
    assert refusals["Requests"] is None
    assert "Mona Manager cannot view audit logs" in refusals["Audit logs"]
    audit_row = [entry.title for entry in NAVIGATION].index("Audit logs")
    assert window.navigation.item(audit_row).toolTip().startswith("Not available: Mona Manager cannot")


def test_chrome_says_acting_as_and_names_only_the_database(database, window_for):
    """No "Signed in as" where nobody signed in; the title does not repeat the app's name."""
    admin = factories.user("Miriam Graham")
    factories.grant_role(admin, "Identity Governance Administrator")
    window = window_for(database, actor=admin)
    assert window.actor_status.text() == f"Simulation: acting as Miriam Graham ({admin.user_principal_name})"
    assert "Entitlement Desk" not in window.windowTitle()


def test_about_names_version_python_qt_database_and_licence(database):
    text = about_text(database)
    assert text.startswith("Entitlement Desk ")
    kind = "PostgreSQL" if database.url else "SQLite"
    for part in (
        "Python 3.",
        "Qt 6.",
        "PySide6 6.",
        f"Database: {database.describe()} ({kind}, schema version",
        "Licence: MIT",
    ):
        assert part in text
