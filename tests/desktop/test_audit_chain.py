import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from desktop.audit_chain import append, verify
from desktop.audit_record import event_fields
from desktop.cli import main
from models import AuditEvent, SchemaInfo, db
from models.audit_chain import HEAD_KEY
from models.database import SCHEMA_VERSION, close_database, open_database, schema_version
from tests.helpers.audit_documents import document
from tests.helpers.tampering import tampering

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def chained_log(database):
    append(event_fields(document(n)) for n in range(12))
    return [e.seq for e in AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq)]


def test_an_untouched_log_verifies(chained_log):
    """Records written through the chain verify, every one of them."""
    report = verify()
    assert report.intact and report.checked == 12


def test_a_changed_record_is_named(chained_log):
    """Editing one record's text in the database names that record, and only it."""
    target = chained_log[5]
    with tampering():
        AuditEvent.update(activity_display_name="Nothing to see").where(AuditEvent.seq == target).execute()
    problems = verify().problems
    assert [(p.kind, p.seq) for p in problems] == [("changed", target)]


def test_a_changed_json_field_is_named(chained_log):
    """Changing a justification inside the JSON is caught too."""
    target = chained_log[2]
    with tampering():
        AuditEvent.update(additional_details=[{"key": "Justification", "value": "forged"}]).where(
            AuditEvent.seq == target
        ).execute()
    assert [(p.kind, p.seq) for p in verify().problems] == [("changed", target)]


def test_a_removed_record_is_named_by_the_one_after_it(chained_log):
    """Deleting a record names the record that followed it."""
    with tampering():
        AuditEvent.delete().where(AuditEvent.seq == chained_log[7]).execute()
    assert [(p.kind, p.seq) for p in verify().problems] == [("removed", chained_log[8])]


def test_removing_the_newest_records_is_caught(chained_log):
    """Cutting the tail of the log is caught through the stored chain head."""
    with tampering():
        AuditEvent.delete().where(AuditEvent.seq >= chained_log[10]).execute()
    problems = verify().problems
    assert [p.kind for p in problems] == ["removed"] and problems[0].seq is None


def test_an_inserted_record_is_named(chained_log):
    """A row slipped in directly, with or without forged hashes, is named."""
    fields = event_fields(document(99))
    AuditEvent.insert(**fields).execute()
    forged = {**event_fields(document(98)), "content_hash": "a" * 64, "chain_hash": "b" * 64}
    AuditEvent.insert(**forged).execute()
    kinds = [(p.kind, p.record_id) for p in verify().problems]
    assert kinds[0] == ("inserted", document(99)["id"])
    assert ("inserted", document(98)["id"]) in kinds


def test_appends_from_two_transactions_continue_one_chain(chained_log):
    """A second batch extends the chain where the first ended."""
    append(event_fields(document(n)) for n in range(20, 25))
    assert verify().intact
    assert (
        SchemaInfo.get(SchemaInfo.key == HEAD_KEY).value
        == AuditEvent.select().order_by(AuditEvent.seq.desc()).first().chain_hash
    )


def test_a_rolled_back_append_leaves_the_chain_as_it_was(chained_log):
    """Records of a failed transaction vanish together with the head's move."""
    with pytest.raises(RuntimeError):
        with db.atomic():
            append([event_fields(document(50))])
            raise RuntimeError("the change they describe failed")
    assert verify().intact and AuditEvent.select().count() == 12


def test_cli_verify_reports_and_exits_non_zero_on_tampering(chained_log, capsys, database):
    """`audit verify` says intact (exit 0), then names the changed record (exit 1)."""
    target = database.path if database.kind == "sqlite" else database.url
    close_database()
    assert main(["--db", str(target), "audit", "verify"]) == 0
    assert "intact: 12 records" in capsys.readouterr().out
    open_database(target)
    with tampering():
        AuditEvent.update(result="failure").where(AuditEvent.seq == chained_log[3]).execute()
    close_database()
    assert main(["--db", str(target), "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert str(uuid.UUID(int=3)) in err and "changed" in err
    open_database(target)


def test_version_1_database_is_chained_by_the_migration(tmp_path):
    """Records in a version-1 file are chained when it is migrated to version 2."""
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "schema_v1.db", path)
    with sqlite3.connect(path) as raw:
        for number in range(3):
            raw.execute(
                "INSERT INTO audit_event (id, activity_date_time, category, activity_display_name, "
                "result, target_resources, additional_details) VALUES (?, ?, ?, ?, 'success', '[]', '[]')",
                (
                    str(uuid.UUID(int=number)),
                    f"2025-12-0{number + 1} 10:00:00",
                    "EntitlementManagement",
                    f"Old step {number}",
                ),
            )
    open_database(path)
    try:
        assert schema_version() == SCHEMA_VERSION
        report = verify()
        assert report.intact and report.checked == 3
    finally:
        close_database()
