"""Least privilege on a shared PostgreSQL database (`entitlement-desk-cli database setup`).

Run once by a superuser (or the database's owner with CREATEROLE), and again after every
upgrade of the schema. It makes two roles that cannot log in:

- the owner role owns every table, the audit log's trigger and the binding functions; no
  person logs in as it, so no login can drop the trigger or rewrite the grants;
- the application role, granted to each person's login: it reads and writes the tenant's
  tables, may INSERT and SELECT the audit log but not UPDATE, DELETE or TRUNCATE it (grants,
  and a trigger that refuses those even to a role that regains the grant), and may not write
  `database_login` except through two SECURITY DEFINER functions that apply the bind
  command's checks (the caller's login is bound to the acting user, or no login is bound yet,
  and the acting user holds Global Administrator).
"""

import re
from dataclasses import dataclass, field

import peewee

from desktop.errors import Forbidden, InvalidInput
from desktop.session import BIND_FUNCTION, UNBIND_FUNCTION
from models import AuditEvent, DatabaseLogin, User, db
from models.base import quote_name

OWNER_ROLE = "entitlement_desk_owner"
APP_ROLE = "entitlement_desk_app"
APPEND_ONLY_FUNCTION = "entitlement_desk_audit_append_only"
CHECK_FUNCTION = "entitlement_desk_check_login_admin"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class SetupReport:
    owner_role: str
    app_role: str
    tables: int = 0
    logins_created: list[str] = field(default_factory=list)
    logins_granted: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [
            f"{self.tables} tables now owned by {self.owner_role!r} (no login); the application role "
            f"{self.app_role!r} reads and writes them, appends to the audit log and cannot change it."
        ]
        for login in self.logins_created:
            lines.append(f"Created the login {login!r} (set its password: ALTER ROLE {login} PASSWORD '…').")
        for login in self.logins_granted:
            lines.append(f"{login!r} now has the application role.")
        if not DatabaseLogin.select().exists():
            lines.append(
                "No login is bound to a directory user yet: until a Global Administrator binds one "
                "(entitlement-desk-cli login bind LOGIN --user UPN --as UPN), any login acts as anyone."
            )
        return lines


def setup_database(logins: list[str] = (), owner_role: str = OWNER_ROLE, app_role: str = APP_ROLE) -> SetupReport:
    """Create or refresh the roles, ownership, grants, trigger and functions, in one transaction."""
    if not isinstance(db.obj, peewee.PostgresqlDatabase):
        raise InvalidInput(
            "database setup is for a shared PostgreSQL database; a local file belongs to whoever may read it."
        )
    for name in (owner_role, app_role, *logins):
        if not _ROLE_NAME.match(name):
            raise InvalidInput(f"{name!r} is not a plain PostgreSQL role name (lower-case letters, digits, _).")
    report = SetupReport(owner_role, app_role)
    try:
        with db.atomic():
            _set_up(report, logins, owner_role, app_role)
    except peewee.ProgrammingError as error:
        # Most often: not a superuser (no CREATEROLE, not the tables' owner).
        reason = str(error).strip().splitlines()[0]
        raise Forbidden(f"database setup changed nothing: {reason}. Run it as a PostgreSQL superuser.") from error
    return report


