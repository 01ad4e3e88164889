"""Who the app acts as.

On a local SQLite file the person at the keyboard owns the file and may act as any directory
user (the GUI starts as an administrator; the CLI takes `--as UPN`), a simulation; a file synced
from a tenant acts only as the user who signed in for the sync. On a shared PostgreSQL
database the acting user is bound to the database login: once a Global Administrator has bound
any login, every login must be bound and acts only as its own directory user, so one team
member cannot act as another.
"""

from datetime import datetime, timezone

import peewee

from desktop.admin_audit import BIND_LOGIN, UNBIND_LOGIN, login_binding_record
from desktop.audit_log import write_records
from desktop.errors import Forbidden, NotFound
from desktop.lookup import find_user
from desktop.permissions import Action, require
from models import DatabaseLogin, TenantConnection, User, db
from models.prepared import Prepared

# The SECURITY DEFINER functions a least-privilege database offers for bindings.
BIND_FUNCTION = "entitlement_desk_bind_login"
UNBIND_FUNCTION = "entitlement_desk_unbind_login"
# Read by every write of the core (check_acting): generated once, not by peewee on each run.
_TENANT_CONNECTION = Prepared(lambda: TenantConnection.select().limit(1))


def database_login() -> str | None:
    """The login of a shared (PostgreSQL) database; None for a local file."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        # session_user: SET ROLE cannot change it, so a login cannot pass for another.
        return db.execute_sql("SELECT session_user").fetchone()[0]
    return None


def resolve_actor(requested: str | User | None) -> User | None:
    """The user to act as, given what was asked for (a UPN, a User or nothing)."""
    wanted = find_user(requested) if isinstance(requested, str) else requested
    binding = _binding_in_force()
    if binding is None:
        return _tenant_user_only(wanted)
    if wanted is not None and wanted.id != binding.user_id:
        raise Forbidden(
            f"The database login {binding.role_name!r} acts as {binding.user.display_name}; "
            f"it cannot act as {wanted.display_name}."
        )
    return binding.user


def _tenant_user_only(wanted: User | None) -> User | None:
    """A local copy of a tenant acts as the user who signed in for its sync, never as another:
    acting as anyone is a simulation, for databases no tenant fills."""
    connection = _TENANT_CONNECTION.first()
    if connection is None or wanted is None or wanted.id == connection.signed_in_user_id:
        return wanted
    raise Forbidden(
        f"This database mirrors the tenant {connection.display_name or connection.tenant_id} and acts as "
        f"{connection.signed_in_upn or 'the user who signed in for its sync'}; it cannot act as "
        f"{wanted.display_name}. Acting as another user is a simulation, for databases not connected "
        "to a tenant."
    )


def check_acting(user: User | None) -> None:
    """Refuse a write made as `user` that this connection's login may not make: with bindings
    in force a login writes only as its own user, and an unbound login not at all; a copy of a
    tenant writes only as its signed-in user. Every writing entry point of the core calls this,
    whatever the CLI or GUI resolved before."""
    binding = _binding_in_force()
    if binding is None:
        _tenant_user_only(user)
    if binding is not None and (user is None or user.id != binding.user_id):
        name = user.display_name if user is not None else "no one"
        raise Forbidden(
            f"The database login {binding.role_name!r} acts as {binding.user.display_name}; it cannot act as {name}."
        )


def _binding_in_force() -> DatabaseLogin | None:
    """This login's binding on a shared database where logins are bound; None where anyone
    may act as anyone (a local file, or a shared database before its first binding)."""
    login = database_login()
    if login is None or not DatabaseLogin.select().exists():
        return None
    binding = DatabaseLogin.select(DatabaseLogin, User).join(User).where(DatabaseLogin.role_name == login).first()
    if binding is None:
        raise Forbidden(
            f"The database login {login!r} is not bound to a directory user; ask a Global "
            f"Administrator to run: entitlement-desk-cli login bind {login} --user UPN"
        )
    return binding


def bind_login(actor: User | None, role_name: str, user: User, at: datetime | None = None) -> None:
    """Make `role_name` act as `user` (a Global Administrator's step, audited)."""
    check_acting(actor)
    require(actor, Action.MANAGE_DATABASE_LOGINS)
    with db.atomic():
        if _guarded_logins():
            _call_guarded(BIND_FUNCTION, role_name, user.id, actor.id)
        else:
            (
                DatabaseLogin.insert(role_name=role_name, user=user)
                .on_conflict(conflict_target=[DatabaseLogin.role_name], update={DatabaseLogin.user: user})
                .execute()
            )
        write_records([login_binding_record(BIND_LOGIN, actor, role_name, user, at or _now())])


def unbind_login(actor: User | None, role_name: str, at: datetime | None = None) -> None:
    check_acting(actor)
    require(actor, Action.MANAGE_DATABASE_LOGINS)
    with db.atomic():
        if _guarded_logins():
            removed = _call_guarded(UNBIND_FUNCTION, role_name, actor.id)
        else:
            removed = DatabaseLogin.delete().where(DatabaseLogin.role_name == role_name).execute()
        if not removed:
            raise NotFound(f"The database login {role_name!r} is not bound.")
        write_records([login_binding_record(UNBIND_LOGIN, actor, role_name, None, at or _now())])


def _call_guarded(function: str, *arguments: str) -> int:
    marks = ", ".join(["%s"] * len(arguments))
    try:
        with db.atomic():  # a savepoint: the refusal leaves the caller's transaction usable
            return db.execute_sql(f"SELECT {function}({marks})", arguments).fetchone()[0]
    except peewee.ProgrammingError as refusal:
        # The database's own check disagrees with the app's (roles changed in between).
        raise Forbidden(str(refusal).strip().splitlines()[0]) from refusal


def _guarded_logins() -> bool:
    """True on a database set up for least privilege, where logins write bindings only
    through the database's own checked functions (see desktop.database_setup)."""
    if not isinstance(db.obj, peewee.PostgresqlDatabase):
        return False
    return db.execute_sql("SELECT to_regproc(%s) IS NOT NULL", (BIND_FUNCTION,)).fetchone()[0]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def bindings():
    return DatabaseLogin.select(DatabaseLogin, User).join(User).order_by(DatabaseLogin.role_name)
