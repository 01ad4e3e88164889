"""The attack run of issue 15, one test (or a few) per finding: exports that could destroy
the database, CSV formula injection, leftovers of killed exports, planted backup names,
file modes and read-only databases."""

import csv
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from desktop.audit_chain import append
from desktop.audit_record import event_fields
from desktop.cli import main
from desktop.errors import OutputError
from desktop.export import export
from desktop.export.atomic import SCRATCH_PREFIX
from desktop.export.delimited import FORMULA_TRIGGERS
from desktop.reports.audit import AuditLogReport
from models import AuditEvent
from models.database import close_database, migrate, open_database, resolve_location
from tests.helpers.tampering import tampering
from tests.helpers.audit_documents import document
from tests.helpers.list_report import INJECTION, text_report
from tests.helpers.role_files import role_file

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("ENTITLEMENT_DESK_TEST_DB")), reason="about the SQLite file itself"
)


def audit_event(number: int = 1, **changes) -> None:
    """One chained audit record (test_audit_chain's document `number`), with `changes`."""
    append([event_fields({**document(number), **changes})])


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# -- item 4: an export never overwrites the database, a device or a folder ----------------


@sqlite_only
@pytest.mark.parametrize("spelling", ["{db}", "{folder}/x/../{name}", "{db}-wal", "{db}-shm", "{db}-journal"])
def test_export_refuses_the_open_database_however_spelled(database, spelling):
    """`-o d.db`, `x/../d.db` and its journal files are refused; the database is untouched."""
    db_file = database.path
    (db_file.parent / "x").mkdir()
    before = db_file.read_bytes()
    target = spelling.format(db=db_file, folder=db_file.parent, name=db_file.name)
    existed = os.path.exists(target)
    with pytest.raises(OutputError, match="open database"):
        export(target, text_report(["a"]), format="csv")
    assert db_file.read_bytes() == before
    assert os.path.exists(target) == existed
    assert not list(db_file.parent.glob("*.part"))


@sqlite_only
def test_export_refuses_a_link_to_the_database(database, tmp_path):
    link = tmp_path / "innocent.csv"
    link.symlink_to(database.path)
    with pytest.raises(OutputError, match="open database"):
        export(link, text_report(["a"]))
    assert link.is_symlink()


def test_export_refuses_a_device_and_a_folder(database, tmp_path):
    """`-o /dev/null` keeps the device node; a folder is refused; both exit 2 in the CLI."""
    before = os.stat("/dev/null")
    with pytest.raises(OutputError, match="special file"):
        export("/dev/null", text_report(["a"]), format="csv")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    with pytest.raises(OutputError, match="folder"):
        export(tmp_path, text_report(["a"]), format="csv")


def test_cli_export_onto_the_database_exits_2(database, database_target, capsys, tmp_path):
    target = database.path if database.kind == "sqlite" else tmp_path / "dev-null-link.csv"
    if database.kind != "sqlite":
        target.symlink_to("/dev/null")
    code = main(["--db", str(database_target), "export", "audit", "--format", "csv", "-o", str(target)])
    assert code == 2
    assert "Cannot save" in capsys.readouterr().err


# -- item 7: CSV formula injection -----------------------------------------------------------


def test_csv_cells_that_look_like_formulas_are_neutralised(database, tmp_path):
    """Every cell starting with = + - @ tab or CR gets a leading apostrophe; others stay."""
    path = tmp_path / "texts.csv"
    export(path, text_report(INJECTION))
    cells = [row[0] for row in read_csv(path)[1:]]
    assert cells == [("'" + value if value.startswith(FORMULA_TRIGGERS) else value) for value in INJECTION]
    assert cells[:7] == ["'=1+1", "{=1+1}", "'+A1", "'-2+3", "'@SUM(A1)", "'\t=1+1", "'\r=1+1"]


def test_csv_raw_keeps_the_text(database, tmp_path):
    path = tmp_path / "raw.csv"
    export(path, text_report(INJECTION), csv_raw=True)
    assert [row[0] for row in read_csv(path)[1:]] == INJECTION