def _set_up(report: SetupReport, logins, owner_role: str, app_role: str) -> None:
    owner, app = quote_name(owner_role), quote_name(app_role)
    _create_role(owner_role, login=False)
    _create_role(app_role, login=False)
    for login in logins:
        if _create_role(login, login=True):
            report.logins_created.append(login)
        _sql(f"GRANT {app} TO {quote_name(login)}")
        report.logins_granted.append(login)
    tables = [quote_name(name) for name in db.get_tables()]
    report.tables = len(tables)
    for table in tables:
        _sql(f"ALTER TABLE {table} OWNER TO {owner}")
    # The owner too: foreign-key checks run as the referenced table's owner.
    _sql(f"GRANT USAGE ON SCHEMA public TO {owner}, {app}")
    _sql("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC")
    _sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}")
    _sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}")
    audit, logins_table = quote_name(AuditEvent._meta.table_name), quote_name(DatabaseLogin._meta.table_name)
    _sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {app}")
    _sql(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {logins_table} FROM {app}")
    # Users are never deleted (only marked gone); deleting one would cascade to its binding.
    _sql(f"REVOKE DELETE, TRUNCATE ON {quote_name(User._meta.table_name)} FROM {app}")
    _sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
    _install_append_only_trigger(audit, owner)
    _install_binding_functions(owner, app)


def _create_role(name: str, *, login: bool) -> bool:
    if db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
        return False
    _sql(f"CREATE ROLE {quote_name(name)} {'LOGIN' if login else 'NOLOGIN'}")
    return True


def _install_append_only_trigger(audit: str, owner: str) -> None:
    _sql(f"""CREATE OR REPLACE FUNCTION {APPEND_ONLY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'The audit log is append-only: % is refused.', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""")
    _sql(f"ALTER FUNCTION {APPEND_ONLY_FUNCTION}() OWNER TO {owner}")
    _sql(f"DROP TRIGGER IF EXISTS audit_event_append_only ON {audit}")
    _sql(
        f"CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {audit} "
        f"FOR EACH ROW EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
    )
    _sql(f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {audit}")
    _sql(
        f"CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {audit} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
    )


def _install_binding_functions(owner: str, app: str) -> None:
    # session_user, not current_user: inside a SECURITY DEFINER function current_user is the
    # owner, and a login cannot change its session user (SET ROLE changes only current_user).
    _sql(f"""CREATE OR REPLACE FUNCTION {CHECK_FUNCTION}(acting_user text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE bound text;
        BEGIN
            SELECT user_id INTO bound FROM database_login WHERE role_name = session_user;
            IF bound IS NULL AND EXISTS (SELECT 1 FROM database_login) THEN
                RAISE EXCEPTION 'The database login % is not bound to a directory user.', session_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF bound IS NOT NULL AND bound IS DISTINCT FROM acting_user THEN
                RAISE EXCEPTION 'The database login % acts as another directory user.', session_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM directory_role_assignment a JOIN directory_role r ON r.id = a.role_id
                           WHERE a.principal_id = acting_user AND r.display_name = 'Global Administrator') THEN
                RAISE EXCEPTION 'Binding database logins needs a Global Administrator.'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        END $$""")
    _sql(f"""CREATE OR REPLACE FUNCTION {BIND_FUNCTION}(login text, bound_user text, acting_user text)
        RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            PERFORM {CHECK_FUNCTION}(acting_user);
            INSERT INTO database_login (role_name, user_id) VALUES (login, bound_user)
                ON CONFLICT (role_name) DO UPDATE SET user_id = EXCLUDED.user_id;
            RETURN 1;
        END $$""")
    _sql(f"""CREATE OR REPLACE FUNCTION {UNBIND_FUNCTION}(login text, acting_user text)
        RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE removed integer;
        BEGIN
            PERFORM {CHECK_FUNCTION}(acting_user);
            DELETE FROM database_login WHERE role_name = login;
            GET DIAGNOSTICS removed = ROW_COUNT;
            RETURN removed;
        END $$""")
    for signature in (
        f"{CHECK_FUNCTION}(text)",
        f"{BIND_FUNCTION}(text, text, text)",
        f"{UNBIND_FUNCTION}(text, text)",
    ):
        _sql(f"ALTER FUNCTION {signature} OWNER TO {owner}")
        _sql(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        _sql(f"GRANT EXECUTE ON FUNCTION {signature} TO {app}")


def _sql(statement: str) -> None:
    # Straight to the driver: with no parameters it leaves the functions' % signs alone.
    with peewee.__exception_wrapper__:
        db.cursor().execute(statement)
