"""Changes of access between two moments and per import run; imports of changed and unchanged
tenants; the CLI's `export changes` and `--as-of`."""

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from desktop.change_runs import last_runs
from desktop.cli import main
from desktop.importers import import_files
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.changes import ChangesReport
from models import AccessPackage, Assignment, db
from models.history import TRACKED_MODELS, ChangeRun, history_table
from tests.helpers import factories as f
from tests.helpers import history_tenant

GRAPH = Path(__file__).resolve().parents[1] / "fixtures" / "graph"
ALL_FILES = sorted(GRAPH.glob("*.json"))
SALES_STARTER = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b0001"
FIRST_ASSIGNMENT = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d0001"


def history_rows() -> dict[str, int]:
    return {
        history_table(model): db.execute_sql(f'SELECT COUNT(*) FROM "{history_table(model)}"').fetchone()[0]
        for model in TRACKED_MODELS
    }


def changes(report) -> list[tuple]:
    keys = [column.key for column in report.columns]
    return [dict(zip(keys, row)) for row in report.iterate()]


@pytest.fixture
def lifecycle_history(database):
    return history_tenant.lifecycle_history()


def test_lifecycle_changes_with_who_request_approver_and_justification(lifecycle_history):
    """Each change of access is one row, newest first, with who did it, the request behind
    it, the approver and the justifications, from the lifecycle."""
    rows = [r for r in changes(ChangesReport(since=f.T0)) if r["change"].startswith("Assignment")]
    assert [(r["change"], r["user_principal_name"], r["access_package"], r["done_by"]) for r in rows] == [
        ("Assignment expired", "carol@contoso.com", "Staged", "System"),
        ("Assignment added", "carol@contoso.com", "Staged", "ada.admin@contoso.com"),
        ("Assignment removed", "alice@contoso.com", "Open", "ada.admin@contoso.com"),
        ("Assignment added", "bob@contoso.com", "Approval", "bob@contoso.com"),
        ("Assignment added", "alice@contoso.com", "Open", "alice@contoso.com"),
    ]
    bob = rows[3]
    assert bob["when"] == f.T0 + timedelta(hours=1)
    assert bob["approvers"] == "max.manager@contoso.com (Approve)"
    assert bob["justification"] == "Quarterly forecast; max.manager@contoso.com: Fine for Q3"
    assert bob["request_id"] is not None and bob["source"] == "lifecycle"
    assert rows[2]["details"] == "state: delivered → expired"
    assert rows[1]["justification"] == "Audit week"


def test_changes_narrow_by_range_package_and_user(lifecycle_history):
    """--since/--until bound the time (until excluded); a package or a user narrows the rows."""
    t = lifecycle_history
    hour_two = ChangesReport(since=f.T0 + timedelta(hours=1), until=f.T0 + timedelta(hours=2))
    assert [r["change"] for r in changes(hour_two)] == ["Assignment added"]
    assert {r["user_principal_name"] for r in changes(ChangesReport(user=t.alice))} == {"alice@contoso.com"}
    assert len(changes(ChangesReport(user=t.alice))) == 2
    open_changes = changes(ChangesReport(package=t.open_package))
    assert {r["change"] for r in open_changes} == {
        "Assignment added",
        "Assignment removed",
        "Resource role added",
        "Policy added",
    }
    report = ChangesReport(since=f.T0)
    assert report.count() == len(changes(report))
    assert report.page(1, 2) == list(report.iterate())[1:3]
    for column in report.columns:
        assert sorted(report.page(0, 100, column.key), key=repr) == sorted(report.page(0, 100), key=repr)


def test_unchanged_import_adds_no_history(database):
    """Importing the same tenant again adds no version anywhere; its run shows no changes."""
    import_files(ALL_FILES)
    before = history_rows()
    assert before["assignment_history"] == Assignment.select().count()
    import_files(ALL_FILES)
    assert history_rows() == before
    assert ChangeRun.select().count() == 2
    assert changes(ChangesReport(run=last_runs(1)[0])) == []


