"""Sign in and sync from the GUI against the stand-in Graph: progress per kind, Cancel, the
history, and who the window acts as (the signed-in user, never a simulation)."""

import pytest

import ui.main_window as main_window
from desktop.graph.connection import GRAPH_URL_VARIABLE
from desktop.graph.tokens import ENVIRONMENT_TOKEN
from desktop.importers import kinds
from models import User
from models.sync import SyncRun
from tests.helpers.digest import database_digest
from tests.helpers.graph_standin import GraphStandIn, build_tenant
from tests.helpers import gui_tenant as demo_tenant
from ui.dialogs.sync import SyncHistoryDialog
from ui.main_window import MainWindow


@pytest.fixture
def stand_in(monkeypatch):
    tenant = build_tenant()
    with GraphStandIn(tenant) as graph:
        monkeypatch.setenv(ENVIRONMENT_TOKEN, "stand-in-token")
        monkeypatch.setenv(GRAPH_URL_VARIABLE, graph.url)
        yield graph


@pytest.fixture
def shown(monkeypatch):
    told = []
    monkeypatch.setattr(
        main_window.messages, "inform", lambda parent, title, text, **kw: told.append((title, text, kw.get("details")))
    )
    return told


def make_window(qtbot, location):
    window = MainWindow(location)
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_database_not_connected_to_a_tenant_is_a_simulation(database, qtbot):
    people = demo_tenant.build(assignees=1)
    window = make_window(qtbot, database)
    assert window.actor == people.admin
    assert window.actor_status.text().startswith("Simulation: acting as ")
    window.account_menu.refill()
    texts = [action.text() for action in window.account_menu.actions()]
    assert any("simulation" in text for text in texts)
    assert window.sign_in_action.text().startswith("Sign &in to Microsoft Entra")


def test_sync_now_signs_in_syncs_and_acts_as_the_signed_in_user(database, stand_in, qtbot, shown):
    window = make_window(qtbot, database)
    assert window.actor is None  # an empty database: nobody to act as yet
    window.sync_now()
    qtbot.waitUntil(lambda: any(title == "Sync finished" for title, _, _ in shown), timeout=20_000)
    tenant = stand_in.tenant
    me = tenant.users[tenant.me]
    assert window.actor_status.text() == f"Signed in to {tenant.name} as {me['userPrincipalName']}"
    assert window.actor.id == tenant.me
    assert User.select().count() == len(tenant.users)
    window.account_menu.refill()
    texts = [action.text() for action in window.account_menu.actions()]
    assert not any("Act as" in text for text in texts)
    assert window.sign_out_action.isEnabled()
    window.sign_out_action.trigger()
    assert window.actor_status.text().startswith(f"Not signed in: offline copy of {tenant.name}")
    assert not window.sign_out_action.isEnabled()


def test_sync_shows_records_per_kind_and_cancel_writes_nothing(database, stand_in, qtbot, shown):
    window = make_window(qtbot, database)
    with qtbot.waitSignal(window.sign_in().finished, timeout=10_000):
        pass
    before = database_digest(excluding=(SyncRun,))
    stand_in.fault("/auditLogs", 429, retry_after="30")  # the sync waits there until cancelled
    job = window.sync_now()
    dialog = window.sync_dialog
    qtbot.waitUntil(lambda: "records" in dialog.rows[kinds.ASSIGNMENT].text(), timeout=10_000)
    assert dialog.rows[kinds.USER].text() == f"{kinds.USER}: {len(stand_in.tenant.users)} records"
    with qtbot.waitSignal(job.finished, timeout=10_000):
        dialog.buttons.rejected.emit()
    assert shown[-1][0] == "Sync cancelled"
    assert database_digest(excluding=(SyncRun,)) == before


def test_sync_history_lists_the_runs(database, stand_in, qtbot, shown):
    window = make_window(qtbot, database)
    window.sync_now()
    qtbot.waitUntil(lambda: any(title == "Sync finished" for title, _, _ in shown), timeout=20_000)
    dialog = SyncHistoryDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == "succeeded" and dialog.table.item(0, 3).text() == "full"
    assert dialog.table.item(0, 5).text() == stand_in.url


def test_the_first_browser_sign_in_asks_for_tenant_cloud_and_client(database, qtbot, monkeypatch):
    """Without a token in the environment, the first sign-in asks for the settings; Cancel there
    signs nobody in and opens no browser."""
    import ui.dialogs.sign_in as sign_in

    monkeypatch.delenv(ENVIRONMENT_TOKEN, raising=False)
    asked = []
    monkeypatch.setattr(sign_in, "ask_sign_in_settings", lambda parent: asked.append(parent))
    window = make_window(qtbot, database)
    assert window.sign_in() is None
    assert asked == [window] and window.account.signed_in is None
    dialog = sign_in.SignInSettingsDialog(window)
    qtbot.addWidget(dialog)
    dialog.tenant.setText(" contoso.onmicrosoft.us ")
    dialog.cloud.setCurrentText("usgov")
    assert dialog.chosen() == {"tenant": "contoso.onmicrosoft.us", "cloud": "usgov", "client_id": None}


def test_signing_in_on_the_demo_keeps_it_a_simulation(database, stand_in, qtbot, shown):
    """The demo is no tenant's copy: signing in changes who is signed in, not who the demo acts as,
    and syncing into it is refused with a reason."""
    people = demo_tenant.build(assignees=1)
    window = make_window(qtbot, database)
    with qtbot.waitSignal(window.sign_in().finished, timeout=10_000):
        pass
    assert window.actor == people.admin
    assert window.actor_status.text().startswith(f"Signed in to {stand_in.tenant.name} as user1@")
    assert "simulation: acting as" in window.actor_status.text()
    with qtbot.waitSignal(window.sync_now().finished, timeout=10_000):
        pass
    assert shown[-1][0] == "Sync" and "did not come from a tenant" in shown[-1][1]


def test_writing_shows_on_the_dialog(qtbot):
    """Once the pages are in, the dialog says it is writing and how far it got."""
    from desktop.graph.sync import WRITING
    from ui.dialogs.sync import SyncDialog

    dialog = SyncDialog(None, [kinds.USER])
    qtbot.addWidget(dialog)
    dialog.show_progress(kinds.USER, 1200, -1)
    dialog.show_progress(WRITING, 30, 120)
    assert dialog.rows[kinds.USER].text() == "user: 1,200 records"
    assert dialog.heading.text() == "Writing to the database…"
    assert (dialog.bar.value(), dialog.bar.maximum()) == (30, 120)
