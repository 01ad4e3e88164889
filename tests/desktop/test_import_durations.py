"""A policy's durations are checked by the lifecycle's own parser as they are imported: one
it could not use is refused naming the file, the policy and the field, with nothing written."""

import json

import pytest

from desktop.cli import main
from desktop.errors import InvalidInput
from desktop.importers import import_files
from models import AssignmentPolicy

POLICY_ID = "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0001"
CONTEXT = (
    "https://graph.microsoft.com/v1.0/$metadata#identityGovernance/entitlementManagement/"
    "assignmentPolicies(accessPackage())"
)


def _policies(tmp_path, expiration="P365D", stage_timeout="P7D"):
    policy = {
        "id": POLICY_ID,
        "displayName": "Sales employees",
        "allowedTargetScope": "allMemberUsers",
        "createdDateTime": "2023-02-16T08:10:00Z",
        "modifiedDateTime": "2024-01-10T17:20:00Z",
        "expiration": {"endDateTime": None, "duration": expiration, "type": "afterDuration"},
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": True,
            "stages": [
                {
                    "durationBeforeAutomaticDenial": stage_timeout,
                    "isApproverJustificationRequired": False,
                    "isEscalationEnabled": False,
                    "durationBeforeEscalation": "PT0S",
                    "primaryApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}],
                }
            ],
        },
        "accessPackage": {"id": "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b0001", "displayName": "Sales"},
    }
    path = tmp_path / "assignmentPolicies.json"
    path.write_text(json.dumps({"@odata.context": CONTEXT, "value": [policy]}), encoding="utf-8")
    return path


def test_usable_durations_are_imported_as_written(database, tmp_path):
    import_files([_policies(tmp_path, expiration="P1Y6M", stage_timeout="PT12H")])
    assert AssignmentPolicy.get_by_id(POLICY_ID).expiration_duration == "P1Y6M"


@pytest.mark.parametrize(
    ("expiration", "stage_timeout", "field", "expected"),
    [
        ("P10000Y", "P7D", "expiration.duration", "'P10000Y' is longer than 1,000 years"),
        (
            "P365D",
            "P99999999999D",
            "requestApprovalSettings.stages[0].durationBeforeAutomaticDenial",
            "'P99999999999D' is longer than 1,000 years",
        ),
        ("a year", "P7D", "expiration.duration", "'a year' is not an ISO 8601 duration"),
    ],
)
def test_an_unusable_duration_is_refused_naming_the_policy(
    database, tmp_path, expiration, stage_timeout, field, expected
):
    with pytest.raises(InvalidInput) as raised:
        import_files([_policies(tmp_path, expiration, stage_timeout)])
    assert f"assignmentPolicies.json: record 1 (id {POLICY_ID}): field {field}: {expected}" in str(raised.value)
    assert AssignmentPolicy.select().count() == 0


def test_the_cli_import_says_so_and_exits_2(database, database_target, tmp_path, capsys):
    code = main(["--db", str(database_target), "import", str(_policies(tmp_path, expiration="P10000Y"))])
    err = capsys.readouterr().err
    assert code == 2
    assert f"(id {POLICY_ID}): field expiration.duration: 'P10000Y' is longer than 1,000 years" in err
    assert "Traceback" not in err
