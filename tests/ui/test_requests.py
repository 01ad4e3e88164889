"""The Requests page: decide pending approvals, list requests, assign directly, remove an
assignment, process due items; every change through the lifecycle controller."""

from datetime import timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

from desktop.directory import search_users
from models import ApprovalStage, Assignment, AssignmentRequest
from tests.helpers import requests_tenant
from ui.dialogs import messages, user_picker
from ui.dialogs.decision import DecisionDialog
from ui.dialogs.download import Downloader
from ui.dialogs.new_assignment import NewAssignmentDialog
from ui.dialogs.request_timeline import RequestTimelineDialog
from ui.pages.base import PageContext
from ui.pages.requests import RequestsPage


@pytest.fixture
def tenant(database):
    return requests_tenant.build()


@pytest.fixture
def informed(monkeypatch):
    shown = []
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **options: shown.append((title, text)))
    return shown


@pytest.fixture
def open_page(tenant, qtbot):
    pages = []

    def build(actor) -> RequestsPage:
        downloader = Downloader()
        downloader.actor = actor
        page = RequestsPage(PageContext(actor=actor, downloader=downloader), lifecycle=tenant.lifecycle)
        pages.append(page)
        page.resize(1300, 700)
        page.show()
        return page

    yield build
    QThreadPool.globalInstance().waitForDone(5000)
    # Gone before the next test's database: pages listen to every request change in the app.
    for page in pages:
        page.close()
        page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def answer_decision(monkeypatch, qtbot, *justifications: str, seen: list | None = None) -> None:
    """The approver types each justification in turn and presses the button (when it can be
    pressed), until one is taken; the decision runs in the background, so each waits for it."""

    def exec_(dialog: DecisionDialog) -> int:
        for text in justifications:
            dialog.justification.setPlainText(text)
            if seen is not None:
                seen.append((text, dialog.decide_button.isEnabled()))
            dialog.decide_button.click()
            qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
            if dialog.decided is not None:
                break
        return dialog.result()

    monkeypatch.setattr(DecisionDialog, "exec", exec_)


def rows(view, key: str) -> list:
    return [view.model.value(row, key) for row in range(view.model.rowCount())]


def test_approve_as_the_approver_and_see_the_timeline_grow(tenant, open_page, monkeypatch, informed, qtbot):
    """Stage 1's approver approves from their queue; the stage 2 approver opens the timeline,
    cannot press Approve without the justification stage 2 requires, then approves: the
    timeline shows the approval, fulfilment and the group membership, and the request is delivered."""
    manager_page = open_page(tenant.manager)
    assert rows(manager_page.pending_view, "id") == [tenant.pending.id]
    manager_page.pending_view.select_row(0)
    answer_decision(monkeypatch, qtbot, "Works in sales")
    manager_page.approve_button.click()
    qtbot.waitUntil(lambda: manager_page.pending_view.model.rowCount() == 0, timeout=10_000)

    admin_page = open_page(tenant.admin)
    admin_page.pending_view.select_row(0)
    admin_page.pending_status_button.click()
    timeline = admin_page.findChild(RequestTimelineDialog)
    before = [step.activity for step in timeline.model.steps()]
    assert before[-2:] == [
        "Approval stage completed for access package assignment request",
        "Add approver to request approval",
    ]
    assert "waiting for stage 2: Miriam Graham" in timeline.state_label.text()
    assert timeline.approve_button.isVisible()

    seen = []
    answer_decision(monkeypatch, qtbot, "", "  ", "Forecast needs it", seen=seen)
    admin_page.approve_button.click()
    assert seen == [("", False), ("  ", False), ("Forecast needs it", True)]
    assert informed == []
    qtbot.waitUntil(lambda: timeline.state_label.text().startswith("delivered"), timeout=10_000)
    after = [step.activity for step in timeline.model.steps()]
    assert after[: len(before)] == before
    assert after[len(before) :] == [
        "Approve access package assignment request",
        "Ready to fulfill access package assignment request",
        "Fulfill access package assignment",
        "Add member to group",
    ]
    assert timeline.state_label.text().startswith("delivered (Delivered)")
    decisions = [[timeline.decisions.item(r, c).text() for c in range(5)] for r in range(2)]
    assert [(d[0], d[2], d[3]) for d in decisions] == [
        ("1", "Approve", "Works in sales"),
        ("2", "Approve", "Forecast needs it"),
    ]
    assert not timeline.approve_button.isVisible()
    qtbot.waitUntil(lambda: admin_page.pending_view.model.rowCount() == 0, timeout=10_000)
    timeline.close()


def test_deny_from_the_queue(tenant, open_page, monkeypatch, qtbot):
    """Deny records the decision and the request leaves the queue as denied."""
    page = open_page(tenant.manager)
    page.pending_view.select_row(0)
    answer_decision(monkeypatch, qtbot, "Not this quarter")
    page.deny_button.click()
    assert AssignmentRequest.get_by_id(tenant.pending.id).state == "denied"
    qtbot.waitUntil(lambda: page.pending_view.model.rowCount() == 0, timeout=10_000)