def test_changed_import_is_recorded_as_of_its_run(database, tmp_path):
    """A re-import where an assignment's end moved and a package lost a resource role: the
    run's changes name them, and the report as of before the run still shows the old end."""
    import_files(ALL_FILES)
    first = last_runs(1)[0]
    old_end = Assignment.get_by_id(FIRST_ASSIGNMENT).schedule_end
    changed = tmp_path / "changed"
    changed.mkdir()
    for path in ALL_FILES:
        text = path.read_text(encoding="utf-8")
        if path.name == "assignments.json":
            document = json.loads(text)
            document["value"][0]["schedule"]["expiration"]["endDateTime"] = "2027-01-14T09:12:45Z"
            text = json.dumps(document)
        if path.name == "accessPackages.json":  # two pages, as Graph pages a listing
            document = json.loads(text)
            for package in (item for page in document for item in page["value"]):
                if package["id"] == SALES_STARTER:
                    package["resourceRoleScopes"] = package["resourceRoleScopes"][:-1]
            text = json.dumps(document)
        (changed / path.name).write_text(text, encoding="utf-8")
    import_files(sorted(changed.glob("*.json")))
    run = last_runs(1)[0]
    assert run.id != first.id
    found = changes(ChangesReport(run=run))
    kinds = sorted(r["change"] for r in found)
    assert "Assignment extended" in kinds and "Resource role removed" in kinds
    extended = next(r for r in found if r["change"] == "Assignment extended")
    assert extended["source"] == "import" and extended["run_id"] == run.id
    assert extended["details"] == "end: 2025-01-14T09:12:45.3Z → 2027-01-14T09:12:45Z"
    package = AccessPackage.get_by_id(SALES_STARTER)
    end = AssignmentsReport(package).column_index("end")
    before = {
        row[-1]: row[end]
        for row in AssignmentsReport(package, as_of=run.started_date_time - timedelta(seconds=1)).iterate()
    }
    now = {row[-1]: row[end] for row in AssignmentsReport(package).iterate()}
    assert before[FIRST_ASSIGNMENT] == old_end
    assert now[FIRST_ASSIGNMENT] == datetime(2027, 1, 14, 9, 12, 45, tzinfo=timezone.utc)


def test_imported_assignments_count_from_their_start(database):
    """An assignment first seen by an import held since its schedule started, not since the
    import: the report as of a day after its start shows it."""
    import_files(ALL_FILES)
    package = AccessPackage.get_by_id(SALES_STARTER)
    assignment = Assignment.get_by_id(FIRST_ASSIGNMENT)
    rows = AssignmentsReport(package, as_of=assignment.schedule_start + timedelta(days=1)).iterate()
    assert FIRST_ASSIGNMENT in {row[-1] for row in rows}


@pytest.fixture
def cli(database_target, capsys):
    def run(*argv):
        code = main(["--db", str(database_target), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_cli_export_changes_and_as_of(lifecycle_history, cli, tmp_path):
    """`export changes` writes the rows of a range; `--as-of` exports a report as it was then,
    and the Report sheet says as of when."""
    path = tmp_path / "changes.csv"
    code, out, err = cli(
        "export", "changes", "--since", "2026-01-05", "--until", "2026-01-05", "--package", "Open", "-o", str(path)
    )
    assert (code, err) == (0, "")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["When (UTC)", "Change", "Access package"]
    assert [row[1] for row in rows[1:]] == ["Assignment removed", "Assignment added"]
    workbook_path = tmp_path / "then.xlsx"
    code, out, err = cli(
        "export", "assignments", "--package", "Open", "--as-of", "2026-01-05T09:30:00Z", "-o", str(workbook_path)
    )
    assert (code, err) == (0, "")
    workbook = openpyxl.load_workbook(workbook_path)
    names = [row[0] for row in workbook["Assignments of Open"].iter_rows(values_only=True)]
    assert names == ["Display name", "Alice"]
    about = list(workbook["Report"].iter_rows(values_only=True))
    assert ("  As of", "2026-01-05T09:30:00Z") in about
    code, out, err = cli(
        "export",
        "user-resources",
        "--user",
        "bob@contoso.com",
        "--as-of",
        "2026-01-05",
        "-o",
        str(tmp_path / "bob.csv"),
    )
    assert code == 0 and out.startswith("Exported 0 rows")


def test_cli_refuses_bad_moments(lifecycle_history, cli, tmp_path):
    """An unreadable moment or an empty range is exit 2 with a message, and no file."""
    path = tmp_path / "x.csv"
    code, out, err = cli("export", "assignments", "--package", "Open", "--as-of", "1 March", "-o", str(path))
    assert code == 2 and "--as-of '1 March': cannot read it" in err
    code, out, err = cli("export", "changes", "--since", "2026-02-01", "--until", "2026-01-01", "-o", str(path))
    assert code == 2 and "--until must come after --since" in err
    code, out, err = cli("export", "changes", "--last-run", "-o", str(path))
    assert code == 2 and "No import or sync" in err
    assert not path.exists()
