"""Who may import tenant data, and the audit of what an import changed in directory roles.

Every import (files through the CLI or the GUI, pages through a sync) goes through
`guarded_import`: it needs Identity Governance Administrator or Global Administrator, held
before the import; an import that changes who holds a directory role needs Global
Administrator, and is undone otherwise. Each import, and each role change it made, is audited
in the same transaction as the data.

Without an acting user an import runs as the operator of a local file (who could change the
file anyway), or as the first import into a shared database that has no role holder yet.
"""

from datetime import datetime, timezone
from typing import Callable, TypeVar

from desktop.admin_audit import ADD_ROLE_MEMBER, REMOVE_ROLE_MEMBER, import_record, role_change_record
from desktop.audit_log import user_target, write_records
from desktop.errors import Forbidden
from desktop.permissions import GLOBAL_ADMINISTRATOR, Action, require, roles_of
from desktop.session import check_acting, database_login
from models import DirectoryRole, DirectoryRoleAssignment, User, db, new_id

Summary = TypeVar("Summary")


def guarded_import(actor: User | None, sources: list[str], run: Callable[[], Summary]) -> Summary:
    """Check that `actor` may import, run the import (`run`, which writes in a transaction of
    its own) inside one transaction with the role check and the audit records, and return
    what `run` returned. `sources` name what is imported (file names, the tenant synced)."""
    check_acting(actor)
    if actor is not None or not _operator_may_import():
        require(actor, Action.IMPORT)
    # Roles as they were before the import: an import cannot grant its own permission.
    global_administrator = actor is not None and GLOBAL_ADMINISTRATOR in roles_of(actor)
    with db.atomic():
        before = _role_holders()
        summary = run()
        after = _role_holders()
        added, removed = sorted(after - before), sorted(before - after)
        if (added or removed) and actor is not None and not global_administrator:
            raise Forbidden(
                f"This import changes who holds directory roles ({len(added)} added, {len(removed)} removed); "
                f"only a Global Administrator may do that, and {actor.display_name} is not one. "
                "Nothing was imported."
            )
        now = datetime.now(timezone.utc)
        correlation_id = new_id()
        records = [import_record(actor, now, sources, len(added) + len(removed))]
        records += _role_records(actor, now, correlation_id, added, ADD_ROLE_MEMBER)
        records += _role_records(actor, now, correlation_id, removed, REMOVE_ROLE_MEMBER)
        write_records(records)
    return summary


def _operator_may_import() -> bool:
    return database_login() is None or not DirectoryRoleAssignment.select().exists()


def _role_holders() -> set[tuple[str, str]]:
    return set(DirectoryRoleAssignment.select(DirectoryRoleAssignment.role, DirectoryRoleAssignment.principal).tuples())


def _role_records(actor, now, correlation_id, changes, activity) -> list[dict]:
    if not changes:
        return []
    role_names = dict(DirectoryRole.select(DirectoryRole.id, DirectoryRole.display_name).tuples())
    principal_ids = sorted({principal for _, principal in changes})
    users = {user.id: user for user in User.select().where(User.id.in_(principal_ids))}
    records = []
    for role_id, principal_id in changes:
        user = users.get(principal_id)
        principal = user_target(user) if user else {"id": principal_id, "displayName": None, "type": "User"}
        records.append(
            role_change_record(
                activity, actor, now, role_id, role_names.get(role_id, role_id), principal, correlation_id
            )
        )
    return records
