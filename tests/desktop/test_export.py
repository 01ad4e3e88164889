"""Exports read back: every report in every format, cell by cell and type by type; the
spreadsheet safety rules; all-or-nothing files."""

import csv
import io
import json
import os
import threading
from datetime import datetime, timezone

from hypothesis import given, settings, strategies as st
import openpyxl
from openpyxl.utils.escape import unescape
import pytest

from desktop.audit_record import format_time
from desktop.errors import Cancelled, Forbidden, InvalidInput, OutputError
from desktop.export import export
from desktop.export.delimited import plain_text
from desktop.export.entra_layout import ENTRA_AUDIT_COLUMNS
from desktop.export.xlsx import MAX_CELL_TEXT, cut_text, sheet_name
from desktop.reports.audit import AuditLogReport
from desktop.reports.base import Column, ColumnType
from desktop.reports.package_activity import PackageActivityReport
from desktop.reports.user_packages import user_package_reports
from models import AuditEvent, db
from tests.helpers.list_report import INJECTION, ListReport, text_report
from tests.helpers.reports_tenant import every_report
from tests.helpers.reports_tenant import build_tenant


def csv_text(value) -> str:
    """A cell as CSV text: times in Graph's UTC form, booleans true/false, none empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_time(value)
    return str(value)


@pytest.fixture
def tenant(database):
    return build_tenant()


@pytest.fixture
def folder(tmp_path):
    """An empty folder for the exports (the database lives beside it)."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


def sheet_rows(worksheet):
    return [[cell for cell in row] for row in worksheet.iter_rows()]


def assert_xlsx_matches(worksheet, report, expected_rows):
    rows = sheet_rows(worksheet)
    assert [cell.value for cell in rows[0]] == [column.title_in("UTC") for column in report.columns]
    assert all(cell.font.b for cell in rows[0])
    assert len(rows) - 1 == len(expected_rows)
    for cells, expected in zip(rows[1:], expected_rows):
        for cell, column, value in zip(cells, report.columns, expected):
            if value is None:
                assert cell.value is None
            elif column.type is ColumnType.DATETIME:
                assert cell.is_date and cell.value == value.astimezone(timezone.utc).replace(tzinfo=None)
            elif column.type is ColumnType.BOOLEAN:
                assert cell.data_type == "b" and cell.value is value
            elif column.type is ColumnType.NUMBER:
                assert cell.data_type == "n" and cell.value == value
            else:
                assert cell.data_type == "s" and cell.value == value, (column.key, cell.value, value)


def test_every_report_round_trips_through_xlsx(tenant, tmp_path):
    """Every report's workbook reads back equal to its query, cell by cell and type by type."""
    for number, report in enumerate(every_report(tenant)):
        path = tmp_path / f"report{number}.xlsx"
        result = export(path, report)
        expected = list(report.iterate())
        assert result.rows == len(expected)
        workbook = openpyxl.load_workbook(path)
        name = sheet_name(report.name, 1, set())
        assert workbook.sheetnames == [name, "Report"]
        assert_xlsx_matches(workbook[name], report, expected)


def test_every_report_round_trips_through_csv(tenant, tmp_path):
    """Every report's CSV (UTF-8 with BOM, CRLF) reads back equal to its query as text."""
    for number, report in enumerate(every_report(tenant)):
        path = tmp_path / f"report{number}.csv"
        export(path, report)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == [column.title_in("UTC") for column in report.columns]
        assert rows[1:] == [[csv_text(value) for value in row] for row in report.iterate()]


def csv_writer_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def test_plain_rows_are_joined():
    """Rows with nothing to quote are joined without csv.writer; any other row leaves it the batch."""
    rows = [("2025-02-06T10:59:28.5Z", None, "Ada Admin"), ("x", "", "é")]
    assert plain_text(rows) == csv_writer_text(rows) == "2025-02-06T10:59:28.5Z,,Ada Admin\r\nx,,é\r\n"
    for odd in [
        ("a,b", "c"),
        ('say "hi"', "c"),
        ("two\nlines", "c"),
        ("cr\r", "c"),
        (None,),
        ("",),
        (),
        (1, "a"),
        (1.5, "a"),
    ]:
        assert plain_text(rows + [odd]) is None, odd


