"""`entitlement-desk-cli sync`: a sync with the environment's token, the history, and errors on
stderr with exit code 2."""

import pytest

from desktop.cli import main
from desktop.graph.tokens import ENVIRONMENT_TOKEN


@pytest.fixture(autouse=True)
def environment_token(monkeypatch):
    monkeypatch.setenv(ENVIRONMENT_TOKEN, "stand-in-token")


def test_sync_then_incremental_sync_then_history(db_path, graph, tenant, capsys):
    assert main(["--db", str(db_path), "sync", "--graph-url", graph.url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Synced {tenant.name} as user1@fabrikam.example (full).")
    assert "accessPackageAssignment 10" in out
    tenant.remove_user(list(tenant.users)[4])
    assert main(["--db", str(db_path), "sync"]) == 0  # the endpoint is remembered with the tenant
    out = capsys.readouterr().out
    assert "(incremental)" in out and "user 1 (1 deleted)" in out
    assert main(["--db", str(db_path), "sync", "--history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("#2 ") and "succeeded" in lines[0] and "incremental" in lines[0]
    assert graph.url in lines[0] and "user1@fabrikam.example" in lines[0]
    assert any(line.startswith("#1 ") and "full" in line for line in lines)


def test_a_missing_permission_exits_2_naming_it(db_path, graph, capsys):
    graph.fault("/assignments", 403)
    assert main(["--db", str(db_path), "sync", "--graph-url", graph.url]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith(
        "entitlement-desk-cli: Graph refused /v1.0/identityGovernance/entitlementManagement/assignments"
    )
    assert "EntitlementManagement.Read.All" in err
    assert main(["--db", str(db_path), "sync", "--history"]) == 0
    assert "failed" in capsys.readouterr().out


def test_unknown_kind_exits_2(db_path, capsys):
    assert main(["--db", str(db_path), "sync", "--only", "users,groups"]) == 2
    assert "Unknown kind(s) groups, users" in capsys.readouterr().err


def test_an_unreachable_graph_exits_2(db_path, capsys):
    assert main(["--db", str(db_path), "sync", "--graph-url", "http://127.0.0.1:9"]) == 2
    assert capsys.readouterr().err.startswith(
        "entitlement-desk-cli: Cannot reach Graph at http://127.0.0.1:9: the connection failed"
    )


def test_history_of_a_database_never_synced(db_path, capsys):
    assert main(["--db", str(db_path), "sync", "--history"]) == 0
    assert capsys.readouterr().out == "No sync yet.\n"


def test_a_synced_database_acts_only_as_the_signed_in_user(db_path, graph, tenant, capsys):
    """`--as` someone else is refused on a tenant's copy: acting as anyone is for simulations."""
    assert main(["--db", str(db_path), "sync", "--graph-url", graph.url]) == 0
    capsys.readouterr()
    other = tenant.users[list(tenant.users)[1]]["userPrincipalName"]
    me = tenant.users[tenant.me]["userPrincipalName"]
    package = next(iter(tenant.packages.values()))["displayName"]
    assert main(["--db", str(db_path), "request", "assign", "--user", other, "--package", package, "--as", other]) == 2
    assert "acts as user1@fabrikam.example; it cannot act as" in capsys.readouterr().err
    assert (
        main(
            [
                "--db",
                str(db_path),
                "export",
                "assignments",
                "--package",
                package,
                "--as",
                me,
                "-o",
                str(db_path.with_name("out.csv")),
            ]
        )
        == 0
    )


def test_a_request_on_a_synced_database_is_only_the_signed_in_users_own(db_path, graph, tenant, capsys):
    """`request submit --user X` is X requesting for themselves: on a tenant's copy only the
    signed-in user may, and the core refuses it too, whatever the caller resolved."""
    assert main(["--db", str(db_path), "sync", "--graph-url", graph.url]) == 0
    capsys.readouterr()
    other = tenant.users[list(tenant.users)[1]]["userPrincipalName"]
    package = next(iter(tenant.packages.values()))["displayName"]
    assert main(["--db", str(db_path), "request", "submit", "--user", other, "--package", package]) == 2
    err = capsys.readouterr().err
    assert "acts as user1@fabrikam.example; it cannot act as" in err
