"""`entitlement-desk-cli export`: every report by name, filters, errors as exit code 2."""

import csv
import json

import openpyxl
import pytest

from desktop.cli import main
from desktop.export.entra_layout import ENTRA_AUDIT_COLUMNS
from tests.helpers.reports_tenant import build_tenant


@pytest.fixture
def tenant(database):
    return build_tenant()


@pytest.fixture
def cli(database_target, tmp_path, capsys):
    """Run the CLI on the test database; returns (exit code, stdout, stderr)."""

    def run(*argv):
        code = main(["--db", str(database_target), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_assignments_of_a_package(tenant, cli, tmp_path):
    """A package's assignments by name, with a one-line summary."""
    path = tmp_path / "sales.xlsx"
    code, out, err = cli("export", "assignments", "--package", "sales", "-o", str(path))
    assert (code, err) == (0, "")
    assert out == f"Exported 3 rows (Assignments of Sales) to {path}\n"
    names = [row[0] for row in openpyxl.load_workbook(path)["Assignments of Sales"].iter_rows(values_only=True)]
    assert names == ["Display name", "Alice Archer", "Bob Guest", "Carol Clark"]


def test_assignments_tenant_wide_by_state(tenant, cli, tmp_path):
    """--all-packages with --state, as CSV from the extension."""
    path = tmp_path / "expired.csv"
    assert cli("export", "assignments", "--all-packages", "--state", "expired", "-o", str(path))[0] == 0
    rows = csv_rows(path)
    assert [(row[0], row[2]) for row in rows[1:]] == [("Sales", "Bob Guest")]


def test_user_packages_two_sheets(tenant, cli, tmp_path):
    """Access packages for a user: Can request and Assigned sheets."""
    path = tmp_path / "alice.xlsx"
    code, out, _ = cli("export", "user-packages", "--user", "ALICE.archer@contoso.com", "-o", str(path))
    assert code == 0 and "(Can request, Assigned)" in out
    assert openpyxl.load_workbook(path).sheetnames == ["Can request", "Assigned", "Report"]
    code, _, err = cli("export", "user-packages", "--user", "alice.archer@contoso.com", "-o", str(tmp_path / "a.csv"))
    assert code == 2 and "one table" in err


def test_user_resources(tenant, cli, tmp_path):
    """Resource assignments for a user, as JSON rows."""
    path = tmp_path / "resources.json"
    assert cli("export", "user-resources", "--user", "alice.archer@contoso.com", "-o", str(path))[0] == 0
    value = json.loads(path.read_text(encoding="utf-8"))["value"]
    assert [(r["resource"], r["access_package"]) for r in value] == [
        ("Finance team", "Finance"),
        ("Sales team", "Finance"),
        ("Sales team", "Sales"),
    ]


def test_unknown_names_exit_2_without_a_file(tenant, cli, tmp_path):
    """An unknown user, package, request or application is a clear error, exit 2, no file."""
    path = tmp_path / "out.xlsx"
    for argv in (
        ["user-packages", "--user", "ghost@contoso.com"],
        ["user-resources", "--user", "ghost@contoso.com"],
        ["assignments", "--package", "Nothing"],
        ["audit", "--package", "Nothing"],
        ["package-activity", "--package", "Nothing"],
        ["app-role-activity", "--application", "Nothing"],
        ["request-history", "00000000-0000-0000-0000-000000000000"],
        ["audit", "--as", "ghost@contoso.com"],
    ):
        code, out, err = cli("export", *argv, "-o", str(path))
        assert code == 2 and out == "", argv
        assert err.startswith("entitlement-desk-cli: No "), err
        assert not path.exists()


def test_audit_filters_and_entra_layout(tenant, cli, tmp_path):
    """Audit filters from the command line; --layout entra writes the 86 columns."""
    path = tmp_path / "audit.csv"
    code, out, _ = cli(
        "export",
        "audit",
        "--initiated-by",
        "ADA",
        "--category",
        "EntitlementManagement",
        "--since",
        "2025-11-01",
        "--until",
        "2026-01-05",
        "-o",
        str(path),
        "--layout",
        "entra",
    )
    assert code == 0 and out.startswith("Exported 2 rows")
    rows = csv_rows(path)
    assert rows[0] == list(ENTRA_AUDIT_COLUMNS)
    assert [row[4] for row in rows[1:]] == [
        "Remove access package assignment",
        "Administrator directly assigns user to access package",
    ]
    code, out, _ = cli(
        "export",
        "audit",
        "--correlation-id",
        tenant.request.id,
        "--package",
        "Finance",
        "-o",
        str(tmp_path / "request.json"),
    )
    assert code == 0 and out.startswith("Exported 3 rows")
    code, _, err = cli("export", "audit", "--since", "last tuesday", "-o", str(path))
    assert code == 2 and "--since 'last tuesday': cannot read it as a date or time" in err


def test_acting_administrator(tenant, cli, database, tmp_path):
    """--as checks the administrator's roles as the GUI does and names them on the Report sheet."""
    path = tmp_path / "audit.xlsx"
    code, _, err = cli("export", "audit", "--as", "rita.reader@contoso.com", "-o", str(path))
    assert code == 2 and "cannot view audit logs" in err and not path.exists()
    assert cli("export", "audit", "--as", "ada.admin@contoso.com", "-o", str(path))[0] == 0
    about = {row[0]: row[1] for row in openpyxl.load_workbook(path)["Report"].iter_rows(values_only=True)}
    assert about["Acting administrator"] == "Ada Admin (ada.admin@contoso.com)"
    assert about["Database"] == database.describe()
    workbook = tmp_path / "activity.xlsx"
    code, _, _ = cli(
        "export", "package-activity", "--package", "Sales", "--as", "rita.reader@contoso.com", "-o", str(workbook)
    )
    assert code == 0 and workbook.exists()


def test_workbooks_and_the_rest(tenant, cli, tmp_path):
    """Package activity, app role activity, connected organizations and request history."""
    path = tmp_path / "activity.json"
    assert cli("export", "package-activity", "--package", tenant.sales.id, "-o", str(path))[0] == 0
    assert len(json.loads(path.read_text(encoding="utf-8"))["value"]) == 3
    path = tmp_path / "roles.csv"
    assert cli("export", "app-role-activity", "--application", "Payroll", "--omit-entitlement", "-o", str(path))[0] == 0
    assert [(row[1], row[6]) for row in csv_rows(path)[1:]] == [("Remove app role assignment from user", "Writer")]
    path = tmp_path / "organizations.json"
    assert cli("export", "connected-organizations", "-o", str(path))[0] == 0
    assert [o["displayName"] for o in json.loads(path.read_text(encoding="utf-8"))["value"]] == [
        "Contoso Partners",
        "Fabrikam",
    ]
    path = tmp_path / "request.xlsx"
    code, out, _ = cli("export", "request-history", tenant.old_request.id.upper(), "-o", str(path))
    assert code == 0 and "(Request history, Approvers, Decisions)" in out
    decisions = list(openpyxl.load_workbook(path)["Decisions"].iter_rows(values_only=True))
    assert decisions[1][2:4] == ("Deny", "Not a partner")