# Numbers always go to csv.writer (test_plain_rows_are_joined): text is what can be joined.
cells = st.one_of(st.none(), st.text(), st.text(alphabet='ab ,"\r\n\t\x00é'))


@pytest.mark.slow
@settings(max_examples=500)
@given(st.lists(st.lists(cells, max_size=4).map(tuple), min_size=1, max_size=5))
def test_plain_text_is_what_csv_writer_writes(rows):
    """Whatever the cells, joined rows are exactly csv.writer's text (or left to it)."""
    text = plain_text(rows)
    if text is not None:
        assert text == csv_writer_text(rows)


def test_every_report_round_trips_through_json(tenant, tmp_path):
    """Every report's JSON is its documents in a `value` array."""
    for number, report in enumerate(every_report(tenant)):
        path = tmp_path / f"report{number}.json"
        export(path, report)
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
        assert loaded == {"value": json.loads(json.dumps(list(report.documents())))}


def test_audit_json_is_directory_audit(tenant, tmp_path):
    """The audit log exports the Graph directoryAudit documents, newest first."""
    path = tmp_path / "audit.json"
    export(path, AuditLogReport(correlation_id=tenant.request.id))
    value = json.loads(path.read_text(encoding="utf-8"))["value"]
    assert [d["activityDisplayName"] for d in value] == [
        "Add approver to request approval",
        "Create request approval",
        "User requests access package assignment",
    ]
    assert value[2]["initiatedBy"]["user"]["id"] == tenant.carol.id
    assert value[2]["activityDateTime"] == "2026-01-07T09:00:00Z"


def test_several_reports_become_sheets(tenant, tmp_path):
    """Access packages for a user: one sheet per tab, a block per report on the Report sheet."""
    path = tmp_path / "alice.xlsx"
    reports = user_package_reports(tenant.alice)
    result = export(path, reports, actor=tenant.admin, database="tenant.db")
    assert result.rows == 4
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Can request", "Assigned", "Report"]
    for report in reports:
        assert_xlsx_matches(workbook[report.name], report, list(report.iterate()))
    about = {row[0]: row[1] for row in workbook["Report"].iter_rows(values_only=True)}
    assert about["Acting administrator"] == "Ada Admin (ada.admin@contoso.com)"
    assert about["Database"] == "tenant.db"
    assert abs(about["Time (UTC)"] - datetime.now(timezone.utc).replace(tzinfo=None)).total_seconds() < 60
    lines = list(workbook["Report"].iter_rows(values_only=True))
    assert ("Report", "Can request") in lines and ("Report", "Assigned") in lines
    assert lines.count(("  User", "Alice Archer (alice.archer@contoso.com)")) == 2
    assert [value for label, value in lines if label == "  Rows"] == [2, 2]
    json_path = tmp_path / "alice.json"
    export(json_path, reports)
    loaded = json.loads(json_path.read_text(encoding="utf-8"))
    assert [(r["name"], len(r["value"])) for r in loaded["reports"]] == [("Can request", 2), ("Assigned", 2)]
    with pytest.raises(InvalidInput):
        export(tmp_path / "alice.csv", reports)


def test_report_sheet_without_an_actor(tenant, database, tmp_path):
    """Without an acting user the Report sheet says so, and names the database."""
    path = tmp_path / "audit.xlsx"
    export(path, AuditLogReport(category="UserManagement"))
    about = {row[0]: row[1] for row in openpyxl.load_workbook(path)["Report"].iter_rows(values_only=True)}
    assert about["Acting administrator"].startswith("none")
    assert about["Database"] == database.describe()
    assert about["  Category"] == "UserManagement"
    assert about["  Rows"] == 2


def test_sheet_layout(tenant, tmp_path):
    """Header frozen, filter over the data, widths from the values."""
    path = tmp_path / "audit.xlsx"
    report = AuditLogReport()
    export(path, report)
    worksheet = openpyxl.load_workbook(path)["Audit log"]
    assert worksheet.freeze_panes == "A2"
    assert worksheet.auto_filter.ref == "A1:K10"
    # Equal neighbouring widths are stored once, under the first column (I: correlation id).
    widths = {key: worksheet.column_dimensions[key].width for key in "AI"}
    assert widths["A"] > 18 and widths["I"] > 36


