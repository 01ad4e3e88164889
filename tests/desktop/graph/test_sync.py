"""The sync against the stand-in Graph: first sync, cancel, failure, incremental sync with a
deletion and a change, the audit log's overlap, the record of every run."""

import threading
from datetime import timedelta

import pytest

from desktop.errors import Cancelled, Forbidden, InvalidInput
from desktop.graph import sync as sync_module
from desktop.graph.client import GraphClient
from desktop.graph.errors import DeltaExpired, PermissionMissing
from desktop.graph.sync import (
    CANCELLED,
    FAILED,
    FULL,
    INCREMENTAL,
    SUCCEEDED,
    Sync,
    history,
)
from desktop.graph.tokens import EnvironmentToken
from desktop.importers import kinds
from desktop.lifecycle import Lifecycle
from desktop.lookup import find_access_package
from models import (
    AccessPackage,
    AppRoleAssignment,
    ApprovalDecision,
    Assignment,
    AssignmentRequest,
    AuditEvent,
    DatabaseLogin,
    DirectoryRoleAssignment,
    GroupMember,
    User,
    db,
)
from desktop.session import database_login
from models.sync import DeltaLink, SyncRun, TenantConnection
from tests.helpers.digest import database_digest
from tests.helpers.graph_standin import EPOCH
from tests.helpers.tampering import as_owner

TOKEN = "stand-in-token"


def sync(graph, **options) -> "sync_module.SyncOutcome":
    client = GraphClient(graph.url, EnvironmentToken(TOKEN), sleep=lambda seconds: None)
    with client:
        return Sync(client, **options).run()


def test_first_sync_brings_in_every_kind(database, graph, tenant):
    """Users, roles and their members, packages, resources and group members, policies,
    assignments, requests and the audit log all arrive; the run is recorded as a full sync."""
    outcome = sync(graph)
    assert outcome.run.result == SUCCEEDED and outcome.run.mode == FULL
    assert User.select().count() == len(tenant.users)
    assert AccessPackage.select().count() == len(tenant.packages)
    assert Assignment.select().count() == len(tenant.assignments)
    assert AuditEvent.select().count() == len(tenant.audits)
    assert GroupMember.select().count() == sum(len(m) for m in tenant.group_members.values())
    admin = User.get_by_id(tenant.me)
    assert DirectoryRoleAssignment.select().where(DirectoryRoleAssignment.principal == admin).count() == 1
    connection = TenantConnection.get()
    assert (connection.tenant_id, connection.display_name, connection.signed_in_upn) == (
        tenant.tenant_id,
        tenant.name,
        tenant.users[tenant.me]["userPrincipalName"],
    )
    assert {link.kind for link in DeltaLink.select()} == {kinds.USER, kinds.GROUP, kinds.AUDIT}
    assert outcome.run.counts[kinds.ASSIGNMENT]["fetched"] == len(tenant.assignments)


def test_cancel_mid_sync_leaves_the_database_exactly_as_it_was(database, graph, tenant):
    """Cancelled after the first pages arrived: nothing is written, the run says cancelled."""
    sync(graph)
    tenant.change_user(list(tenant.users)[2], displayName="Renamed Before Cancel")
    before = database_digest(excluding=(SyncRun,))
    client = GraphClient(graph.url, EnvironmentToken(TOKEN))
    running = Sync(client, full=True)
    seen = []

    def progress(kind, records, total):
        seen.append(kind)
        if kind == kinds.ASSIGNMENT:
            running.cancel()

    running.progress = progress
    with client, pytest.raises(Cancelled):
        running.run()
    assert database_digest(excluding=(SyncRun,)) == before
    assert kinds.USER in seen
    assert SyncRun.select().order_by(SyncRun.id.desc()).first().result == CANCELLED


def test_a_failed_sync_writes_nothing_and_is_recorded(database, graph):
    """A 403 on the audit log after everything else was fetched: the database is unchanged."""
    before = database_digest(excluding=(SyncRun,))
    graph.fault("/auditLogs", 403)
    with pytest.raises(PermissionMissing, match="AuditLog.Read.All"):
        sync(graph)
    assert database_digest(excluding=(SyncRun,)) == before
    run = SyncRun.get()
    assert run.result == FAILED and "AuditLog.Read.All" in run.message


