"""Every problem in one run, --skip-invalid, and hostile files refused in bounded memory."""

import json

import pytest

from desktop.cli import main
from desktop.errors import InvalidInput
from desktop.importers import ImportProblems, import_files
from models import AuditEvent, User
from tests.helpers.graph_fixtures import CSV_FILE
from tests.helpers.digest import database_digest

USER_A = "5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0a01"
USER_B = "5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0a02"
USER_C = "5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0a03"


def _write(path, document) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _users(tmp_path, name="users.json"):
    return _write(
        tmp_path / name,
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "value": [
                {"id": USER_A, "displayName": "Adele Vance", "userPrincipalName": "AdeleV@contoso.com"},
                {
                    "id": USER_B,
                    "displayName": "Bad Date",
                    "userPrincipalName": "b@contoso.com",
                    "createdDateTime": "9999-12-31T23:59:59-05:00",
                },
                {"id": USER_C, "displayName": "Number UPN", "userPrincipalName": 42},
            ],
        },
    )


def _assignments(tmp_path):
    return _write(
        tmp_path / "assignments.json",
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identityGovernance/entitlementManagement/"
            "assignments",
            "value": [
                {
                    "id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d0a01",
                    "state": "delivered",
                    "status": "Delivered",
                    "schedule": {"startDateTime": "2024-01-01T00:00:00Z"},
                }
            ],
        },
    )


def test_one_run_lists_every_problem_of_every_file_and_writes_nothing(database, tmp_path):
    """Three bad records in two files: all three named (file, record, id, field), with the Graph call
    that gives a complete assignment, and nothing imported."""
    before = database_digest()
    with pytest.raises(ImportProblems) as raised:
        import_files([_users(tmp_path), _assignments(tmp_path)])
    problems = raised.value.problems
    assert raised.value.total == len(problems) >= 3
    lines = str(raised.value).splitlines()
    assert lines[0].startswith(f"{raised.value.total} problems found; nothing was imported")
    assert any(
        "users.json: record 2 (id %s): field createdDateTime: is out of the range" % USER_B in line for line in lines
    )
    assert any(
        f"users.json: record 3 (id {USER_C}): field userPrincipalName: must be text, not a number" in line
        for line in lines
    )
    assert any(
        "assignments.json: record 1" in line
        and "is missing" in line
        and "$expand=target,accessPackage,assignmentPolicy" in line
        for line in lines
    )
    assert database_digest() == before


def test_skip_invalid_imports_the_rest_and_says_how_many_were_skipped(database, tmp_path):
    summary = import_files([_users(tmp_path)], skip_invalid=True)
    assert [user.id for user in User.select()] == [USER_A]
    assert summary.invalid_total == 2
    assert "2 records skipped (not valid):" in summary.lines()


def test_the_cli_lists_every_problem_and_skip_invalid_imports_the_rest(db_path, tmp_path, capsys):
    users = _users(tmp_path)
    assert main(["--db", str(db_path), "import", users]) == 2
    err = capsys.readouterr().err
    assert "2 problems found" in err and "record 2" in err and "record 3" in err and "Traceback" not in err
    assert main(["--db", str(db_path), "import", "--skip-invalid", users]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported 1 file: 1 created") and "2 records skipped" in out


def test_at_most_200_problems_are_listed_and_all_are_counted(database, tmp_path):
    records = [{"id": f"5f1c0f6e-8e2b-4c1a-9d3e-{n:012d}", "userPrincipalName": n} for n in range(250)]
    with pytest.raises(ImportProblems) as raised:
        import_files([_write(tmp_path / "many.json", {"value": records})])
    assert raised.value.total == 250 and len(raised.value.problems) == 200
    assert str(raised.value).splitlines()[-1] == "  … and 50 more"


def test_audit_details_that_are_not_key_values_are_refused(database, tmp_path):
    """`additionalDetails: [1, "x", null]` would break every later export: refused, named."""
    record = {
        "id": "Directory_0a1b2c",
        "activityDateTime": "2024-03-05T10:00:00.1234567Z",
        "activityDisplayName": "Add member to group",
        "category": "GroupManagement",
        "result": "success",
        "initiatedBy": {},
        "targetResources": [],
        "additionalDetails": [1, "x", None],
    }
    with pytest.raises(InvalidInput, match=r"record 1 \(id Directory_0a1b2c\): field additionalDetails\[0\]: must be"):
        import_files([_write(tmp_path / "audit.json", {"value": [record]})])
    assert AuditEvent.select().count() == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("deep.json", b'{"value":[' + b"[" * 1_000_000, "nested deeper than 64 levels"),
        (
            "deep-in-record.json",
            b'{"value":[{"id":"x","a":' + b"[" * 10_000 + b"]" * 10_000 + b"}]}",
            "nested deeper than 64 levels",
        ),
        (
            "long-string.json",
            b'{"value":[{"id":"' + b"x" * (2 * 1024 * 1024) + b'"}]}',
            "a string is longer than 1 MiB",
        ),
        (
            "escaped-string.json",
            b'{"value":[{"id":"' + b'\\"' * (2 * 1024 * 1024) + b'"}]}',
            "a string is longer than 1 MiB",
        ),
        ("long-number.json", b'{"value":[' + b"1" * (8 * 1024 * 1024) + b"]}", "a value is longer than 1 MiB"),
    ],
)
def test_hostile_json_is_refused_with_a_clear_message(database, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        import_files([path])


def test_a_huge_csv_line_is_refused_before_it_is_read_whole(database, tmp_path):
    lines = CSV_FILE.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "AuditLogs.csv"
    path.write_text(lines[0] + "\n" + "x" * (5 * 1024 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="a line is longer than 4 MiB"):
        import_files([path])


def test_a_record_over_the_size_bound_is_refused(database, tmp_path, monkeypatch):
    """A line of many small values (a 500 MB line, scaled down with the bound) stops at the bound."""
    monkeypatch.setattr("desktop.importers.bounds.MAX_RECORD", 1024 * 1024)
    record = {"id": USER_A, "userPrincipalName": "a@contoso.com", "otherMails": ["x" * 100] * 20_000}
    with pytest.raises(InvalidInput, match="one record is larger than 1 MiB"):
        import_files([_write(tmp_path / "users.json", {"value": [record]})])
