"""The malformed corpus: every bad file is refused with one line naming file, record and field,
and the database is left exactly as it was."""

import json
from pathlib import Path

import pytest

from desktop.errors import InvalidInput
from desktop.importers import import_files
from tests.helpers.digest import database_digest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MALFORMED = FIXTURES / "malformed"
GOOD = [FIXTURES / "graph" / "users.json", FIXTURES / "graph" / "directoryAudits.json"]

EXPECTED = {
    "truncated.json": "truncated.json: not valid JSON after record 1: parse error: premature EOF",
    "empty.json": "empty.json: the file is empty",
    "only-whitespace.json": "only-whitespace.json: the file is empty",
    "binary.png": "binary.png: a binary file, not Graph JSON or an Entra audit CSV",
    "invalid-utf8.json": "invalid-utf8.json: not valid JSON in the first record: lexical error: invalid bytes in UTF8 "
    "string.",
    "missing-id.json": "missing-id.json: record 2: field id: is missing",
    "id-not-a-guid.json": "id-not-a-guid.json: record 2 (id lynne): field id: is not an object id (a GUID): 'lynne'",
    "id-is-a-number.json": "id-is-a-number.json: record 1: field id: must be text, not a number",
    "same-id-different-data.json": "same-id-different-data.json: record 3 (id 5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0101): "
    "field id: the same id came earlier in this import with different data",
    "audit-same-id-different-data.json": "audit-same-id-different-data.json: record 3 (id b0b0b0b0-1111-4222-8333-"
    "444455550001): field id: the same id as audit-same-id-different-data.json: "
    "record 1 in this import, with different data",
    "impossible-date.json": "impossible-date.json: record 2 (id 5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0102): field "
    "createdDateTime: is not a valid date and time: '2024-02-30T10:00:00Z'",
    "audit-date-not-a-date.json": "record 1 (id b0b0b0b0-1111-4222-8333-444455550001): field activityDateTime: "
    "is not a date and time: 'yesterday'",
    "audit-without-date.json": "audit-without-date.json: record 1 (id b0b0b0b0-1111-4222-8333-444455550001): "
    "field activityDateTime: is missing",
    "audit-initiator-is-text.json": "record 1 (id b0b0b0b0-1111-4222-8333-444455550001): field initiatedBy: must be "
    "an object, not text",
    "audit-targets-not-a-list.json": "field targetResources: must be a list, not an object",
    "boolean-is-text.json": "boolean-is-text.json: record 1 (id 5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0101): field "
    "accountEnabled: must be true or false, not 'yes'",
    "number-for-text.json": "field displayName: must be text, not a number",
    "members-not-a-list.json": "members-not-a-list.json: record 1 (id 7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0101): field "
    "members: must be a list, not an object",
    "unknown-state.json": "unknown-state.json: record 1 (id 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d0101): field state: "
    "'Exploded' is not one of delivering, partiallyDelivered, delivered",
    "assignment-without-policy.json": "record 1 (id 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d0101): field assignmentPolicy: "
    "is missing",
    "assignment-target-without-id.json": "field target.objectId: is missing",
    "value-not-a-list.json": "value-not-a-list.json: field value: must be a list of records",
    "records-not-objects.json": 'records-not-objects.json: record 2: is not a JSON object but "Lynne Robbins"',
    "not-json.json": "not-json.json: not valid JSON in the first record: lexical error: invalid char in json text.",
    "trailing-garbage.json": "trailing-garbage.json: not valid JSON after record 1: lexical error",
    "approver-id-not-a-guid.json": "field requestApprovalSettings.stages[0].primaryApprovers[0].userId: is not an "
    "object id (a GUID): 'megan@contoso.com'",
    "upn-taken-by-another-user.json": "upn-taken-by-another-user.json: record 1 (id 5f1c0f6e-8e2b-4c1a-9d3e-"
    "1a2b3c4d0102): field userPrincipalName: 'AlexW@contoso.com' already belongs "
    "to another user (5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0001)",
    "two-users-one-upn.json": "two-users-one-upn.json: record 2 (id 5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0102): field "
    "userPrincipalName: 'pradeepg@CONTOSO.com' is also the UPN of user "
    "5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0101",
    "audit-missing-column.csv": "audit-missing-column.csv: line 1: not the Entra audit-log layout: missing column "
    "Target3UserPrincipalName",
    "audit-extra-column.csv": "audit-extra-column.csv: line 1: not the Entra audit-log layout: unexpected column "
    "Comment",
    "audit-short-row.csv": "audit-short-row.csv: line 3: 85 columns where the header has 86",
    "audit-bad-date.csv": "audit-bad-date.csv: line 3: field Date (UTC): is not a date and time: '31/02/2024 10:00'",
    "audit-date-column-moved.csv": "audit-date-column-moved.csv: line 1: not the Entra audit-log layout: the first "
    "column is 'CorrelationId'",
    "audit-unterminated-quote.csv": "audit-unterminated-quote.csv: line 3: not valid CSV",
    "audit-invalid-utf8.csv": "audit-invalid-utf8.csv: not UTF-8 text",
}


