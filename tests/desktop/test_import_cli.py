"""`entitlement-desk-cli import`: the summary on stdout, errors on stderr with exit code 2."""

from pathlib import Path

from desktop.cli import main
from models import User
from models.database import close_database, open_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_import_prints_the_summary(db_path, capsys):
    """Counts per type, stand-ins and what was not understood are printed; exit code 0."""
    files = [str(p) for p in sorted((FIXTURES / "graph").glob("*.json"))]
    assert main(["--db", str(db_path), "import", *files]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported 12 files: 32 created, 1 updated, 0 unchanged.\n")
    assert "  accessPackageAssignment  " in out
    assert "Stand-ins for objects referred to but not in the import: 3 user" in out
    assert "groups.json: record 1: 1 members of group that are not users were not imported" in out


def test_import_twice_reports_everything_unchanged(db_path, capsys):
    """The second run of the same command creates and updates nothing."""
    files = [str(FIXTURES / "entra" / "AuditLogs_2024-03-05.csv"), str(FIXTURES / "graph" / "users.json")]
    main(["--db", str(db_path), "import", *files])
    capsys.readouterr()
    assert main(["--db", str(db_path), "import", *files]) == 0
    assert capsys.readouterr().out.startswith("Imported 2 files: 0 created, 0 updated, 8 unchanged.")


def test_a_malformed_file_exits_2_with_one_line_and_writes_nothing(db_path, capsys):
    """The error names file, record and field on stderr; the good file beside it is not imported."""
    files = [str(FIXTURES / "graph" / "users.json"), str(FIXTURES / "malformed" / "impossible-date.json")]
    assert main(["--db", str(db_path), "import", *files]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "entitlement-desk-cli: impossible-date.json: record 2 (id 5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0102): field "
        "createdDateTime: is not a valid date and time: '2024-02-30T10:00:00Z'\n"
    )
    open_database(db_path)
    try:
        assert User.select().count() == 0
    finally:
        close_database()


def test_a_missing_file_is_a_user_error(db_path, tmp_path, capsys):
    """A path that does not exist is reported by name, not as a traceback."""
    assert main(["--db", str(db_path), "import", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: cannot be read (No such file or directory)" in capsys.readouterr().err