def test_all_requests_filter_by_state(tenant, open_page):
    """All requests lists every request; the state filter re-queries."""
    page = open_page(tenant.admin)
    page.tabs.setCurrentWidget(page.requests_view)
    assert page.requests_view.model.rowCount() == 4
    page.state_filter.setCurrentText("denied")
    assert rows(page.requests_view, "id") == [tenant.denied.id]
    page.state_filter.setCurrentText("All states")
    assert page.requests_view.model.rowCount() == 4


def test_new_assignment_through_the_user_picker(tenant, open_page, monkeypatch, informed, qtbot):
    """The dialog takes the user from the picker, a package and its policy; the controller's
    refusal (a duplicate) is shown and the dialog stays open; a valid one is listed."""
    page = open_page(tenant.admin)
    chosen = []

    def run(dialog: NewAssignmentDialog) -> int:
        monkeypatch.setattr(user_picker, "pick_user", lambda parent, title: search_users("carol.clark@contoso.com")[0])
        dialog.pick_button.click()
        dialog.select_package(tenant.payroll)
        dialog.assign_button.click()  # Carol already has it
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        assert dialog.created is None
        monkeypatch.setattr(user_picker, "pick_user", lambda parent, title: search_users("alice.archer@contoso.com")[0])
        dialog.pick_button.click()
        dialog.justification.setText("Payroll audit")
        dialog.assign_button.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        chosen.append(dialog.created)
        return dialog.result()

    monkeypatch.setattr(NewAssignmentDialog, "exec", run)
    page.new_button.click()
    assert informed and "Carol Clark already has access package 'Payroll readers'" in informed[0][1]
    request = chosen[0]
    assert request.request_type == "adminAdd" and request.target_id == tenant.alice.id
    assert request.justification == "Payroll audit"
    qtbot.waitUntil(lambda: rows(page.requests_view, "id")[0] == request.id, timeout=10_000)


def test_remove_a_delivered_assignment_after_confirmation(tenant, open_page, monkeypatch, qtbot):
    """Remove is offered for a delivered request's active assignment, asks first, and ends it."""
    page = open_page(tenant.admin)
    page.tabs.setCurrentWidget(page.requests_view)
    view = page.requests_view
    ids = rows(view, "id")
    view.select_row(ids.index(tenant.denied.id))
    assert not page.remove_button.isEnabled()
    view.select_row(ids.index(tenant.delivered.id))
    assert page.remove_button.isEnabled()
    asked = []
    monkeypatch.setattr(messages, "choose", lambda parent, title, text, choices, **kw: asked.append(text) or "Cancel")
    page.remove_button.click()
    assert "Remove Alice Archer's assignment of Field sales?" in asked[0]
    assert Assignment.get_by_id(tenant.delivered.assignment_id).state == "delivered"
    monkeypatch.setattr(messages, "choose", lambda *args, **kwargs: "Remove")
    page.remove_button.click()
    qtbot.waitUntil(lambda: rows(view, "type")[0] == "adminRemove", timeout=10_000)
    assert Assignment.get_by_id(tenant.delivered.assignment_id).state == "expired"
    view.select_row(rows(view, "id").index(tenant.delivered.id))
    assert not page.remove_button.isEnabled()


def test_process_due_items_times_out_and_summarises(tenant, open_page, qtbot, informed):
    """Past the stage's 14 days, Process due items times the request out, in the background."""
    page = open_page(tenant.admin)
    tenant.clock.advance(timedelta(days=15))
    page.process_button.click()
    qtbot.waitUntil(lambda: bool(informed), timeout=10_000)
    assert informed[0] == (
        "Process due items",
        "1 request timed out (no approver acted in time); 0 assignments expired (their end date passed).",
    )
    assert AssignmentRequest.get_by_id(tenant.pending.id).status == "TimedOut"
    assert page.pending_view.model.rowCount() == 0


def test_process_due_items_names_what_it_skipped(tenant, open_page, qtbot, monkeypatch):
    """A stage duration the lifecycle cannot use is named in a warning; the rest is processed."""
    shown = []
    monkeypatch.setattr(messages, "inform", lambda parent, title, text, **options: shown.append((text, options)))
    ApprovalStage.update(duration_before_automatic_denial="P10000Y").where(
        (ApprovalStage.policy == tenant.pending.assignment_policy_id) & (ApprovalStage.stage_number == 2)
    ).execute()
    page = open_page(tenant.admin)
    tenant.clock.advance(timedelta(days=15))
    page.process_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    text, options = shown[0]
    assert text.startswith("1 request timed out")
    assert "Skipped 1 that could not be processed" in text
    assert "Policy 'Two approvals'" in text and "'P10000Y' is longer than 1,000 years" in text
    assert options["icon"] == messages.Icon.Warning


def test_an_approver_without_a_role_decides_only_their_queue(tenant, open_page):
    """A plain approver sees their queue; every request and the admin actions say why not."""
    page = open_page(tenant.manager)
    assert page.pending_view.model.rowCount() == 1
    assert not page.new_button.isEnabled() and not page.process_button.isEnabled()
    assert "Mona Manager cannot manage requests and assignments" in page.new_button.toolTip()
    assert page.tabs.widget(1) is not page.requests_view
