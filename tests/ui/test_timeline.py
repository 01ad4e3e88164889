"""The request timeline dialog: steps in order, what the request waits for, refresh."""

import pytest
from PySide6.QtTest import QAbstractItemModelTester

from models import AssignmentRequest
from tests.helpers import requests_tenant
from ui.dialogs import messages
from ui.dialogs.request_timeline import RequestTimelineDialog, TimelineModel, open_request_timeline


@pytest.fixture
def tenant(database):
    return requests_tenant.build()


@pytest.fixture
def informed(monkeypatch):
    shown = []
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **options: shown.append((title, text)))
    return shown


def open_dialog(qtbot, tenant, request_id: str, actor=None) -> RequestTimelineDialog:
    dialog = RequestTimelineDialog(request_id, actor or tenant.admin, tenant.lifecycle)
    qtbot.addWidget(dialog)
    return dialog


def test_timeline_model_passes_the_model_tester(tenant, qtbot):
    """The steps model keeps Qt's invariants while filled, refreshed and emptied."""
    dialog = open_dialog(qtbot, tenant, tenant.denied.id)
    model = TimelineModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_steps(dialog.model.steps())
    model.set_steps([])
    assert model.rowCount() == 0


def test_steps_with_approvers_decisions_and_justifications(tenant, qtbot):
    """Each step says who acted and what it adds: stage, approver added, justification."""
    dialog = open_dialog(qtbot, tenant, tenant.denied.id)
    rows = [
        [dialog.model.index(row, column).data() for column in range(dialog.model.columnCount())]
        for row in range(dialog.model.rowCount())
    ]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    assert [row[3] for row in rows] == [
        "User requests access package assignment",
        "Create request approval",
        "Add approver to request approval",
        "Deny access package assignment request",
    ]
    assert rows[2][6] == "Stage 1 · Approver added: mona.manager@contoso.com"
    assert rows[3][5] == "mona.manager@contoso.com"
    assert rows[3][6] == "Stage 1 · Justification: “Not in the sales team”"
    assert dialog.state_label.text().startswith("denied (Denied) — completed ")
    assert dialog.fact_labels["Target"].text() == "Carol Clark (carol.clark@contoso.com)"
    assert not dialog.approve_button.isVisible()


def test_refresh_shows_what_happened_since(tenant, qtbot):
    """Refresh reads the request again: a decision made elsewhere (the CLI) appears."""
    dialog = open_dialog(qtbot, tenant, tenant.pending.id)
    assert dialog.model.rowCount() == 3
    tenant.lifecycle.approve(tenant.manager, tenant.pending.id)
    dialog.refresh_button.click()
    assert dialog.model.steps()[3].activity == "Approval stage completed for access package assignment request"
    assert "waiting for stage 2: Miriam Graham (miriam.graham@contoso.com). Times out" in dialog.state_label.text()


def test_records_without_their_request_say_the_state_is_unknown(tenant, qtbot):
    """Imported records whose request is not in the database still show their steps."""
    AssignmentRequest.delete().where(AssignmentRequest.id == tenant.denied.id).execute()
    dialog = open_dialog(qtbot, tenant, tenant.denied.id)
    assert dialog.model.rowCount() == 4
    assert "current state is unknown" in dialog.state_label.text()


def test_unknown_request_or_missing_role_is_explained(tenant, qtbot, informed):
    """An id nothing carries, or an actor without the audit role, gets the reason, no dialog."""
    assert open_request_timeline(None, "00000000-0000-0000-0000-000000000000", tenant.admin, tenant.lifecycle) is None
    assert open_request_timeline(None, tenant.denied.id, tenant.reader, tenant.lifecycle) is None
    assert "No request" in informed[0][1]
    assert "Reese Reader cannot view audit logs" in informed[1][1]