def test_the_corpus_is_complete():
    """Every file in the corpus has an expected message, and the corpus has at least 20 cases."""
    assert sorted(p.name for p in MALFORMED.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 20


@pytest.fixture
def imported(database):
    """A database with some of the fixture tenant in it, and its digest."""
    import_files(GOOD)
    return database_digest()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_malformed_file_is_refused_and_changes_nothing(imported, name):
    """Imported beside good files, the bad one fails the whole import with its problems listed."""
    with pytest.raises(InvalidInput) as raised:
        import_files([*GOOD, FIXTURES / "graph" / "groups.json", MALFORMED / name])
    message = str(raised.value)
    assert EXPECTED[name] in message
    assert "Traceback" not in message
    assert database_digest() == imported


def test_invalid_utf8_deep_in_a_large_file_names_the_record(imported, tmp_path):
    """A bad byte past the first block is found by the JSON parser, after the records before it."""
    records = ",".join(
        f'{{"id":"5f1c0f6e-8e2b-4c1a-9d3e-{n:012d}","displayName":"User {n}","userPrincipalName":"u{n}@contoso.com"}}'
        for n in range(1000)
    )
    path = tmp_path / "users.json"
    path.write_bytes(b'{"value":[' + records.encode() + b',{"id":"x","displayName":"\xff"}]}')
    with pytest.raises(
        InvalidInput,
        match=r"users.json: not valid JSON after record 1000: lexical error: invalid "
        r"bytes in UTF8 string",
    ):
        import_files([path])
    assert database_digest() == imported


def test_an_audit_id_repeated_in_a_later_chunk_is_caught(imported, tmp_path, monkeypatch):
    """A repeat with other data is an error even when its first copy was written a chunk ago."""
    monkeypatch.setattr("desktop.importers.audit.CHUNK", 1)
    path = tmp_path / "audit.json"
    document = json.loads((MALFORMED / "audit-same-id-different-data.json").read_text(encoding="utf-8"))
    for minute, record in enumerate(document["value"]):
        record["activityDateTime"] = f"2024-05-01T10:0{minute}:00Z"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(
        InvalidInput,
        match=r"record 3 \(id b0b0b0b0-1111-4222-8333-444455550001\): field id: the "
        r"same id as an earlier record in this import, with different data",
    ):
        import_files([path])
    assert database_digest() == imported


def test_an_audit_record_repeated_unchanged_is_written_once(database, tmp_path, monkeypatch):
    """The same record twice (overlapping downloads) is one record, in any chunk."""
    monkeypatch.setattr("desktop.importers.audit.CHUNK", 1)
    source = (FIXTURES / "graph" / "directoryAudits.json").read_text(encoding="utf-8")
    path = tmp_path / "twice.json"
    path.write_text(source + source, encoding="utf-8")
    summary = import_files([path])
    assert summary.counts["directoryAudit"] == {"created": 3}
