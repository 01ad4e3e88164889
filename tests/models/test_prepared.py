"""Prepared statements: SQL generated once per bound database, values converted as their
fields convert them, rows read back as the fields read them."""

from datetime import datetime, timedelta, timezone

from models import Group, GroupMember, User
from models.database import close_database, open_database
from models.prepared import Parameter, Prepared

KOLKATA = timezone(timedelta(hours=5, minutes=30))
INSERT_USER = Prepared.insert(User)
INSERT_MEMBER = Prepared.insert(GroupMember, ignore_conflict=True)
USER_BY_ID = Prepared(lambda: User.select().where(User.id == Parameter("id")))
CREATED_SINCE = Prepared(
    lambda: (
        User.select(User.id, User.created_date_time)
        .where(User.created_date_time >= Parameter("since"))
        .order_by(User.id)
    )
)
RENAME = Prepared(
    lambda: User.update(display_name=Parameter("name", User.display_name)).where(User.id == Parameter("id"))
)
COUNT = Prepared(lambda: User.select(User.id).where(User.department == Parameter("department", default="Sales")))


def test_an_insert_takes_defaults_keys_and_converted_values(database):
    """A field left out takes its default (a fresh id), search keys are filled, and an aware
    time in another zone is stored as UTC."""
    INSERT_USER.execute(
        user_principal_name="Ärger@Contoso.com",
        display_name="Ärger",
        created_date_time=datetime(2026, 1, 5, 14, 30, tzinfo=KOLKATA),
    )
    user = User.get()
    assert len(user.id) == 36 and user.upn_key == "ärger@contoso.com" and user.display_name_key == "ärger"
    assert user.created_date_time == datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    assert user.is_reference is False


def test_rows_come_back_as_their_fields_read_them(database):
    INSERT_USER.execute(
        id="00000000-0000-0000-0000-000000000001",
        user_principal_name="a@b.c",
        display_name="A",
        created_date_time=datetime(2026, 1, 5, 9, tzinfo=timezone.utc),
    )
    user = USER_BY_ID.first(id="00000000-0000-0000-0000-000000000001")
    assert isinstance(user, User) and not user.dirty_fields
    assert user.created_date_time.tzinfo is timezone.utc
    assert USER_BY_ID.first(id="00000000-0000-0000-0000-000000000002") is None
    # The parameter is converted as the field compared with it: an aware time in Kolkata.
    assert CREATED_SINCE.tuples(since=datetime(2026, 1, 5, 14, 30, tzinfo=KOLKATA)) == [
        ("00000000-0000-0000-0000-000000000001", datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
    ]
    assert CREATED_SINCE.tuples(since=datetime(2026, 1, 5, 14, 31, tzinfo=KOLKATA)) == []


def test_updates_count_rows_and_parameters_take_defaults(database):
    INSERT_USER.execute_many(
        [
            {
                "id": f"00000000-0000-0000-0000-00000000000{n}",
                "user_principal_name": f"u{n}@b.c",
                "display_name": f"U{n}",
                "department": "Sales" if n % 2 else "Legal",
            }
            for n in range(1, 6)
        ]
    )
    assert len(COUNT.tuples()) == 3 and len(COUNT.tuples(department="Legal")) == 2
    assert RENAME.rowcount(id="00000000-0000-0000-0000-000000000001", name="Renamed") == 1
    assert RENAME.rowcount(id="00000000-0000-0000-0000-000000000009", name="Nobody") == 0
    assert User.get_by_id("00000000-0000-0000-0000-000000000001").display_name_key == "renamed"


def test_an_insert_that_ignores_conflicts_reports_no_row(database):
    group = Group.create(display_name="G")
    user = User.create(user_principal_name="a@b.c", display_name="A")
    assert INSERT_MEMBER.rowcount(group=group.id, member=user.id) == 1
    assert INSERT_MEMBER.rowcount(group=group.id, member=user.id) == 0


def test_the_sql_follows_the_bound_database(tmp_path, database_target):
    """Bound to another database (its own placeholder style), a statement is generated again."""
    open_database(tmp_path / "first.db")
    INSERT_USER.execute(user_principal_name="first@b.c", display_name="First")
    assert [u.user_principal_name for u in User.select()] == ["first@b.c"]
    close_database()
    open_database(database_target)
    try:
        INSERT_USER.execute(user_principal_name="second@b.c", display_name="Second")
        assert [u.user_principal_name for u in User.select()] == ["second@b.c"]
    finally:
        close_database()
