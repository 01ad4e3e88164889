import pytest

from desktop import session
from desktop.cli import main
from desktop.errors import Forbidden
from desktop.permissions import GLOBAL_ADMINISTRATOR, IDENTITY_GOVERNANCE_ADMINISTRATOR
from desktop.session import bind_login, resolve_actor, unbind_login
from tests.helpers import factories


@pytest.fixture
def people(database):
    global_admin = factories.user("Megan Bowen")
    factories.grant_role(global_admin, GLOBAL_ADMINISTRATOR)
    governance = factories.user("Miriam Graham")
    factories.grant_role(governance, IDENTITY_GOVERNANCE_ADMINISTRATOR)
    return global_admin, governance, factories.user("Alex Wilber")


@pytest.fixture
def shared_login(monkeypatch, on_postgresql):
    """The login of this connection: the real one on PostgreSQL, a stand-in on SQLite."""
    if on_postgresql:
        return session.database_login()
    monkeypatch.setattr(session, "database_login", lambda: "alice")
    return "alice"


def test_a_local_file_acts_as_whoever_is_asked_for(people):
    """On SQLite with no bindings, --as picks the acting user freely."""
    _, governance, _ = people
    assert resolve_actor("miriam.graham@contoso.com") == governance
    assert resolve_actor(None) is None


def test_only_a_global_administrator_binds_logins(people):
    """An Identity Governance Administrator may not bind logins; a Global Administrator may."""
    global_admin, governance, plain = people
    with pytest.raises(Forbidden, match="Global Administrator"):
        bind_login(governance, "alice", plain)
    bind_login(global_admin, "alice", plain)


def test_a_bound_login_acts_only_as_its_user(people, shared_login):
    """Once bound, the login acts as its user and is refused anyone else."""
    global_admin, governance, _ = people
    bind_login(global_admin, shared_login, governance)
    assert resolve_actor(None) == governance
    assert resolve_actor("miriam.graham@contoso.com") == governance
    with pytest.raises(Forbidden, match="cannot act as Megan Bowen"):
        resolve_actor("megan.bowen@contoso.com")


def test_an_unbound_login_is_refused_once_any_login_is_bound(people, shared_login):
    """With bindings in force, a login without one cannot act at all."""
    global_admin, governance, _ = people
    bind_login(global_admin, "someone-else", governance)
    with pytest.raises(Forbidden, match="not bound to a directory user"):
        resolve_actor("megan.bowen@contoso.com")
    # Not even to undo bindings: an unbound login writes nothing (issue 15, item 1).
    with pytest.raises(Forbidden, match="not bound to a directory user"):
        unbind_login(global_admin, "someone-else")


def test_cli_bind_requires_a_global_administrator(people, database, capsys):
    """`login bind --as` goes through the same check and says why on stderr."""
    target = str(database.path if database.kind == "sqlite" else database.url)
    assert (
        main(
            [
                "--db",
                target,
                "login",
                "bind",
                "bob",
                "--user",
                "alex.wilber@contoso.com",
                "--as",
                "miriam.graham@contoso.com",
            ]
        )
        == 2
    )
    assert "Global Administrator" in capsys.readouterr().err
    assert (
        main(
            [
                "--db",
                target,
                "login",
                "bind",
                "bob",
                "--user",
                "alex.wilber@contoso.com",
                "--as",
                "megan.bowen@contoso.com",
            ]
        )
        == 0
    )
    assert main(["--db", target, "login", "list"]) == 0
    assert "bob\talex.wilber@contoso.com" in capsys.readouterr().out
