"""The configuration version: a counter that every write to the tenant's configuration bumps.

The lifecycle keeps the configuration it has read (policies, approval stages, the resource
roles packages grant, incompatible packages) from one transaction to the next, and reads this
counter once per transaction to know whether it must read it again. Database triggers bump it,
so no writer (an import, a sync, a configuration change, another process on a shared database,
a hand-run UPDATE) can change the configuration without the lifecycle seeing it.

On PostgreSQL the trigger runs once per statement, and the bump's row lock holds until the
writer commits: a reader that sees the new version sees the configuration written with it.
"""

import peewee
from peewee import BigIntegerField, IntegerField, Model

from models.base import db
from models.catalog import AccessPackage, IncompatibleAccessPackage, Resource, ResourceRole, ResourceRoleScope
from models.directory import Application, AppRole, Group
from models.policy import ApprovalStage, ApprovalStageApprover, AssignmentPolicy

# Every table desktop.lifecycle.configuration reads.
CONFIGURATION_MODELS = (
    AccessPackage,
    AssignmentPolicy,
    ApprovalStage,
    ApprovalStageApprover,
    IncompatibleAccessPackage,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    Group,
    Application,
    AppRole,
)
_BUMP_FUNCTION = "entitlement_desk_configuration_changed"


class ConfigurationVersion(Model):
    """One row: the number of configuration writes so far."""

    slot = IntegerField(primary_key=True, default=1)
    version = BigIntegerField(default=0)

    class Meta:
        database = db
        table_name = "configuration_version"


def install_configuration_version(database) -> None:
    """Create the counter (if missing) and (re)install the triggers that bump it."""
    database.create_tables([ConfigurationVersion], safe=True)
    table = ConfigurationVersion._meta.table_name
    database.execute_sql(
        f'INSERT INTO "{table}" (slot, version) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM "{table}")'
    )
    bump = f'UPDATE "{table}" SET version = version + 1'
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        database.execute_sql(
            f'CREATE OR REPLACE FUNCTION "{_BUMP_FUNCTION}"() RETURNS trigger LANGUAGE plpgsql AS '
            f"$bump$ BEGIN {bump}; RETURN NULL; END $bump$"
        )
    for model in CONFIGURATION_MODELS:
        for statement in _trigger_sql(database, model._meta.table_name, bump):
            database.execute_sql(statement)


def _trigger_sql(database, table: str, bump: str) -> list[str]:
    name = f"{table}_configuration_changed"
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        return [
            f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
            f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "{_BUMP_FUNCTION}"()',
        ]
    # SQLite has row triggers only: one bump per row written.
    return [
        statement
        for kind in ("insert", "update", "delete")
        for statement in (
            f'DROP TRIGGER IF EXISTS "{name}_{kind}"',
            f'CREATE TRIGGER "{name}_{kind}" AFTER {kind.upper()} ON "{table}" BEGIN {bump}; END',
        )
    ]
