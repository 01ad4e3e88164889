"""Who the app acts as.

On a local SQLite file the person at the keyboard owns the file and may act as any directory
user (the GUI starts as an administrator; the CLI takes `--as UPN`), a simulation; a file synced
from a tenant acts only as the user who signed in for the sync. On a shared PostgreSQL
database the acting user is bound to the database login: once a Global Administrator has bound
any login, every login must be bound and acts only as its own directory user, so one team
member cannot act as another.
"""
import peewee

from desktop.errors import Forbidden, NotFound
from desktop.lookup import find_user
from desktop.permissions import Action, require
from models import DatabaseLogin, TenantConnection, User, db


def database_login() -> str | None:
    """The login of a shared (PostgreSQL) database; None for a local file."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        return db.execute_sql("SELECT current_user").fetchone()[0]
    return None


def resolve_actor(requested: str | User | None) -> User | None:
    """The user to act as, given what was asked for (a UPN, a User or nothing)."""
    wanted = find_user(requested) if isinstance(requested, str) else requested
    login = database_login()
    if login is None or not DatabaseLogin.select().exists():
        return _tenant_user_only(wanted)
    binding = DatabaseLogin.get_or_none(DatabaseLogin.role_name == login)
    if binding is None:
        raise Forbidden(
            f"The database login {login!r} is not bound to a directory user; ask a Global "
            f"Administrator to run: entitlement-desk-cli login bind {login} --user UPN")
    if wanted is not None and wanted.id != binding.user_id:
        raise Forbidden(f"The database login {login!r} acts as {binding.user.display_name}; "
                        f"it cannot act as {wanted.display_name}.")
    return binding.user


def _tenant_user_only(wanted: User | None) -> User | None:
    """A local copy of a tenant acts as the user who signed in for its sync, never as another:
    acting as anyone is a simulation, for databases no tenant fills."""
    connection = TenantConnection.select().first()
    if connection is None or wanted is None or wanted.id == connection.signed_in_user_id:
        return wanted
    raise Forbidden(f"This database mirrors the tenant {connection.display_name or connection.tenant_id} and acts as "
                    f"{connection.signed_in_upn or 'the user who signed in for its sync'}; it cannot act as "
                    f"{wanted.display_name}. Acting as another user is a simulation, for databases not connected "
                    "to a tenant.")


def bind_login(actor: User | None, role_name: str, user: User) -> None:
    require(actor, Action.MANAGE_DATABASE_LOGINS)
    with db.atomic():
        (DatabaseLogin.insert(role_name=role_name, user=user)
         .on_conflict(conflict_target=[DatabaseLogin.role_name], update={DatabaseLogin.user: user})
         .execute())


def unbind_login(actor: User | None, role_name: str) -> None:
    require(actor, Action.MANAGE_DATABASE_LOGINS)
    if not DatabaseLogin.delete().where(DatabaseLogin.role_name == role_name).execute():
        raise NotFound(f"The database login {role_name!r} is not bound.")


def bindings():
    return DatabaseLogin.select(DatabaseLogin, User).join(User).order_by(DatabaseLogin.role_name)
