"""A user deleted from the tenant since a past moment can still be the subject of a report as
of that moment: the user search offers them, and the CLI's `--user UPN --as-of` finds them,
even when their UPN has gone to someone else since."""

from datetime import timedelta

import openpyxl
import pytest

from desktop.cli import main
from desktop.directory import search_users
from desktop.lookup import find_user
from models import User, db
from models.change_context import clear_change_context, set_change_context
from tests.helpers import factories as f
from tests.helpers import history_tenant

HELD_OPEN = f.T0 + timedelta(minutes=30)  # Alice held Open from T0 until T0 + 2 hours
DELETED = f.T0 + timedelta(days=3)


@pytest.fixture
def alice_gone(database):
    """The lifecycle history; then Alice is deleted from the tenant, and her UPN is given to a
    new user (a deleted user's UPN is freed when the import sees her gone and renamed)."""
    tenant = history_tenant.lifecycle_history()
    with db.atomic():
        set_change_context("import", at=DELETED)
        User.update(deleted_date_time=DELETED, user_principal_name="alice.old@contoso.com").where(
            User.id == tenant.alice.id
        ).execute()
        newcomer = f.user("Alice Newhire", domain="contoso.com")
        User.update(user_principal_name="alice@contoso.com").where(User.id == newcomer.id).execute()
        clear_change_context()
    return tenant, newcomer


def test_search_offers_users_deleted_after_the_moment(alice_gone):
    """Now the search leaves Alice out; as of a moment before her deletion it lists her with
    when she was deleted; as of a moment after it, she was already gone."""
    tenant, _ = alice_gone
    assert tenant.alice.id not in {m.id for m in search_users("alice")}
    offered = {m.id: m for m in search_users("alice", deleted_after=HELD_OPEN)}
    assert offered[tenant.alice.id].deleted_date_time == DELETED
    assert all(m.deleted_date_time is None for m in offered.values() if m.id != tenant.alice.id)
    assert tenant.alice.id not in {m.id for m in search_users("alice", deleted_after=DELETED)}
    # Found by the UPN and mail she has now, the way a current user is.
    assert tenant.alice.id in {m.id for m in search_users("alice.old", deleted_after=HELD_OPEN)}


def test_find_user_as_of_a_moment_takes_who_had_the_upn_then(alice_gone):
    """alice@contoso.com was Alice when she held Open, and is the newcomer now."""
    tenant, newcomer = alice_gone
    assert find_user("alice@contoso.com").id == newcomer.id
    assert find_user("ALICE@contoso.com", HELD_OPEN).id == tenant.alice.id
    # A UPN nobody had then is looked up as it is now.
    assert find_user("alice.old@contoso.com", HELD_OPEN).id == tenant.alice.id
    assert find_user("alice@contoso.com", DELETED + timedelta(hours=1)).id == newcomer.id


@pytest.fixture
def cli(database_target, capsys):
    def run(*argv):
        code = main(["--db", str(database_target), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_cli_reports_a_deleted_user_as_of_a_moment(alice_gone, cli, tmp_path):
    """`export user-packages --user alice@contoso.com --as-of …` reports the Alice of then:
    Open assigned, and what she could request then, both sheets as of that moment."""
    path = tmp_path / "alice.xlsx"
    code, out, err = cli(
        "export", "user-packages", "--user", "alice@contoso.com", "--as-of", "2026-01-05T09:30:00Z", "-o", str(path)
    )
    assert (code, err) == (0, "")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Can request", "Assigned", "Report"]
    assigned = [row[0] for row in workbook["Assigned"].iter_rows(min_row=2, values_only=True)]
    assert assigned == ["Open"]
    could_request = [row[0] for row in workbook["Can request"].iter_rows(min_row=2, values_only=True)]
    assert could_request == ["Approval", "Open", "Staged"]
    about = list(workbook["Report"].iter_rows(values_only=True))
    assert ("  User", "Alice (alice.old@contoso.com)") in about
    assert ("  As of", "2026-01-05T09:30:00Z") in about
    code, out, err = cli(
        "export",
        "user-resources",
        "--user",
        "alice@contoso.com",
        "--as-of",
        "2026-01-05T09:30:00Z",
        "-o",
        str(tmp_path / "alice.csv"),
    )
    assert code == 0 and out.startswith("Exported 2 rows")
