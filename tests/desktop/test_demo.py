import hashlib
from datetime import datetime, timezone

import pytest

from desktop.cli import main
from desktop.demo import DEMO_ADMINISTRATOR_UPN, build_demo
from desktop.errors import Cancelled, Refused
from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR, roles_of
from models import (
    ALL_MODELS, AccessPackage, ApprovalStage, AssignmentPolicy, ConnectedOrganization,
    IncompatibleAccessPackage, User,
)
from models.database import SCHEMA_VERSION, close_database, open_database
from models.policy import ALLOWED_TARGET_SCOPES

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


def test_same_seed_builds_the_same_tenant(tmp_path):
    """Two builds with one seed are identical, row for row; another seed differs."""
    first = build(tmp_path / "a.db")
    assert build(tmp_path / "b.db") == first
    assert build(tmp_path / "c.db", seed=8) != first


def test_small_demo_covers_what_the_reports_need(database):
    """Members and guests, every target scope, 0-3 approval stages, every expiration, SoD."""
    build_demo("small", now=NOW)
    assert 450 <= User.select().count() <= 600
    assert User.select().where(User.user_type == "Guest").count() > 30
    assert AccessPackage.select().count() == 40
    assert ConnectedOrganization.select().where(ConnectedOrganization.state == "proposed").count() == 1
    scopes = {p.allowed_target_scope for p in AssignmentPolicy.select()}
    assert scopes == set(ALLOWED_TARGET_SCOPES) - {
        "specificDirectoryServicePrincipals", "allDirectoryServicePrincipals"}
    stage_counts = {p.approval_stages.count() for p in AssignmentPolicy.select()}
    assert stage_counts == {0, 1, 2, 3}
    assert {p.expiration_type for p in AssignmentPolicy.select()} == {
        "noExpiration", "afterDuration", "afterDateTime"}
    assert IncompatibleAccessPackage.select().exists()
    assert ApprovalStage.select().where(ApprovalStage.is_approver_justification_required).exists()


def test_demo_starts_with_an_identity_governance_administrator(database):
    """The demo's acting administrator holds Identity Governance Administrator."""
    build_demo("small", now=NOW)
    admin = User.get(User.upn_key == DEMO_ADMINISTRATOR_UPN)
    assert IDENTITY_GOVERNANCE_ADMINISTRATOR in roles_of(admin)


def test_demo_refuses_a_database_that_holds_a_tenant(database):
    """Building twice into one database is refused, not merged."""
    build_demo("small", now=NOW)
    with pytest.raises(Refused, match="already holds a tenant"):
        build_demo("small", now=NOW)


def test_cancelled_demo_leaves_the_database_empty(database):
    """Cancelling part-way writes nothing."""
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        build_demo("small", now=NOW, cancelled=lambda: next(calls) > 3)
    assert not User.select().exists()


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
