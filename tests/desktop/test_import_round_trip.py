"""Round trip: the JSON exporter's Graph documents import into a new database and export
again byte for byte."""

import json
from pathlib import Path

import pytest

from desktop.export import export
from desktop.importers import import_files
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.audit import AuditLogReport
from desktop.reports.connected_organizations import ConnectedOrganizationsReport
from models import AuditEvent
from models.database import close_database, open_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPORTS = {
    "audit.json": AuditLogReport,
    "assignments.json": lambda: AssignmentsReport(None),
    "organizations.json": ConnectedOrganizationsReport,
}


def export_all(folder: Path) -> dict[str, bytes]:
    """Export the three Graph-shaped reports of the open database; their bytes by file name."""
    folder.mkdir()
    for name, report in REPORTS.items():
        export(folder / name, report())
    return {name: (folder / name).read_bytes() for name in REPORTS}


def test_export_import_export_gives_identical_files(tmp_path):
    """Audit, assignments and connected organizations export, import anew and export unchanged."""
    open_database(tmp_path / "source.db")
    try:
        import_files(sorted((FIXTURES / "graph").glob("*.json")) + sorted((FIXTURES / "entra").glob("*")))
        first = export_all(tmp_path / "first")
    finally:
        close_database()
    open_database(tmp_path / "copy.db")
    try:
        summary = import_files([tmp_path / "first" / name for name in REPORTS])
        second = export_all(tmp_path / "second")
    finally:
        close_database()
    assert summary.counts["directoryAudit"]["created"] == 8
    assert summary.counts["accessPackageAssignment"]["created"] == 3
    assert summary.counts["connectedOrganization"]["created"] == 2
    assert second == first


def audit_page(path: Path, stamps: list[str]) -> Path:
    """A directoryAudit list response, one record per timestamp, ids r1, r2, … in file order."""
    records = [
        {
            "id": f"r{n}",
            "category": "EntitlementManagement",
            "activityDisplayName": f"step {n}",
            "activityDateTime": stamp,
            "result": "success",
            "targetResources": [],
            "additionalDetails": [],
        }
        for n, stamp in enumerate(stamps, start=1)
    ]
    path.write_text(json.dumps({"value": records}), encoding="utf-8")
    return path


def write_order() -> list[str]:
    return [e.id for e in AuditEvent.select().order_by(AuditEvent.activity_date_time, AuditEvent.seq)]


@pytest.mark.parametrize("chunk", [1000, 2])
def test_ties_in_a_newest_first_file_keep_their_write_order(database, tmp_path, monkeypatch, chunk):
    """In a newest-first file, records sharing a timestamp are appended oldest first, across chunks too."""
    monkeypatch.setattr("desktop.importers.audit.CHUNK", chunk)
    later, earlier = "2024-05-01T10:00:05Z", "2024-05-01T10:00:00Z"
    import_files([audit_page(tmp_path / "audit.json", [later, later, earlier, earlier, earlier])])
    assert write_order() == ["r5", "r4", "r3", "r2", "r1"]


def test_ties_in_an_oldest_first_file_keep_the_file_order(database, tmp_path):
    """A file in time order is appended in file order."""
    earlier, later = "2024-05-01T10:00:00Z", "2024-05-01T10:00:05Z"
    import_files([audit_page(tmp_path / "audit.json", [earlier, earlier, later, later])])
    assert write_order() == ["r1", "r2", "r3", "r4"]


def test_exported_ties_survive_a_round_trip(tmp_path):
    """Steps of a request that share a timestamp export, import and export in the same order."""
    stamps = ["2024-05-01T10:00:05Z"] * 3 + ["2024-05-01T10:00:00Z"] * 3
    open_database(tmp_path / "source.db")
    try:
        import_files([audit_page(tmp_path / "audit.json", stamps)])
        export(tmp_path / "first.json", AuditLogReport())
    finally:
        close_database()
    open_database(tmp_path / "copy.db")
    try:
        import_files([tmp_path / "first.json"])
        export(tmp_path / "second.json", AuditLogReport())
    finally:
        close_database()
    assert (tmp_path / "second.json").read_bytes() == (tmp_path / "first.json").read_bytes()
