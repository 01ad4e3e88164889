"""History tables: the triggers write a version per change, and the schema stays in step."""

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from models import AccessPackage, Assignment, Catalog, ConnectedOrganization, GroupMember, User, db
from models.change_context import clear_change_context, set_change_context
from models.database import open_database, schema_version, SCHEMA_VERSION
from models.history import (
    BACKFILL_SOURCE,
    HISTORY_COLUMNS,
    TRACKED_MODELS,
    UNKNOWN_SOURCE,
    ChangeContext,
    history_model,
    history_table,
    install_history,
    tracked_columns,
)
from tests.helpers import factories as f
from tests.helpers.tampering import as_owner

FIXTURES = Path(__file__).parent.parent / "fixtures"
MARCH = datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)


def versions(model, **key):
    history = history_model(model)
    query = history.select().order_by(history.version)
    for column, value in key.items():
        query = query.where(getattr(history, column) == value)
    return list(query.dicts())


def test_history_columns_match_the_tracked_tables(database):
    """Every tracked table's columns, as the database has them, are its history's columns too
    (plus the history's own): a migration that adds a column must re-install the history."""
    for model in TRACKED_MODELS:
        live = [column.name for column in db.get_columns(model._meta.table_name)]
        kept = [column.name for column in db.get_columns(history_table(model))]
        assert sorted(live) == sorted(tracked_columns(model)), model.__name__
        assert sorted(kept) == sorted(live + list(HISTORY_COLUMNS)), model.__name__


def test_install_history_adds_a_column_a_migration_added(database, monkeypatch):
    """A column added to a tracked table reaches its history with one call, and the
    re-installed triggers copy it."""
    from peewee import CharField

    field = CharField(max_length=64, null=True)
    User._meta.add_field("nickname", field)
    history_model.cache_clear()
    try:
        with as_owner():  # what a migration runs as
            db.execute_sql('ALTER TABLE "user" ADD COLUMN "nickname" VARCHAR(64)')
            install_history(db, [User])
        user = f.user("Nick Name")
        User.update(nickname="Nicky").where(User.id == user.id).execute()
        assert [v["nickname"] for v in versions(User, id=user.id)] == [None, "Nicky"]
    finally:
        User._meta.remove_field("nickname")
        history_model.cache_clear()


def test_insert_update_delete_each_write_a_version(database):
    """An insert opens a version, an update closes it and opens the next, a delete closes the
    last and leaves a zero-length tombstone; each carries the context's source and time."""
    with db.atomic():
        set_change_context("lifecycle", at=MARCH)
        user = f.user("Adele Vance")
        User.update(department="Legal").where(User.id == user.id).execute()
        clear_change_context()
    later = MARCH + timedelta(days=3)
    with as_owner(), db.atomic():  # the application's login may not delete users
        set_change_context("import", at=later, run="run-1")
        User.delete().where(User.id == user.id).execute()
        clear_change_context()
    rows = versions(User, id=user.id)
    assert [(r["change_kind"], r["department"], r["change_source"], r["change_run"]) for r in rows] == [
        ("insert", "Sales", "lifecycle", None),
        ("update", "Legal", "lifecycle", None),
        ("delete", "Legal", "import", "run-1"),
    ]
    # The insert is valid from the row's creation time (before the context's), the rest from theirs.
    assert [(r["valid_from"], r["valid_to"]) for r in rows] == [(f.T0, MARCH), (MARCH, later), (later, later)]
    assert ChangeContext.select().count() == 0


def test_an_update_that_changes_nothing_writes_nothing(database):
    """Re-writing the same values (an unchanged import) adds no version."""
    user = f.user("Adele Vance")
    User.update(department="Sales", display_name="Adele Vance").where(User.id == user.id).execute()
    assert len(versions(User, id=user.id)) == 1


def test_a_write_without_context_counts_as_the_database_now(database):
    """Outside any change context the source is "database" and the time the database's."""
    user = f.user("Adele Vance")
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    User.update(department="Legal").where(User.id == user.id).execute()
    latest = versions(User, id=user.id)[-1]
    assert latest["change_source"] == UNKNOWN_SOURCE
    assert before <= latest["valid_from"] <= datetime.now(timezone.utc) + timedelta(seconds=5)


def test_composite_keys_and_cascades_are_recorded(database):
    """A membership (composite key) removed by a cascade is closed like any other row."""
    member = f.user("Adele Vance")
    team = f.group("Sales team", members=[member])
    with as_owner(), db.atomic():  # the application's login may not delete users
        set_change_context("import", at=MARCH)
        User.delete().where(User.id == member.id).execute()
        clear_change_context()
    rows = versions(GroupMember, group_id=team.id)
    assert [(r["change_kind"], r["valid_to"]) for r in rows] == [("insert", MARCH), ("delete", MARCH)]


def test_a_rolled_back_write_leaves_no_version(database):
    """History is written in the same transaction as the change, so it rolls back with it."""
    user = f.user("Adele Vance")
    with pytest.raises(RuntimeError):
        with db.atomic():
            User.update(department="Legal").where(User.id == user.id).execute()
            raise RuntimeError("refused")
    assert len(versions(User, id=user.id)) == 1


def test_migration_backfills_one_version_per_row(tmp_path):
    """An old database gets its history at migration: one version per row, valid from the
    row's creation time, or from the migration when it does not know."""
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "schema_v1.db", path)
    open_database(path)
    try:
        assert schema_version() == SCHEMA_VERSION
        for model in (User, AccessPackage, Assignment, Catalog, ConnectedOrganization):
            rows = versions(model)
            assert len(rows) == model.select().count()
            assert {r["change_source"] for r in rows} <= {BACKFILL_SOURCE}
        created = {u.id: u.created_date_time for u in User.select()}
        for row in versions(User):
            if created[row["id"]] is not None:
                assert row["valid_from"] == created[row["id"]]
        # The triggers are live after the migration.
        some = User.select().first()
        User.update(department="Changed").where(User.id == some.id).execute()
        assert versions(User, id=some.id)[-1]["change_kind"] == "update"
    finally:
        db.close()
