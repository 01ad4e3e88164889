"""Schema version 10: userPrincipalName becomes optional. On SQLite the user table is rebuilt;
its rows, indexes and the rows of every table that refers to it survive, and the ids the
importer used to store as UPNs become NULL."""

import shutil
import sqlite3
from pathlib import Path

import pytest

import models.database
from models import GroupMember, User
from models.database import SCHEMA_VERSION, close_database, open_database, schema_version
from tests.helpers.tampering import as_owner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NAMED = "0c6e6b3a-1f2d-4e5a-8b7c-000000000a01"
UNNAMED = "0c6e6b3a-1f2d-4e5a-8b7c-000000000a02"
GROUP = "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0c01"


def user_table(path: Path) -> tuple[list, list]:
    with sqlite3.connect(path) as raw:
        indexes = sorted(
            raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'user' AND sql IS NOT NULL"
            )
        )
        columns = [(row[1], row[2]) for row in raw.execute('PRAGMA table_info("user")')]
    return indexes, columns


@pytest.fixture
def version_9_file(tmp_path, monkeypatch):
    """A file of schema version 9 (the version-1 fixture migrated that far) holding a user with a
    UPN who manages one stored by id only, and a group both are members of."""
    path = tmp_path / "v9.db"
    shutil.copy(FIXTURES / "schema_v1.db", path)
    monkeypatch.setattr(models.database, "SCHEMA_VERSION", 9)
    open_database(path)
    assert schema_version() == 9
    close_database()
    monkeypatch.undo()
    with sqlite3.connect(path) as raw:
        insert = (
            'INSERT INTO "user" (id, user_principal_name, upn_key, display_name, display_name_key, user_type, '
            "account_enabled, is_reference, manager_id) VALUES (?, ?, ?, ?, ?, 'Member', 1, 0, ?)"
        )
        raw.execute(insert, (UNNAMED, UNNAMED, UNNAMED, "Bianca Pisani", "bianca pisani", None))
        raw.execute(insert, (NAMED, "AdeleV@contoso.com", "adelev@contoso.com", "Adele Vance", "adele vance", UNNAMED))
        raw.execute(
            'INSERT INTO "group" (id, display_name, display_name_key, security_enabled, mail_enabled, '
            "group_types, is_reference) VALUES (?, 'Sales', 'sales', 1, 0, '[]', 0)",
            (GROUP,),
        )
        raw.executemany(
            "INSERT INTO group_member (group_id, member_id) VALUES (?, ?)", [(GROUP, NAMED), (GROUP, UNNAMED)]
        )
    return path


def test_version_9_file_migrates_keeping_rows_indexes_and_references(version_9_file):
    indexes, columns = user_table(version_9_file)
    open_database(version_9_file)
    try:
        assert schema_version() == SCHEMA_VERSION
        named, unnamed = User.get_by_id(NAMED), User.get_by_id(UNNAMED)
        assert (named.user_principal_name, named.upn_key, named.manager_id) == (
            "AdeleV@contoso.com",
            "adelev@contoso.com",
            UNNAMED,
        )
        assert (unnamed.user_principal_name, unnamed.upn_key, unnamed.display_name) == (None, None, "Bianca Pisani")
        assert {m.member_id for m in GroupMember.select()} == {NAMED, UNNAMED}
        assert models.database.db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert models.database.db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        # Foreign keys still act on the rebuilt table: removing a user takes its memberships.
        User.delete().where(User.id == UNNAMED).execute()
        assert {m.member_id for m in GroupMember.select()} == {NAMED}
        assert User.get_by_id(NAMED).manager_id is None
    finally:
        close_database()
    after_indexes, after_columns = user_table(version_9_file)
    assert after_indexes == indexes
    assert [name for name, _ in after_columns] == [name for name, _ in columns]


def test_two_users_without_upn_do_not_collide(database):
    User.create(id=NAMED, user_principal_name=None, display_name="Adele Vance")
    User.create(id=UNNAMED, user_principal_name=None, display_name="Bianca Pisani")
    assert User.select().where(User.upn_key.is_null()).count() == 2


def test_on_postgresql_the_columns_become_optional_in_place(database, on_postgresql):
    if not on_postgresql:
        pytest.skip("the in-place path is PostgreSQL's; SQLite's rebuild is tested above")
    from models.database import migrate
    from models.migrations.v0010_optional_user_principal_name import upgrade

    db = models.database.db
    User.create(id=UNNAMED, user_principal_name=UNNAMED, display_name="Bianca Pisani")
    with as_owner():  # what a migration runs as
        for column in ("user_principal_name", "upn_key"):
            db.execute_sql(f'ALTER TABLE "user" ALTER COLUMN "{column}" SET NOT NULL')
        migrate(database, 9, steps={10: upgrade}, to_version=10)
    assert (User.get_by_id(UNNAMED).user_principal_name, User.get_by_id(UNNAMED).upn_key) == (None, None)
    nullable = dict(
        db.execute_sql(
            "SELECT column_name, is_nullable FROM information_schema.columns "
            "WHERE table_name = 'user' AND column_name IN ('user_principal_name', 'upn_key')"
        )
    )
    assert nullable == {"user_principal_name": "YES", "upn_key": "YES"}
