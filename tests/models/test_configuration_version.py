"""The configuration version: every write to the configuration's tables bumps it, whoever makes
it, the lifecycle's own writes do not, and a Lifecycle reads the configuration again exactly when
it changed."""

import re
from datetime import timedelta

import pytest

import models.database
from desktop.clock import FixedClock
from desktop.importers import import_files
from desktop.lifecycle import Lifecycle
from desktop.lifecycle.configuration import Configuration, ConfigurationCache
from models import AppRole, AssignmentPolicy, IncompatibleAccessPackage, db
from models.configuration_version import CONFIGURATION_MODELS, ConfigurationVersion
from models.database import close_database, open_database, schema_version
from tests.helpers import factories as f
from tests.helpers.connections import on_another_connection
from tests.helpers.graph_fixtures import ALL_FILES
from tests.helpers.lifecycle_tenant import build


@pytest.fixture
def tenant(database):
    return build()


def version() -> int:
    return ConfigurationVersion.get().version


def test_an_import_bumps_the_version(database):
    before = version()
    import_files(ALL_FILES)
    assert version() > before


def test_a_raw_change_by_another_connection_is_seen(tenant):
    cache = ConfigurationCache()
    with db.atomic():
        read = cache.current()
        assert read.policy(tenant.open_policy.id).row.expiration_duration == "P30D"
    before = version()
    on_another_connection(
        lambda: db.execute_sql(
            'UPDATE "assignment_policy" SET "expiration_duration" = \'P2D\' WHERE "id" = ' + db.param,
            (tenant.open_policy.id,),
        )
    )
    assert version() > before
    with db.atomic():
        assert cache.current() is not read
        assert cache.current().policy(tenant.open_policy.id).row.expiration_duration == "P2D"


def test_deletes_bump_the_version(tenant):
    IncompatibleAccessPackage.create(access_package=tenant.open_package, incompatible_with=tenant.staged_package)
    before = version()
    IncompatibleAccessPackage.delete().execute()
    assert version() > before
    before = version()
    AppRole.delete().execute()
    assert version() > before


def test_the_configuration_is_kept_while_nothing_in_it_changes(tenant):
    cache = ConfigurationCache()
    with db.atomic():
        read = cache.current()
    f.user("Someone New")  # users are not configuration: each transaction reads them afresh
    with db.atomic():
        assert cache.current() is read
    AssignmentPolicy.update(display_name="Renamed").where(AssignmentPolicy.id == tenant.open_policy.id).execute()
    with db.atomic():
        assert cache.current() is not read


def test_transitions_do_not_bump_the_version(tenant):
    """What the lifecycle writes (requests, assignments, group members, app role assignments) is
    not configuration, so an open Lifecycle keeps what it read."""
    lifecycle = Lifecycle(FixedClock(f.T0))
    before = version()
    request = lifecycle.submit(tenant.alice, tenant.approval_package)
    lifecycle.clock.advance(timedelta(minutes=5))
    delivered = lifecycle.approve(tenant.manager, request.id)
    lifecycle.submit(tenant.bob, tenant.open_package)
    lifecycle.remove_assignment(tenant.alice, delivered.assignment_id)
    assert version() == before


def test_the_configuration_reads_only_tables_that_bump_the_version(tenant, on_postgresql):
    """A table the configuration reads without a trigger would let the cache go stale."""
    if on_postgresql:
        pytest.skip("the statement trace is SQLite's")
    IncompatibleAccessPackage.create(access_package=tenant.open_package, incompatible_with=tenant.staged_package)
    statements = []
    db.connection().set_trace_callback(statements.append)
    try:
        configuration = Configuration()
        for package, policy in (
            (tenant.open_package, tenant.open_policy),
            (tenant.staged_package, tenant.staged_policy),
            (tenant.approval_package, tenant.approval_policy),
        ):
            configuration.policy(policy.id)
            configuration.grants(package.id)
            configuration.incompatible(package.id)
    finally:
        db.connection().set_trace_callback(None)
    read = {table for statement in statements for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', statement)}
    assert read and read <= {model._meta.table_name for model in CONFIGURATION_MODELS}


def test_migration_12_adds_the_version_to_an_older_database(tmp_path, monkeypatch):
    path = tmp_path / "v11.db"
    with monkeypatch.context() as older:
        older.setattr(models.database, "SCHEMA_VERSION", 11)
        older.setattr(models.database, "install_configuration_version", lambda database: None)
        open_database(path)
        f.catalog()
        assert "configuration_version" not in db.get_tables()
        close_database()
    open_database(path)
    try:
        assert schema_version() == 12
        before = version()
        f.access_package("After the upgrade")
        assert version() > before
    finally:
        close_database()
