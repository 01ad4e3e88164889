import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from desktop import audit_log as log
from desktop.audit_chain import verify
from desktop.cli import main
from desktop.demo import DEMO_ADMINISTRATOR_UPN, HISTORY_DAYS, build_demo
from desktop.demo_history import DAYS_PER_TRANSACTION
from desktop.errors import Cancelled, Refused
from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR, roles_of
from models import (
    ALL_MODELS,
    AccessPackage,
    ApprovalStage,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    AuditEvent,
    ConnectedOrganization,
    IncompatibleAccessPackage,
    User,
)
from models.database import SCHEMA_VERSION, close_database, open_database
from models.policy import ALLOWED_TARGET_SCOPES
from tests.helpers.lifecycle_paths import PATHS, TOKENS

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def table_digest() -> str:
    """A digest of every row of every table, in primary-key order."""
    digest = hashlib.sha256()
    for model in ALL_MODELS:
        if model.__name__ == "SchemaInfo":
            continue
        for row in model.select().order_by(*model._meta.get_primary_keys()).tuples().iterator():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def build(path, seed=7) -> str:
    open_database(path)
    try:
        build_demo("small", seed=seed, now=NOW)
        return table_digest()
    finally:
        close_database()


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """The small demo (seed 7) built once for the tests that only read it: (path, digest)."""
    path = tmp_path_factory.mktemp("demo") / "small.db"
    return path, build(path)


@pytest.fixture
def demo(small_demo):
    open_database(small_demo[0])
    yield
    close_database()


@pytest.mark.slow
def test_same_seed_builds_the_same_tenant(tmp_path, small_demo):
    """Two builds with one seed and anchor are identical, row for row, history and audit chain
    included; another seed differs."""
    assert build(tmp_path / "b.db") == small_demo[1]
    assert build(tmp_path / "c.db", seed=8) != small_demo[1]


def test_small_demo_covers_what_the_reports_need(demo):
    """Members and guests, every target scope, 0-3 approval stages, every expiration, SoD."""
    assert 450 <= User.select().count() <= 600
    assert User.select().where(User.user_type == "Guest").count() > 30
    assert AccessPackage.select().count() == 40
    assert ConnectedOrganization.select().where(ConnectedOrganization.state == "proposed").count() == 1
    scopes = {p.allowed_target_scope for p in AssignmentPolicy.select()}
    assert scopes == set(ALLOWED_TARGET_SCOPES) - {
        "specificDirectoryServicePrincipals",
        "allDirectoryServicePrincipals",
    }
    stage_counts = {p.approval_stages.count() for p in AssignmentPolicy.select()}
    assert stage_counts == {0, 1, 2, 3}
    assert {p.expiration_type for p in AssignmentPolicy.select()} == {"noExpiration", "afterDuration", "afterDateTime"}
    assert IncompatibleAccessPackage.select().exists()
    assert ApprovalStage.select().where(ApprovalStage.is_approver_justification_required).exists()


@pytest.mark.slow
def test_small_demo_has_six_months_of_history_up_to_now(demo):
    """Requests of every outcome through the lifecycle, each with a valid trail, from six
    months back to the anchor: the workbooks' 24 h, 7 d, 30 d and 90 d ranges all have
    activity; the audit chain verifies."""
    assert AssignmentRequest.select().count() > 2000 and Assignment.select().count() > 1000
    states = {r.id: r.state for r in AssignmentRequest.select()}
    assert {"delivered", "denied", "canceled", "pendingApproval"} <= set(states.values())
    trails: dict[str, str] = {}
    for event in (
        AuditEvent.select()
        .where(AuditEvent.correlation_id.in_(list(states)))
        .order_by(AuditEvent.activity_date_time, AuditEvent.seq)
    ):
        trails[event.correlation_id] = trails.get(event.correlation_id, "") + TOKENS[event.activity_display_name]
    for request_id, trail in trails.items():
        assert PATHS[states[request_id]].fullmatch(trail), (states[request_id], trail)
    times = AuditEvent.select(AuditEvent.activity_date_time)
    assert (
        NOW - timedelta(days=HISTORY_DAYS)
        <= min(e.activity_date_time for e in times)
        < NOW - timedelta(days=HISTORY_DAYS - 2)
    )
    assert max(e.activity_date_time for e in times) <= NOW
    for days in (1, 7, 30, 90):
        assert times.where(AuditEvent.activity_date_time >= NOW - timedelta(days=days)).exists(), days
    assert verify().intact