def test_throttling_and_dropped_connections_do_not_fail_a_sync(database, graph, tenant):
    graph.fault("/users/delta", 429, retry_after="1")
    graph.fault("/assignments", 503)
    graph.fault("/catalogs", "drop")
    assert sync(graph).run.result == SUCCEEDED
    assert Assignment.select().count() == len(tenant.assignments)


def test_incremental_sync_takes_changes_and_deletions(database, graph, tenant):
    """The second sync asks users and groups for their changes only (delta links), takes a
    renamed user, and counts a removed user and a removed assignment as deleted."""
    sync(graph)
    changed, removed = list(tenant.users)[3], list(tenant.users)[5]
    tenant.change_user(changed, displayName="Zoë Renamed")
    tenant.remove_user(removed)
    tenant.remove_assignment(list(tenant.assignments)[0])
    outcome = sync(graph)
    assert outcome.run.mode == INCREMENTAL
    assert graph.requested("/users/delta?$deltatoken=") == 1
    assert outcome.fetched[kinds.USER] == 2  # the change and the removal, not every user
    assert User.get_by_id(changed).display_name == "Zoë Renamed"
    assert outcome.run.counts[kinds.USER]["deleted"] == 1
    assert outcome.run.counts[kinds.ASSIGNMENT]["deleted"] == 1
    assert kinds.GROUP not in outcome.run.counts or "deleted" not in outcome.run.counts[kinds.GROUP]


def test_deletions_reach_the_importer_through_the_contract(database, graph, tenant, monkeypatch):
    """A full sync declares every kind it listed whole as complete; an incremental one leaves users
    and groups out (their delta pages carry `@removed` instead)."""
    calls = []
    real = sync_module.import_documents

    def spy(documents, **options):
        calls.append(options)
        return real(documents, **options)

    monkeypatch.setattr(sync_module, "import_documents", spy)
    sync(graph)
    sync(graph)
    assert {kinds.USER, kinds.GROUP, kinds.ASSIGNMENT, kinds.ACCESS_PACKAGE} <= set(calls[0]["complete"])
    assert kinds.AUDIT not in calls[0]["complete"]
    assert kinds.USER not in calls[1]["complete"] and kinds.ASSIGNMENT in calls[1]["complete"]
    assert calls[1]["observed_at"] is not None


def test_audit_log_is_fetched_from_the_newest_record_with_an_overlap(database, graph, tenant):
    """The next sync filters on activityDateTime from just before the newest record held; the
    overlap brings records already held, which are not stored twice."""
    sync(graph)
    newest = max(record["activityDateTime"] for record in tenant.audits)
    tenant.add_audit(EPOCH + timedelta(days=3))
    outcome = sync(graph)
    assert graph.requested("$filter=activityDateTime%20ge%20") == 1
    assert 1 < outcome.fetched[kinds.AUDIT] < len(tenant.audits)  # the overlap and the new one
    assert AuditEvent.select().count() == len(tenant.audits)
    assert newest < max(record["activityDateTime"] for record in tenant.audits)


def test_sync_needs_an_entitlement_management_role(database, graph, tenant):
    """A signed-in user without Identity Governance Administrator or Global Administrator is refused
    before anything is fetched, and the refusal names the roles they hold."""
    for _, members in tenant.roles.values():
        members[:] = [pk for pk in members if pk != tenant.me]
    with pytest.raises(Forbidden, match="Identity Governance Administrator.*no directory role"):
        sync(graph)
    assert User.select().count() == 0
    refused = SyncRun.get()
    assert refused.result == FAILED and refused.signed_in == "user1@fabrikam.example"
    assert graph.requested("/users/delta") == 0


def test_a_bound_login_syncs_only_as_its_own_user(database, graph, tenant, on_postgresql):
    """On a shared database whose logins are bound, a login bound to another user cannot sync
    as the signed-in administrator, and nothing is written."""
    if not on_postgresql:
        pytest.skip("database logins exist on PostgreSQL")
    sync(graph)
    someone_else = User.select().where(User.id != tenant.me).first()
    login = database_login()
    with as_owner():
        DatabaseLogin.create(role_name=login, user=someone_else)
    before = database_digest(excluding=(SyncRun,))
    with pytest.raises(Forbidden, match="acts as"):
        sync(graph)
    assert database_digest(excluding=(SyncRun,)) == before