def test_entra_layout_is_neutralised_too(database, database_target, tmp_path, capsys):
    """An audit record whose activity and justification are formulas, in the Entra layout, by the CLI."""
    audit_event(activityDisplayName="=cmd|' /C calc'!A0", resultReason="@SUM(1)")
    path, raw = tmp_path / "entra.csv", tmp_path / "entra-raw.csv"
    assert main(["--db", str(database_target), "export", "audit", "--layout", "entra", "-o", str(path)]) == 0
    assert (
        main(["--db", str(database_target), "export", "audit", "--layout", "entra", "--csv-raw", "-o", str(raw)]) == 0
    )
    header, row = read_csv(path)
    record = dict(zip(header, row))
    assert record["Activity"] == "'=cmd|' /C calc'!A0" and record["ResultReason"] == "'@SUM(1)"
    header, row = read_csv(raw)
    assert dict(zip(header, row))["Activity"] == "=cmd|' /C calc'!A0"
    assert AuditLogReport().count() == 1


# -- item 12: leftovers of a killed export ---------------------------------------------------

KILLED_EXPORT = """
import os, sys
from models.database import open_database
from desktop.export import export
from desktop.reports.base import Column, Report

class Endless(Report):
    name, columns = "Endless", (Column("text", "Text"),)
    def count(self): return 10**9
    def page(self, offset, limit, sort_key=None, descending=False): return []
    def iterate(self, sort_key=None, descending=False):
        number = 0
        while True:
            number += 1
            if number == 20_000:
                print("writing", flush=True)
            yield (f"row {number}",)

open_database(sys.argv[1])
export(sys.argv[2], Endless())
"""


@sqlite_only
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_next_export_removes_what_a_killed_one_left(database, tmp_path, suffix):
    """Scratch space is beside the target (no folders in the system temp); a kill leaves
    `.NAME.PID.*.part` (and scratch), which the next export in that folder removes."""
    close_database()
    target = tmp_path / f"report.{suffix}"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(database.path), str(target)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    with child.stdout:
        assert child.stdout.readline() == b"writing\n"
        child.kill()
        child.wait()
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith((".report", SCRATCH_PREFIX))]
    assert any(name.endswith(".part") for name in left)
    assert (suffix == "xlsx") == any(name.startswith(SCRATCH_PREFIX) for name in left)
    open_database(database.path)
    export(tmp_path / "next.csv", text_report(["a"]))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert not target.exists()


def test_a_live_exports_temporary_file_is_left_alone(database, tmp_path):
    """Only leftovers of dead processes are removed: another running export keeps its file."""
    parent = os.getppid()
    busy = tmp_path / f".other.csv.{parent}.abcd1234.part"
    busy.write_text("in progress")
    export(tmp_path / "mine.csv", text_report(["a"]))
    assert busy.exists()


# -- item 13: the migration backup ------------------------------------------------------------


@sqlite_only
def test_migration_backup_refuses_a_planted_link(tmp_path, monkeypatch):
    """A link planted at the backup's name is not followed: the upgrade stops, the link's
    target keeps its content, the database is not migrated."""
    from datetime import datetime as real_datetime

    class Frozen(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz)

    path = tmp_path / "tenant.db"
    open_database(path)
    close_database()
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    planted = tmp_path / "tenant.db.v4-20260102T030405Z.bak"
    planted.symlink_to(victim)
    monkeypatch.setattr("models.database.datetime", Frozen)
    from models.database import DatabaseOpenError

    with pytest.raises(DatabaseOpenError, match="already exists"):
        migrate(resolve_location(path), 4, steps={5: lambda database: None}, to_version=5)
    assert victim.read_text() == "mine"
    assert planted.is_symlink()


# -- item 14: a pre-existing empty file ---------------------------------------------------------


@sqlite_only
def test_an_empty_file_becomes_an_owner_only_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    open_database(path)
    close_database()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# -- item 15: a read-only database in a read-only folder -----------------------------------------