def test_small_demo_has_app_role_grants_made_outside_entitlement_management(demo):
    """Administrators grant app roles directly too: records initiated by a user, not the app."""
    outside = AuditEvent.select().where(
        (AuditEvent.activity_display_name == log.ADD_APP_ROLE_ASSIGNMENT.name)
        & (AuditEvent.initiated_by_type == "user")
    )
    assert outside.count() > 100


def test_demo_starts_with_an_identity_governance_administrator(demo):
    """The demo's acting administrator holds Identity Governance Administrator."""
    admin = User.get(User.upn_key == DEMO_ADMINISTRATOR_UPN)
    assert IDENTITY_GOVERNANCE_ADMINISTRATOR in roles_of(admin)


def test_demo_refuses_a_database_that_holds_a_tenant(demo):
    """Building twice into one database is refused, not merged."""
    with pytest.raises(Refused, match="already holds a tenant"):
        build_demo("small", now=NOW)


def test_demo_cancelled_while_building_the_directory_leaves_the_database_empty(database):
    """Cancelling before the history starts writes nothing."""
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        build_demo("small", now=NOW, cancelled=lambda: next(calls) > 3)
    assert not User.select().exists()


def test_demo_cancelled_during_the_history_keeps_the_months_made(database):
    """The history commits a month at a time: a cancelled build keeps the tenant and the
    months made so far (the GUI builds under a temporary name and deletes it)."""
    phases = []

    def cancelled() -> bool:
        return phases.count("Request history") >= DAYS_PER_TRANSACTION + 5

    with pytest.raises(Cancelled):
        build_demo("small", now=NOW, progress=lambda phase, done, total: phases.append(phase), cancelled=cancelled)
    assert User.select().exists() and AssignmentRequest.select().exists()
    assert verify().intact


@pytest.mark.slow
def test_cli_demo_then_info_shows_the_counts(tmp_path, capsys):
    """`demo --size small` then `info` prints the schema version and every table's rows."""
    path = str(tmp_path / "demo.db")
    assert main(["--db", path, "demo", "--size", "small"]) == 0
    assert main(["--db", path, "info"]) == 0
    out = capsys.readouterr().out
    assert f"schema version  {SCHEMA_VERSION}" in out
    users = next(line for line in out.splitlines() if line.startswith("user "))
    assert int(users.split()[-1].replace(",", "")) > 450


def test_cli_reports_a_bad_database_on_stderr(tmp_path, capsys):
    """A file that is not a database: one line on stderr, exit code 2."""
    path = tmp_path / "junk.db"
    path.write_text("not a database")
    assert main(["--db", str(path), "info"]) == 2
    err = capsys.readouterr().err
    assert "not an Entitlement Desk database" in err and "Traceback" not in err


def test_app_role_grants_follow_an_organisations_week(demo):
    """Administrators' direct app-role grants happen on weekdays, in bursts, and stop for the
    public holidays and the year's end: not a flat two a day."""
    from collections import Counter

    from desktop.demo_history import is_holiday
    from desktop.reports.audit import utc_time

    grants = (
        AuditEvent.select(AuditEvent.activity_date_time)
        .where(
            (AuditEvent.activity_display_name == log.ADD_APP_ROLE_ASSIGNMENT.name)
            & (AuditEvent.initiated_by_type == "user")
        )
        .tuples()
    )
    per_day = Counter(utc_time(moment).date() for (moment,) in grants)
    total = sum(per_day.values())
    weekend = sum(count for day, count in per_day.items() if day.weekday() >= 5)
    assert weekend < 0.05 * total
    assert not any(is_holiday(day) for day in per_day)
    weekdays = sorted(count for day, count in per_day.items() if day.weekday() < 5)
    assert weekdays[-1] >= 4 * weekdays[len(weekdays) // 2]  # a burst beside an ordinary day
    hours = Counter(utc_time(moment).hour for (moment,) in grants)
    assert min(hours) >= 8 and max(hours) < 18  # office hours, not whenever the day's requests ended