def test_a_database_of_another_tenant_is_not_synced(database, graph, tenant):
    sync(graph)
    TenantConnection.update(tenant_id="another-tenant").execute()
    with pytest.raises(InvalidInput, match="mirrors the tenant"):
        sync(graph)


def test_only_some_kinds(database, graph, tenant):
    outcome = sync(graph, only={kinds.USER, kinds.GROUP})
    assert User.select().count() == len(tenant.users)
    assert AccessPackage.select().count() == 0
    assert set(outcome.run.counts) == {kinds.USER, kinds.GROUP}


def test_history_lists_every_run_newest_first(database, graph):
    sync(graph)
    graph.fault("/auditLogs", 403)
    with pytest.raises(PermissionMissing):
        sync(graph)
    runs = history()
    assert [run.result for run in runs] == [FAILED, SUCCEEDED]
    assert all(run.endpoint == graph.url and run.finished_at >= run.started_at for run in runs)
    assert runs[1].signed_in.startswith("user1@")


def test_sync_runs_on_a_worker_thread_too(database, graph, tenant):
    """The GUI runs the sync on a pool thread: it works there the same (its own connection)."""
    errors = []

    def work():
        try:
            sync(graph)
        except Exception as error:  # reported to the test thread
            errors.append(error)
        finally:
            db.close()  # as a job does: each thread's connection ends with its work

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert not errors
    assert User.select().count() == len(tenant.users)


def test_an_expired_delta_link_fails_cleanly_and_the_next_sync_is_full(database, graph, tenant):
    """410 Gone for a stored delta link: nothing written, the links dropped, the next sync full."""
    sync(graph)
    tenant.change_user(list(tenant.users)[1], displayName="Changed While Expired")
    tenant.oldest_delta = tenant.version + 1
    before = database_digest(excluding=(SyncRun, DeltaLink))
    with pytest.raises(DeltaExpired, match="410 Gone.*sync again"):
        sync(graph)
    assert database_digest(excluding=(SyncRun, DeltaLink)) == before
    outcome = sync(graph)
    assert outcome.run.mode == FULL
    assert User.get_by_id(list(tenant.users)[1]).display_name == "Changed While Expired"


def test_the_core_writes_on_a_synced_database_only_as_the_signed_in_user(database, graph, tenant):
    """A request made in the name of another user is refused by the lifecycle itself, not only by
    the CLI; the signed-in user's own request goes through."""
    sync(graph)
    package = find_access_package(next(iter(tenant.packages.values()))["displayName"])
    other = User.get_by_id(list(tenant.users)[1])
    before = AssignmentRequest.select().count()
    with pytest.raises(Forbidden, match="acts as user1@fabrikam.example; it cannot act as"):
        Lifecycle().submit(other, package)
    assert AssignmentRequest.select().count() == before


def test_the_app_roles_of_a_resource_application_are_synced(database, graph, tenant):
    """An application that is a catalog resource: who holds its app roles comes from its
    service principal's `appRoleAssignedTo`, asked for in a batch after the catalog's resources."""
    ((service_principal, grants),) = tenant.app_role_assignments.items()
    outcome = sync(graph)
    assert outcome.run.result == SUCCEEDED
    assert graph.requested("/$batch") >= 1
    held = {(grant.id, grant.principal_id, grant.application_id) for grant in AppRoleAssignment.select()}
    assert held == {(g["id"], g["principalId"], service_principal) for g in grants}
    assert outcome.fetched[kinds.APP_ROLE_ASSIGNMENT] == len(grants)


def test_the_decisions_on_a_pending_request_are_synced(database, graph, tenant):
    """A request waiting for approval: its stages (`assignmentApprovals/{id}/stages`) give the
    decisions taken so far; a stage not yet reviewed is none."""
    ((request_id, stages),) = tenant.approval_stages.items()
    outcome = sync(graph)
    assert outcome.run.result == SUCCEEDED
    assert AssignmentRequest.get_by_id(request_id).state == "pendingApproval"
    decisions = [
        (d.stage_number, d.review_result, d.approver_id, d.justification)
        for d in ApprovalDecision.select().where(ApprovalDecision.request == request_id)
    ]
    assert decisions == [(1, "Approve", tenant.me, "Looks right")]
    assert outcome.fetched[kinds.APPROVAL_STAGE] == len(stages)