@sqlite_only
def test_a_read_only_database_in_a_read_only_folder_exports_and_verifies(tmp_path, monkeypatch, capsys):
    """Opened read-only (no -wal or -shm made): export and `audit verify` work, writes are refused."""
    folder = tmp_path / "archive"
    folder.mkdir()
    path = folder / "tenant.db"
    open_database(path)
    audit_event()
    close_database()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in folder.glob("tenant.db-*"):
        leftover.unlink()
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    # The tests run as root, whom permissions do not stop: deny writes the way the kernel
    # would for anyone else.
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, **kw: (
            False if mode & os.W_OK and str(p).startswith(str(folder)) else real_access(p, mode, **kw)
        ),
    )
    try:
        out = tmp_path / "audit.csv"
        assert main(["--db", str(path), "export", "audit", "-o", str(out)]) == 0
        assert len(read_csv(out)) == 2
        assert main(["--db", str(path), "audit", "verify"]) == 0
        assert "intact: 1 records" in capsys.readouterr().out
        open_database(path)
        with pytest.raises(Exception, match="readonly|read-only"):
            audit_event()
        close_database()
        assert sorted(p.name for p in folder.iterdir()) == ["tenant.db"]
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o600)


# -- items 1 and 2: the login binding and roles on every write -------------------------------------

AT = "2026-01-05T09:00:00Z"


