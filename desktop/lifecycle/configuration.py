"""The tenant's configuration as a transition sees it: policies with their approval stages,
the resource roles each package grants, and incompatible packages.

It is read inside a transaction that uses it, and kept for the next transaction only while
the database's configuration version (models.configuration_version, bumped by triggers on
every write to these tables) is the one it was read at: a policy changed by an import, a sync
or another administrator on a shared database is never acted on from an older reading.
"""

from dataclasses import dataclass
from datetime import datetime

from desktop.approvers import StageDefinition, stage_definitions
from desktop.durations import shift
from desktop.errors import InvalidInput, NotFound
from desktop.lifecycle import statements as sql
from models import AssignmentPolicy, db

AAD_GROUP = "AadGroup"
AAD_APPLICATION = "AadApplication"


@dataclass(frozen=True)
class Policy:
    row: AssignmentPolicy  # its access_package joined in
    stages: tuple[StageDefinition, ...]

    @property
    def needs_approval(self) -> bool:
        return bool(self.row.is_approval_required_for_add and self.stages)


@dataclass(frozen=True)
class Grant:
    """One resource role a package grants, with what its directory side needs."""

    role_id: str
    scope_id: str
    origin_system: str
    resource_origin_id: str
    resource_name: str
    role_origin_id: str
    role_name: str
    in_directory: bool  # the group or application exists here
    app_role_id: str | None = None
    app_role_value: str | None = None


class Configuration:
    """What one transaction (or batch) has read of the configuration, each part once."""

    def __init__(self):
        self._memory: dict = {}

    def _remember(self, key, read):
        if key not in self._memory:
            self._memory[key] = read()
        return self._memory[key]

    def policy(self, policy_id: str) -> Policy:
        def read():
            row = sql.POLICY.first(id=policy_id)
            if row is None:
                raise NotFound(f"No assignment policy {policy_id!r}.")
            row.access_package = sql.ACCESS_PACKAGE.first(id=row.access_package_id)
            row._dirty.clear()
            return Policy(row, stage_definitions(policy_id))

        return self._remember(("policy", policy_id), read)

    def incompatible(self, package_id: str) -> frozenset[str]:
        """Ids of the packages incompatible with `package_id`, declared either way round."""

        def read():
            return frozenset(
                incompatible_with if declared_by == package_id else declared_by
                for declared_by, incompatible_with in sql.INCOMPATIBLE_PAIRS.tuples(package=package_id)
            )

        return self._remember(("incompatible", package_id), read)

    def grants(self, package_id: str) -> tuple[Grant, ...]:
        return self._remember(("grants", package_id), lambda: _read_grants(package_id))


class ConfigurationCache:
    """The configuration a Lifecycle has read, kept across its transactions for as long as
    the configuration version says nothing in it changed."""

    def __init__(self):
        self._read_at = None  # (database, version) the configuration was read at
        self._configuration = Configuration()

    def current(self) -> Configuration:
        """The configuration as it is now; call it inside the transaction that uses it (one
        query while nothing changed)."""
        version = sql.CONFIGURATION_VERSION.scalar()
        read_at = (db.obj, version)
        if version is None or read_at != self._read_at:
            self._read_at, self._configuration = read_at, Configuration()
        return self._configuration


def expiration(policy: AssignmentPolicy, start: datetime) -> datetime | None:
    """When an assignment made under `policy` at `start` ends (None: never)."""
    if policy.expiration_type == "afterDuration" and policy.expiration_duration:
        try:
            return shift(start, policy.expiration_duration)
        except InvalidInput as error:
            raise InvalidInput(
                f"Policy {policy.display_name!r} (id {policy.id}) has an unusable expiration duration: {error}"
            ) from None
    if policy.expiration_type == "afterDateTime":
        return policy.expiration_end_date_time
    return None


def _read_grants(package_id: str) -> tuple[Grant, ...]:
    grants = []
    for (
        role_id,
        scope_id,
        role_origin_id,
        role_name,
        system,
        resource_origin_id,
        resource_name,
    ) in sql.PACKAGE_ROLES.tuples(package=package_id):
        exists = {AAD_GROUP: sql.GROUP_EXISTS, AAD_APPLICATION: sql.APPLICATION_EXISTS}.get(system)
        in_directory = bool(exists and exists.tuples(id=resource_origin_id))
        app_role = None  # (id, value) of the application's role the package grants
        if in_directory and system == AAD_APPLICATION:
            app_role = next(
                ((role_origin_id, value) for (value,) in sql.APP_ROLE_VALUE.tuples(id=role_origin_id)), None
            )
        grants.append(
            Grant(
                role_id=role_id,
                scope_id=scope_id,
                origin_system=system,
                resource_origin_id=resource_origin_id,
                resource_name=resource_name,
                role_origin_id=role_origin_id,
                role_name=role_name,
                in_directory=in_directory,
                app_role_id=app_role[0] if app_role else None,
                app_role_value=app_role[1] if app_role else None,
            )
        )
    return tuple(grants)