def test_injection_corpus_stays_text(database, tmp_path):
    """Formula, URL and number look-alikes come back as the same text in string cells."""
    path = tmp_path / "texts.xlsx"
    export(path, text_report(INJECTION))
    cells = [row[0] for row in openpyxl.load_workbook(path)["Texts"].iter_rows(min_row=2)]
    # Constant-memory sheets hold inline strings, where a control character is written as
    # _xHHHH_ (as in shared strings); openpyxl decodes that only for shared strings.
    assert [unescape(cell.value) for cell in cells] == INJECTION
    assert [cell.data_type for cell in cells] == ["s"] * len(INJECTION)
    assert all(cell.hyperlink is None for cell in cells)


def test_long_text_is_cut_visibly(database, tmp_path):
    """A 40,000-character value comes back at the cell limit, ending with the cut marker."""
    path = tmp_path / "long.xlsx"
    export(path, text_report(["x" * 40_000]))
    value = openpyxl.load_workbook(path)["Texts"]["A2"].value
    assert len(value) == MAX_CELL_TEXT
    assert value.endswith(f"… [cut: {40_000 - MAX_CELL_TEXT + len('… [cut: 7261 characters]')} characters]")
    assert value == cut_text("x" * 40_000) and cut_text("short") == "short"


def test_rows_continue_on_new_sheets(database, tmp_path):
    """Past the per-sheet limit the rows continue on a new sheet under a repeated header."""
    path = tmp_path / "many.xlsx"
    values = [f"row {n}" for n in range(12)]
    result = export(path, text_report(values), max_rows_per_sheet=5)
    assert result.rows == 12
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Texts", "Texts (2)", "Texts (3)", "Report"]
    read = []
    for name in workbook.sheetnames[:3]:
        rows = list(workbook[name].iter_rows(values_only=True))
        assert rows[0] == ("Text",)
        read += [row[0] for row in rows[1:]]
    assert read == values
    assert [len(list(workbook[name].iter_rows())) for name in workbook.sheetnames[:3]] == [6, 6, 3]


def test_typed_cells_of_every_kind(database, tmp_path):
    """Numbers, booleans, dates (naive UTC), JSON text and empty cells keep their types."""
    columns = (
        Column("n", "N", ColumnType.NUMBER),
        Column("b", "B", ColumnType.BOOLEAN),
        Column("d", "D", ColumnType.DATETIME),
        Column("j", "J", ColumnType.JSON),
        Column("t", "T"),
    )
    moment = datetime(2026, 3, 1, 12, 30, 15, tzinfo=timezone.utc)
    rows = [(7, True, moment, '{"a": 1}', "ä ö ü 名前"), (2.5, False, None, None, None)]
    report = ListReport("Kinds", columns, rows)
    export(tmp_path / "kinds.xlsx", report)
    assert_xlsx_matches(openpyxl.load_workbook(tmp_path / "kinds.xlsx")["Kinds"], report, rows)


def test_cancel_leaves_no_file_and_keeps_the_old_one(database, folder):
    """Cancelling mid-export raises Cancelled; the existing file is untouched, no temp remains."""
    for suffix in ("xlsx", "csv", "json"):
        path = folder / f"out.{suffix}"
        path.write_bytes(b"previous export")
        stop = threading.Event()
        seen = []

        def progress(done, total, seen=seen, stop=stop):
            seen.append((done, total))
            stop.set()  # the user presses Cancel on the first progress report

        report = text_report([f"v{n}" for n in range(5000)])
        with pytest.raises(Cancelled):
            export(path, report, progress=progress, cancel=stop)
        assert seen == [(0, 5000)]
        assert path.read_bytes() == b"previous export"
        assert list(folder.iterdir()) == [path]
        assert seen[0] == (0, 5000)
        path.unlink()


def test_cancel_before_start_writes_nothing(database, folder):
    """A cancel already set stops the export before any file is made."""
    with pytest.raises(Cancelled):
        export(folder / "out.xlsx", text_report(["a"]), cancel=lambda: True)
    assert list(folder.iterdir()) == []


def test_failure_leaves_no_file(database, folder):
    """An error while writing (disk full) becomes OutputError and leaves no file at all."""
    for suffix in ("xlsx", "csv", "json"):
        path = folder / f"out.{suffix}"
        with pytest.raises(OutputError, match="No space left"):
            export(path, text_report(["a"] * 1000, fail_after=700))
        assert list(folder.iterdir()) == []


