"""Importing the Entra admin center's audit-log downloads: the 86-column CSV and the JSON."""

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

from desktop import audit_chain
from desktop.importers import import_files
from desktop.export import export
from desktop.export.entra_layout import ENTRA_AUDIT_COLUMNS
from desktop.importers.entra_csv import audit_document
from desktop.reports.audit import AuditLogReport
from models import AuditEvent
from models.database import close_database, open_database
from tests.helpers.digest import database_digest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ENTRA = FIXTURES / "entra"
CSV_FILE = ENTRA / "AuditLogs_2024-03-05.csv"
LOCALISED = ENTRA / "AuditLogs_localised.csv"
JSON_FILE = ENTRA / "AuditLogs_2024-03-05.json"


def test_this_apps_entra_csv_imports_back(tmp_path):
    """The exporter's Entra CSV imports anew to the same log rows (ids aside) and the same CSV."""
    columns = (
        "activity_date_time",
        "category",
        "activity_display_name",
        "result",
        "result_reason",
        "logged_by_service",
        "correlation_id",
        "initiated_by_type",
        "initiated_by_id",
        "initiated_by_upn_key",
        "initiated_by_name_key",
        "target_upn_key",
        "access_package_id",
    )

    def log_rows():
        return sorted(tuple(str(row[c]) for c in columns) for row in AuditEvent.select().dicts())

    open_database(tmp_path / "source.db")
    try:
        import_files([CSV_FILE, FIXTURES / "graph" / "directoryAudits.json"])
        export(tmp_path / "first.csv", AuditLogReport(), layout="entra")
        first_rows = log_rows()
    finally:
        close_database()
    open_database(tmp_path / "copy.db")
    try:
        assert import_files([tmp_path / "first.csv"]).counts["directoryAudit"]["created"] == 6
        export(tmp_path / "second.csv", AuditLogReport(), layout="entra")
        second_rows = log_rows()
    finally:
        close_database()
    with open(tmp_path / "first.csv", encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == list(ENTRA_AUDIT_COLUMNS)
    assert second_rows == first_rows
    assert (tmp_path / "second.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()


def test_csv_rows_become_graph_documents(database):
    """Actor, targets, modified properties and details map to directoryAudit; quoting survives."""
    summary = import_files([CSV_FILE])
    assert summary.counts["directoryAudit"]["created"] == 3
    request = AuditEvent.get(AuditEvent.activity_display_name == "User requests access package assignment")
    assert request.activity_date_time == datetime(2024, 3, 2, 18, 44, 9, 123456, tzinfo=timezone.utc)
    assert (request.result, request.initiated_by_type, request.initiated_by_upn_key) == (
        "success",
        "user",
        "lee@tailspintoys.com",
    )
    assert request.initiated_by["user"]["homeTenantName"] == "Tailspin Toys"
    assert request.access_package_id == "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b0002"
    assert request.target_upn_key == "lee@tailspintoys.com"
    assert request.additional_details == [
        {"key": "User-Agent", "value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
        {"key": "RequestId", "value": "4d2e6f8a-1b3c-4d5e-9f7a-0b2c4d6e0002"},
        {"key": "Justification", "value": 'Need the partner CRM, "urgent"; thanks'},
    ]
    member = AuditEvent.get(AuditEvent.activity_display_name == "Add member to group")
    assert member.initiated_by_type == "app"
    assert member.initiated_by["app"]["servicePrincipalId"] == "4f8a3a2c-6d1e-4a8b-9b47-0e2f6c1d5a93"
    assert [p["displayName"] for p in member.target_resources[0]["modifiedProperties"]] == [
        "Group.ObjectID",
        "Group.DisplayName",
    ]
    assert [t["type"] for t in member.target_resources] == ["User", "Group"]
    assert audit_chain.verify().intact


def test_csv_ids_are_stable_so_reimport_changes_nothing(database):
    """The uuid5 id of a row is the same on every import, with or without BOM or a localised header."""
    import_files([CSV_FILE])
    before = database_digest()
    again = import_files([CSV_FILE, LOCALISED])
    assert again.counts["directoryAudit"] == {"unchanged": 6}
    assert database_digest() == before


def test_the_localised_date_header_is_matched_by_its_suffix(database):
    """`Data (UTC)` is the date column: it is found by position and its "(UTC)" suffix."""
    with open(LOCALISED, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[0] == "Data (UTC)"
    assert import_files([LOCALISED]).counts["directoryAudit"]["created"] == 3


def test_a_csv_row_id_depends_on_every_cell():
    """Two rows that differ in one cell get different ids; the same row gets the same id."""
    cells = [""] * 86
    cells[0] = "2024-05-01T10:00:00Z"
    same = audit_document(list(cells))["id"]
    assert audit_document(list(cells))["id"] == same
    cells[85] = "x"
    assert audit_document(cells)["id"] != same


def test_json_download_with_capitalised_target_types(database):
    """The admin center's JSON download (a plain array) imports with `Type` read as `type`."""
    summary = import_files([JSON_FILE])
    assert summary.counts["directoryAudit"]["created"] == 2
    assign = AuditEvent.get(AuditEvent.id == "IGA_2f4a6c8e-0b2d-4f6a-8c0e-2a4c6e8f0a01_7XKQD_271828")
    assert assign.access_package_id == "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b0003"
    assert assign.target_upn_key == "nestorw@contoso.com"
    assert assign.activity_date_time == datetime(2024, 1, 3, 9, 29, 58, tzinfo=timezone.utc)
    failed = AuditEvent.get(AuditEvent.id == "IGA_2f4a6c8e-0b2d-4f6a-8c0e-2a4c6e8f0a01_7XKQD_271829")
    assert (failed.result, failed.result_reason) == ("failure", "The user is already assigned")


def test_a_changed_audit_record_is_reported_and_the_stored_one_kept(database, tmp_path):
    """The log is append-only: an id already stored with other data is listed, not rewritten."""
    import_files([JSON_FILE])
    before = database_digest()
    changed = tmp_path / "changed.json"
    changed.write_text(
        JSON_FILE.read_text(encoding="utf-8").replace("Quarterly audit", "Yearly audit"), encoding="utf-8"
    )
    summary = import_files([changed])
    assert summary.counts["directoryAudit"] == {"unchanged": 1}
    assert [s.reason for s in summary.skipped] == [
        "differs from the stored audit record with this id; the audit log is append-only, so the stored one was kept"
    ]
    assert database_digest() == before
    assert audit_chain.verify().intact


def test_one_event_from_graph_json_and_from_the_csv_is_one_record(tmp_path):
    """The CSV has no record id: its copy of an event already imported from Graph JSON (and the
    other way round) is matched by time, correlation id, activity and initiator, and kept once."""
    graph_file = FIXTURES / "graph" / "directoryAudits.json"
    open_database(tmp_path / "source.db")
    try:
        import_files([graph_file])
        export(tmp_path / "download.csv", AuditLogReport(), layout="entra")
        stored = AuditEvent.select().count()
        summary = import_files([tmp_path / "download.csv"])
        assert AuditEvent.select().count() == stored
        assert summary.counts["directoryAudit"] == {"unchanged": stored}
    finally:
        close_database()
    open_database(tmp_path / "csv-first.db")
    try:
        import_files([tmp_path / "download.csv"])
        summary = import_files([graph_file])
        assert AuditEvent.select().count() == stored
        assert summary.counts["directoryAudit"] == {"unchanged": stored}
    finally:
        close_database()


def test_the_documented_singular_target_resource_is_read(database, tmp_path):
    record = {
        "id": "Directory_29f1d0b5",
        "activityDateTime": "2024-03-05T10:00:00Z",
        "category": "GroupManagement",
        "activityDisplayName": "Add member to group",
        "result": "success",
        "initiatedBy": {},
        "targetResource": {"id": "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0001", "displayName": "Sales", "type": "Group"},
    }
    path = tmp_path / "audit.json"
    path.write_text(json.dumps({"value": [record]}), encoding="utf-8")
    import_files([path])
    assert AuditEvent.get(AuditEvent.id == "Directory_29f1d0b5").target_resources[0]["displayName"] == "Sales"


def test_seven_fraction_digits_and_unmodelled_properties_survive_the_json_export(database, tmp_path):
    """`activityDateTime` keeps its 7 digits and beta `userAgent` (or anything new) stays in the
    record's JSON; the chain still verifies, old records included."""
    record = {
        "id": "Directory_7f3e",
        "activityDateTime": "2024-03-05T10:00:00.1234567Z",
        "category": "EntitlementManagement",
        "activityDisplayName": "Fulfill access package assignment",
        "result": "success",
        "correlationId": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d09",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0)",
        "newProperty": {"nested": [1, 2]},
        "@odata.type": "#microsoft.graph.directoryAudit",
        "initiatedBy": {"user": None, "app": {"displayName": "Azure AD Identity Governance"}},
        "targetResources": [],
        "additionalDetails": [{"key": "RequestId", "value": "r-1"}],
    }
    source = tmp_path / "audit.json"
    source.write_text(json.dumps({"value": [record]}), encoding="utf-8")
    import_files([FIXTURES / "graph" / "directoryAudits.json", source])
    export(tmp_path / "export.json", AuditLogReport())
    exported = {
        item["id"]: item for item in json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))["value"]
    }
    document = exported["Directory_7f3e"]
    assert document["activityDateTime"] == "2024-03-05T10:00:00.1234567Z"
    assert document["userAgent"] == "Mozilla/5.0 (Windows NT 10.0)"
    assert document["newProperty"] == {"nested": [1, 2]}
    assert "@odata.type" not in document
    assert audit_chain.verify().intact
    summary = import_files([source, tmp_path / "export.json"])
    assert summary.total("created") == 0
