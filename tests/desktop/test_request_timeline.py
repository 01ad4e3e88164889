"""A request's timeline: what each record's additionalDetails say, in one line."""

from desktop.reports.request_timeline import step_details


def test_step_details_reads_additional_details():
    """Fallback approvers are marked; unknown keys are left out."""
    assert (
        step_details(
            [
                {"key": "Stage", "value": "2"},
                {"key": "ApproverUserPrincipalName", "value": "a@b"},
                {"key": "IsFallbackApprover", "value": "true"},
                {"key": "RequestType", "value": "userAdd"},
            ]
        )
        == "Stage 2 · Approver added: a@b (fallback approver)"
    )
    assert step_details([]) == ""