def test_progress_reports_the_end(database, tmp_path):
    """The progress callback ends on (total, total)."""
    seen = []
    export(tmp_path / "out.csv", text_report(["a"] * 1000), progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (1000, 1000)


def test_unwritable_targets(database, folder, monkeypatch):
    """A missing folder, a folder as target and a file held open give a clear OutputError."""
    with pytest.raises(OutputError, match="does not exist"):
        export(folder / "missing" / "out.xlsx", text_report(["a"]))
    (folder / "folder.xlsx").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        export(folder / "folder.xlsx", text_report(["a"]))
    target = folder / "held.xlsx"
    target.write_bytes(b"open in Excel")

    def refuse(source, destination):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="open in another program"):
        export(target, text_report(["a"]))
    assert target.read_bytes() == b"open in Excel"
    assert sorted(p.name for p in folder.iterdir()) == ["folder.xlsx", "held.xlsx"]


def test_unknown_format_and_misplaced_layout(database, tmp_path):
    """The format comes from the extension; unknown ones and a layout off CSV are refused."""
    with pytest.raises(InvalidInput):
        export(tmp_path / "out.txt", text_report(["a"]))
    with pytest.raises(InvalidInput):
        export(tmp_path / "out.xlsx", text_report(["a"]), layout="entra")
    export(tmp_path / "out.txt", text_report(["a"]), format="csv")
    assert (tmp_path / "out.txt").read_bytes().startswith(b"\xef\xbb\xbf")


def test_entra_layout(tenant, tmp_path):
    """The audit log in the Entra download layout: 86 columns, actor, targets, details."""
    path = tmp_path / "audit.csv"
    export(path, AuditLogReport(correlation_id=tenant.request.id), layout="entra")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = [dict(zip(ENTRA_AUDIT_COLUMNS, row)) for row in list(csv.reader(handle))[1:]]
    with open(path, encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == list(ENTRA_AUDIT_COLUMNS)
    assert len(ENTRA_AUDIT_COLUMNS) == 86
    request = rows[2]
    assert request["Activity"] == "User requests access package assignment"
    assert request["Date (UTC)"] == "2026-01-07T09:00:00Z"
    assert request["CorrelationId"] == tenant.request.id
    assert (request["ActorType"], request["ActorUserPrincipalName"]) == ("User", "carol.clark@contoso.com")
    assert (request["Target1Type"], request["Target1ObjectId"]) == ("User", tenant.carol.id)
    assert (request["Target2Type"], request["Target2DisplayName"]) == ("AccessPackage", "Finance")
    assert (request["AdditionalDetail2Key"], request["AdditionalDetail2Value"]) == ("Justification", "Quarter close")
    assert request["Target3Type"] == ""
    with pytest.raises(InvalidInput):
        export(tmp_path / "people.csv", text_report(["a"]), layout="entra")


def test_download_permission(tenant, tmp_path):
    """An acting user needs the download role; workbook viewers may save workbooks."""
    with pytest.raises(Forbidden):
        export(tmp_path / "audit.xlsx", text_report(["a"]), actor=tenant.reader)
    export(tmp_path / "activity.xlsx", PackageActivityReport(tenant.sales.id, now=tenant.now), actor=tenant.reader)
    assert not (tmp_path / "audit.xlsx").exists()


def test_a_failed_export_ends_its_database_read(database, folder, on_postgresql):
    """A write failing half-way through a long export leaves no transaction or cursor behind,
    although the error (with its traceback) is still held, as a job holds it for the UI."""
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    AuditEvent.insert_many(
        [
            {
                "id": f"record-{n}",
                "activity_date_time": start,
                "category": "Test",
                "activity_display_name": "Step",
                "target_resources": [],
            }
            for n in range(6000)
        ]
    ).execute()
    for suffix in ("csv", "xlsx", "json"):
        checks = iter(range(3))

        def disk_fills(checks=checks):
            if next(checks, None) is None:
                raise OSError(28, "No space left on device")
            return False

        with pytest.raises(OutputError, match="No space left") as failure:
            export(folder / f"audit.{suffix}", AuditLogReport(), cancel=disk_fills)
        assert failure.value is not None and not db.in_transaction(), suffix
        if on_postgresql:
            assert db.execute_sql("SELECT count(*) FROM pg_cursors WHERE name <> ''").fetchone()[0] == 0, suffix
        assert list(folder.iterdir()) == []