@pytest.fixture
def shared(database, database_target, monkeypatch, on_postgresql, capsys):
    """The lifecycle tenant plus a Global Administrator, with this connection's login (the
    real one on PostgreSQL, a stand-in on SQLite) and a CLI runner returning (code, out, err)."""
    from desktop import session
    from desktop.permissions import GLOBAL_ADMINISTRATOR
    from tests.helpers import factories
    from tests.helpers.lifecycle_tenant import build

    tenant = build()
    gina = factories.user("Gina Global")
    factories.grant_role(gina, GLOBAL_ADMINISTRATOR)
    if on_postgresql:
        login = session.database_login()
    else:
        login = "alice_login"
        monkeypatch.setattr(session, "database_login", lambda: login)

    def cli(*argv):
        code = main(["--db", str(database_target), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return tenant, gina, login, cli


def audit_count() -> int:
    return AuditEvent.select().count()


def test_a_bound_login_writes_only_as_its_own_user(shared):
    """Bound to Alice: every write command given another --as is refused and writes nothing;
    as Alice (or without --as) it works."""
    from desktop.session import bind_login

    tenant, gina, login, cli = shared
    bind_login(gina, login, tenant.alice)
    before = audit_count()
    for argv in (
        ["request", "submit", "--user", "bob@contoso.com", "--package", "Open"],
        ["request", "assign", "--user", "alice@contoso.com", "--package", "Open", "--as", "ada.admin@contoso.com"],
        ["request", "approve", "any-request", "--as", "max.manager@contoso.com"],
        ["request", "deny", "any-request", "--as", "max.manager@contoso.com"],
        ["request", "cancel", "any-request", "--as", "bob@contoso.com"],
        ["assignment", "remove", "any-assignment", "--as", "ada.admin@contoso.com"],
        ["process", "--as", "ada.admin@contoso.com"],
        ["login", "bind", "other", "--user", "bob@contoso.com", "--as", "gina.global@contoso.com"],
        ["login", "unbind", login, "--as", "gina.global@contoso.com"],
        ["import", str(GRAPH / "users.json"), "--as", "ada.admin@contoso.com"],
    ):
        code, _, err = cli(*argv)
        assert (code, "cannot act as" in err) == (2, True), (argv, err)
    assert audit_count() == before
    code, out, _ = cli("request", "submit", "--user", "alice@contoso.com", "--package", "Open", "--at", AT)
    assert code == 0 and out.split("\t")[1] == "delivered"


def test_an_unbound_login_cannot_write_once_logins_are_bound(shared):
    from desktop.lifecycle import Lifecycle
    from desktop.session import bind_login

    tenant, gina, login, cli = shared
    bind_login(gina, "somebody_else", tenant.bob)
    before = audit_count()
    code, _, err = cli("request", "submit", "--user", "alice@contoso.com", "--package", "Open")
    assert code == 2 and "not bound to a directory user" in err
    code, _, err = cli("process", "--as", "ada.admin@contoso.com")
    assert code == 2 and "not bound" in err
    # The core refuses too, whoever the caller claims to be.
    from desktop.errors import Forbidden

    with pytest.raises(Forbidden, match="not bound"):
        Lifecycle().submit(tenant.alice, tenant.open_package)
    assert audit_count() == before


def test_the_core_refuses_an_impersonation_the_cli_did_not_resolve(shared):
    """The GUI and any other caller reach the same check: Lifecycle itself refuses."""
    from desktop.errors import Forbidden
    from desktop.lifecycle import Lifecycle
    from desktop.session import bind_login

    tenant, gina, login, _ = shared
    bind_login(gina, login, tenant.alice)
    with pytest.raises(Forbidden, match="cannot act as Ada Admin"):
        Lifecycle().assign(tenant.admin, tenant.bob, tenant.open_package, tenant.open_policy)
    with pytest.raises(Forbidden, match="cannot act as Ada Admin"):
        Lifecycle().process_due(tenant.admin)


GRAPH = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "graph"


def role_holders() -> set:
    from models import DirectoryRoleAssignment

    return set(DirectoryRoleAssignment.select(DirectoryRoleAssignment.role, DirectoryRoleAssignment.principal).tuples())


def test_import_needs_a_governance_role(shared, tmp_path):
    tenant, _, _, cli = shared
    code, _, err = cli("import", str(GRAPH / "users.json"), "--as", "alice@contoso.com")
    assert code == 2 and "cannot import tenant data: that needs Global Administrator or Identity Governance" in err
    code, out, err = cli("import", str(GRAPH / "users.json"), "--as", "ada.admin@contoso.com")
    assert code == 0, err
    from models import AuditEvent

    record = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
    assert (record.activity_display_name, record.initiated_by_upn) == ("Import tenant data", "ada.admin@contoso.com")


def test_a_role_changing_import_needs_a_global_administrator(shared, tmp_path):
    """An Identity Governance Administrator's import that makes them Global Administrator is
    refused whole; a Global Administrator's is applied and every role change audited."""
    from models import AuditEvent

    tenant, gina, _, cli = shared
    holders, before = role_holders(), audit_count()
    code, _, err = cli("import", role_file(tmp_path, tenant.admin), "--as", "ada.admin@contoso.com")
    assert code == 2 and "only a Global Administrator" in err
    assert (role_holders(), audit_count()) == (holders, before)
    code, _, err = cli("import", role_file(tmp_path, tenant.admin), "--as", "gina.global@contoso.com")
    assert code == 0, err
    changes = {
        (e.activity_display_name, e.target_resources[0]["id"])
        for e in AuditEvent.select().where(AuditEvent.category == "RoleManagement")
    }
    assert changes == {("Add member to role", tenant.admin.id), ("Remove member from role", gina.id)}


def test_binding_logins_is_audited(shared):
    from desktop.session import bind_login, unbind_login
    from models import AuditEvent

    tenant, gina, login, _ = shared
    bind_login(gina, login, gina)
    bind_login(gina, "reporting", tenant.bob)
    unbind_login(gina, "reporting")
    records = [
        (e.activity_display_name, e.initiated_by_upn, e.target_resources[0]["id"])
        for e in AuditEvent.select().order_by(AuditEvent.seq)
    ]
    assert records[-2:] == [
        ("Bind database login to user", "gina.global@contoso.com", "reporting"),
        ("Unbind database login", "gina.global@contoso.com", "reporting"),
    ]


# -- item 6: process needs an administrator, and no time travel ----------------------------------


def test_process_needs_an_administrator(shared):
    tenant, _, _, cli = shared
    code, _, err = cli("process")
    assert code == 2 and "--as" in err
    code, _, err = cli("process", "--as", "alice@contoso.com")
    assert code == 2 and "Identity Governance Administrator" in err
    assert cli("process", "--as", "ada.admin@contoso.com")[0] == 0


def test_a_decision_cannot_be_dated_before_the_request(shared):
    """Approving, denying or cancelling in 2001 a request made in 2026 is refused, as is
    processing an assignment before its history; at or after the request it works."""
    tenant, _, _, cli = shared
    code, out, _ = cli("request", "submit", "--user", "bob@contoso.com", "--package", "Approval", "--at", AT)
    request_id = out.split("\t")[0]
    before = audit_count()
    for verb in ("approve", "deny"):
        code, _, err = cli(
            "request", verb, request_id, "--as", "max.manager@contoso.com", "--at", "2001-01-01T00:00:00Z"
        )
        assert code == 2 and "already holds a record of 2026-01-05 09:00:00 UTC" in err
    code, _, err = cli("request", "cancel", request_id, "--as", "bob@contoso.com", "--at", "2001-01-01T00:00:00Z")
    assert code == 2 and "already holds a record" in err
    assert audit_count() == before
    code, out, _ = cli("request", "approve", request_id, "--as", "max.manager@contoso.com", "--at", AT)
    assert code == 0

    code, out, _ = cli(
        "request",
        "assign",
        "--user",
        "carol@contoso.com",
        "--package",
        "Open",
        "--as",
        "ada.admin@contoso.com",
        "--at",
        "2026-02-01T00:00:00Z",
        "--start",
        "2025-01-01T00:00:00Z",
        "--end",
        "2025-06-01T00:00:00Z",
    )
    assert code == 0, out
    code, _, err = cli("process", "--as", "ada.admin@contoso.com", "--at", "2025-07-01T00:00:00Z")
    assert code == 2 and "already holds a record of 2026-02-01" in err
    code, _, err = cli(
        "assignment",
        "remove",
        out.split("\t")[2].strip(),
        "--as",
        "ada.admin@contoso.com",
        "--at",
        "2025-07-01T00:00:00Z",
    )
    assert code == 2 and "already holds a record" in err


# -- item 9 (options): times at the calendar's limits ---------------------------------------------


@pytest.mark.parametrize(
    "argv, option",
    [
        (["process", "--as", "ada.admin@contoso.com", "--at", "9999-12-31T23:59:59-05:00"], "--at"),
        (["process", "--as", "ada.admin@contoso.com", "--at", "0001-01-01T00:00:00+05:00"], "--at"),
        (["process", "--as", "ada.admin@contoso.com", "--at", "9999-12-31T23:59:59Z"], "--at"),
        (
            ["request", "submit", "--user", "alice@contoso.com", "--package", "Open", "--at", "0001-01-01T00:00:00Z"],
            "--at",
        ),
        (
            [
                "request",
                "assign",
                "--user",
                "alice@contoso.com",
                "--package",
                "Open",
                "--as",
                "ada.admin@contoso.com",
                "--end",
                "9999-12-31T23:59:59-05:00",
            ],
            "--end",
        ),
        (["export", "audit", "-o", "{tmp}/a.csv", "--since", "0001-01-01T00:00:00+05:00"], "--since"),
        (["export", "audit", "-o", "{tmp}/a.csv", "--until", "9999-12-31T23:59:59-05:00"], "--until"),
        (["export", "audit", "-o", "{tmp}/a.csv", "--until", "9999-12-31"], "--until"),
    ],
)
def test_times_at_the_limits_exit_2_naming_the_option(shared, tmp_path, argv, option):
    _, _, _, cli = shared
    code, _, err = cli(*[part.format(tmp=tmp_path) for part in argv])
    assert code == 2 and err.startswith(f"entitlement-desk-cli: {option} ") and "Traceback" not in err, err
    assert not (tmp_path / "a.csv").exists()


# -- item 3: least privilege in the database itself ------------------------------------------------

least_privilege = pytest.mark.skipif(
    not os.environ.get("ENTITLEMENT_DESK_TEST_SETUP_DB"),
    reason="the PostgreSQL pass with least-privilege logins (ENTITLEMENT_DESK_TEST_SETUP_DB)",
)


@least_privilege
def test_an_application_login_cannot_change_the_audit_log(database):
    """UPDATE, DELETE and TRUNCATE are refused to the application role, and the trigger
    refuses them even to a superuser who has not switched it off."""
    import peewee
    from models import db
    from models.database import postgresql_database

    audit_event()
    for statement in ("UPDATE audit_event SET result = 'failure'", "DELETE FROM audit_event", "TRUNCATE audit_event"):
        with pytest.raises(peewee.ProgrammingError, match="permission denied"), db.atomic():
            db.execute_sql(statement)
    superuser = postgresql_database(os.environ["ENTITLEMENT_DESK_TEST_SETUP_DB"])
    superuser.connect()
    try:
        for statement in ("UPDATE audit_event SET result = 'failure'", "TRUNCATE audit_event"):
            with pytest.raises(peewee.ProgrammingError, match="append-only"), superuser.atomic():
                superuser.execute_sql(statement)
    finally:
        superuser.close()
    from desktop.audit_chain import verify

    assert verify().intact and verify().checked == 1


@least_privilege
def test_an_application_login_binds_only_through_the_checked_function(shared):
    """Writing database_login directly is refused; the database's bind function refuses an
    acting user who is not a Global Administrator, or not the login's own user."""
    import peewee
    from desktop.session import BIND_FUNCTION, bind_login
    from models import DatabaseLogin, db

    tenant, gina, login, cli = shared
    with pytest.raises(peewee.ProgrammingError, match="permission denied"), db.atomic():
        DatabaseLogin.insert(role_name=login, user=gina.id).execute()
    # Nor through the cascade from a deleted user.
    with pytest.raises(peewee.ProgrammingError, match="permission denied"), db.atomic():
        db.execute_sql('DELETE FROM "user"')
    with pytest.raises(peewee.ProgrammingError, match="needs a Global Administrator"), db.atomic():
        db.execute_sql(f"SELECT {BIND_FUNCTION}(%s, %s, %s)", (login, tenant.alice.id, tenant.alice.id))
    bind_login(gina, login, gina)
    with pytest.raises(peewee.ProgrammingError, match="acts as another directory user"), db.atomic():
        db.execute_sql(f"SELECT {BIND_FUNCTION}(%s, %s, %s)", ("other", tenant.alice.id, tenant.admin.id))
    assert [(b.role_name, b.user_id) for b in DatabaseLogin.select()] == [(login, gina.id)]


def test_database_setup_is_for_postgresql(database, database_target, capsys, on_postgresql):
    if on_postgresql:
        pytest.skip("on PostgreSQL the setup itself runs before every test of the least-privilege pass")
    assert main(["--db", str(database_target), "database", "setup"]) == 2
    assert "shared PostgreSQL database" in capsys.readouterr().err


# -- item 5: an anchor outside the database --------------------------------------------------------


@pytest.fixture
def anchored(database, database_target, tmp_path, monkeypatch, capsys):
    """Twelve chained records, anchored by the CLI with a key in a private config folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for number in range(12):
        audit_event(number)
    anchor = tmp_path / "anchor.json"
    assert main(["--db", str(database_target), "audit", "anchor", "-o", str(anchor)]) == 0
    capsys.readouterr()

    def verify_cli():
        code = main(["--db", str(database_target), "audit", "verify", "--anchor", str(anchor)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return anchor, verify_cli


def recompute_chain() -> None:
    """What an attacker with write access does after editing: every hash and the head made consistent."""
    from models import SchemaInfo
    from models.audit_chain import HEAD_KEY
    from desktop.audit_anchor import _FIELDS
    from models.audit_chain import GENESIS, chain_hash, record_content_hash

    head = GENESIS
    for row in AuditEvent.select().order_by(AuditEvent.seq).dicts():
        content = record_content_hash(_FIELDS, row)
        head = chain_hash(head, content)
        AuditEvent.update(content_hash=content, chain_hash=head).where(AuditEvent.seq == row["seq"]).execute()
    SchemaInfo.update(value=head).where(SchemaInfo.key == HEAD_KEY).execute()


def test_the_key_is_owner_only_and_outside_the_database(anchored, tmp_path):
    from desktop.audit_anchor import key_path
    import json

    path = key_path()
    assert path.is_relative_to(tmp_path / "config")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    anchor = json.loads(anchored[0].read_text())
    assert anchor["records"] == 12 and "PRIVATE" not in anchored[0].read_text()


def test_an_untouched_log_matches_its_anchor_and_may_grow(anchored):
    anchor, verify_cli = anchored
    audit_event(50)
    code, out, _ = verify_cli()
    assert code == 0
    assert "the first 12 match the anchor, 1 written since" in out and "(your key)" in out


@pytest.mark.parametrize("attack", ["edit", "delete", "insert", "truncate"])
def test_a_recomputed_chain_passes_verify_but_not_the_anchor(anchored, attack):
    """The attack the issue describes: change the log, recompute the chain. Plain verify says
    intact; verify against the anchor names what happened."""
    anchor, verify_cli = anchored
    seqs = [e.seq for e in AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq)]
    with tampering():
        if attack == "edit":
            AuditEvent.update(result="failure").where(AuditEvent.seq == seqs[3]).execute()
        elif attack == "delete":
            AuditEvent.delete().where(AuditEvent.seq == seqs[3]).execute()
        elif attack == "insert":
            AuditEvent.update(seq=AuditEvent.seq + 1000).where(AuditEvent.seq > seqs[3]).execute()
            append([event_fields(document(99))])
            AuditEvent.update(seq=seqs[3] + 1).where(AuditEvent.id == document(99)["id"]).execute()
        else:
            AuditEvent.delete().where(AuditEvent.seq >= seqs[8]).execute()
        recompute_chain()
    from desktop.audit_chain import verify

    assert verify().intact
    code, _, err = verify_cli()
    assert code == 1
    assert ("Records were removed" if attack in ("truncate", "delete") else "no longer match") in err


def test_an_altered_anchor_is_refused(anchored):
    import json

    anchor, verify_cli = anchored
    data = json.loads(anchor.read_text())
    data["records"] = 5
    anchor.write_text(json.dumps(data))
    code, _, err = verify_cli()
    assert code == 2 and "not correctly signed" in err
    anchor.write_text("not json")
    assert verify_cli()[0] == 2


def test_a_key_readable_by_others_is_refused(anchored, database_target, tmp_path, capsys):
    from desktop.audit_anchor import key_path

    os.chmod(key_path(), 0o644)
    assert main(["--db", str(database_target), "audit", "anchor", "-o", str(tmp_path / "again.json")]) == 2
    assert "chmod 600" in capsys.readouterr().err


# -- item 11: an interrupted demo leaves nothing ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("how", ["interrupt", "kill"])
def test_an_interrupted_demo_leaves_no_partial_tenant(database_target, tmp_path, how):
    """Ctrl-C or a kill while the history is written: the database holds no tenant; a killed
    build's hidden file is removed by the next build (SQLite), or never committed (PostgreSQL)."""
    import signal
    from models import User

    close_database()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.slow_demo", "--db", str(database_target), "demo"],
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    seen = b""
    with child.stderr:
        while b"Request history" not in seen:
            chunk = child.stderr.read1(4096)
            assert chunk, seen.decode(errors="replace")
            seen += chunk
        child.send_signal(signal.SIGINT if how == "interrupt" else signal.SIGKILL)
        rest = child.stderr.read()
    assert child.wait() == (130 if how == "interrupt" else -signal.SIGKILL)
    if how == "interrupt":
        assert b"nothing half-written was kept" in rest
    open_database(database_target)
    assert User.select().count() == 0
    if not os.environ.get("ENTITLEMENT_DESK_TEST_DB"):
        from desktop.commands.demo import _remove_stale_partials

        leftovers = [p.name for p in tmp_path.iterdir() if ".demo-" in p.name]
        assert bool(leftovers) == (how == "kill")
        _remove_stale_partials(tmp_path)
        assert not [p.name for p in tmp_path.iterdir() if ".demo-" in p.name]
    close_database()
