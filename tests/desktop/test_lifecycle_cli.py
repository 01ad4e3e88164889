"""The lifecycle on the command line: request, assignment remove and process."""

import pytest

from desktop.cli import main
from models import Assignment, AssignmentRequest
from tests.helpers.lifecycle_tenant import build, row_counts

AT = "2026-01-05T09:00:00Z"


@pytest.fixture
def cli(database, database_target, capsys):
    """Runs the CLI on the test database; returns (exit code, stdout lines, stderr)."""

    def run(*argv):
        code = main(["--db", str(database_target), *argv])
        captured = capsys.readouterr()
        return code, captured.out.splitlines(), captured.err

    return run


@pytest.fixture
def tenant(database):
    return build()


def test_submit_without_approval_prints_request_state_and_assignment(tenant, cli):
    """An auto-approved submit prints the request id, delivered and the assignment id."""
    code, out, _ = cli("request", "submit", "--user", "alice@contoso.com", "--package", "open", "--at", AT)
    assert code == 0
    request_id, state, assignment_id = out[0].split("\t")
    assert state == "delivered"
    assert AssignmentRequest.get_by_id(request_id).assignment_id == assignment_id


def test_approval_path_through_the_cli(tenant, cli):
    """Submit, approve as the manager, list, remove as the user, all at given times."""
    code, out, _ = cli(
        "request",
        "submit",
        "--user",
        "Bob@Contoso.com",
        "--package",
        "Approval",
        "--justification",
        "new role",
        "--at",
        AT,
    )
    request_id, state = out[0].split("\t")
    assert (code, state) == (0, "pendingApproval")
    code, out, _ = cli("request", "list", "--state", "pendingApproval")
    assert out[0].split("\t")[:5] == [request_id, "pendingApproval", "PendingApproval", "userAdd", "bob@contoso.com"]
    code, out, _ = cli(
        "request", "approve", request_id, "--as", "max.manager@contoso.com", "--at", "2026-01-06T10:00:00+01:00"
    )
    _, state, assignment_id = out[0].split("\t")
    assert (code, state) == (0, "delivered")
    assert str(AssignmentRequest.get_by_id(request_id).completed_date_time) == "2026-01-06 09:00:00+00:00"
    code, out, _ = cli("assignment", "remove", assignment_id, "--as", "bob@contoso.com", "--at", "2026-01-07T09:00:00")
    assert code == 0 and out[0].split("\t")[1:] == ["delivered", assignment_id]
    assert Assignment.get_by_id(assignment_id).state == "expired"


def test_deny_and_cancel(tenant, cli):
    """deny and cancel print the ended state."""
    _, out, _ = cli("request", "submit", "--user", "alice@contoso.com", "--package", "Approval", "--at", AT)
    assert cli("request", "deny", out[0].split("\t")[0], "--as", "max.manager@contoso.com", "--justification", "no")[1][
        0
    ].endswith("\tdenied")
    _, out, _ = cli("request", "submit", "--user", "bob@contoso.com", "--package", "Approval", "--at", AT)
    assert cli("request", "cancel", out[0].split("\t")[0], "--as", "bob@contoso.com")[1][0].endswith("\tcanceled")


def test_assign_as_administrator_with_dates(tenant, cli):
    """assign delivers at once with the given start and end."""
    code, out, _ = cli(
        "request",
        "assign",
        "--user",
        "carol@contoso.com",
        "--package",
        "Staged",
        "--as",
        "ada.admin@contoso.com",
        "--at",
        AT,
        "--end",
        "2026-02-01T00:00:00Z",
    )
    request_id, state, assignment_id = out[0].split("\t")
    assert (code, state) == (0, "delivered")
    assert str(Assignment.get_by_id(assignment_id).schedule_end) == "2026-02-01 00:00:00+00:00"


def test_process_times_out_and_expires(tenant, cli):
    """process at a later time reports what timed out and what expired."""
    cli("request", "submit", "--user", "alice@contoso.com", "--package", "Approval", "--at", AT)
    cli("request", "submit", "--user", "bob@contoso.com", "--package", "Open", "--at", AT)
    code, out, _ = cli("process", "--as", "ada.admin@contoso.com", "--at", "2026-03-01T00:00:00Z")
    assert (code, out) == (0, ["timed out\t1", "expired\t1"])
    assert cli("process", "--as", "ada.admin@contoso.com", "--at", "2026-03-01T00:00:00Z")[1] == [
        "timed out\t0",
        "expired\t0",
    ]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["request", "approve", "nope", "--as", "max.manager@contoso.com"], "No request 'nope'"),
        (["request", "approve", "x"], "--as UPN"),
        (["request", "submit", "--user", "nobody@contoso.com", "--package", "Open"], "No user"),
        (
            ["request", "submit", "--user", "alice@contoso.com", "--package", "Open", "--at", "yesterday"],
            "not an ISO 8601 time",
        ),
        (
            ["request", "submit", "--user", "alice@contoso.com", "--package", "Open", "--as", "bob@contoso.com"],
            "for themselves",
        ),
        (
            ["request", "assign", "--user", "alice@contoso.com", "--package", "Open", "--as", "bob@contoso.com"],
            "Identity Governance Administrator",
        ),
        (["assignment", "remove", "missing", "--as", "ada.admin@contoso.com"], "No assignment"),
    ],
)
def test_errors_go_to_stderr_with_exit_2(tenant, cli, argv, message):
    """Refusals, unknown objects and bad input print one line to stderr, exit 2 and write nothing."""
    before = row_counts()
    code, out, err = cli(*argv)
    assert code == 2 and out == []
    assert message in err
    assert row_counts() == before
