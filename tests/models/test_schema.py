from datetime import datetime, timedelta, timezone

from models import ALL_MODELS, AuditEvent, ConnectedOrganization, User, db
from models.configuration_version import ConfigurationVersion
from models.history import TRACKED_MODELS, ChangeContext, ChangeRun, history_table
from tests.helpers import factories


def test_every_table_is_created(database):
    """A new database holds one table per model, a history of each tracked one and the
    configuration version."""
    assert set(db.get_tables()) == (
        {m._meta.table_name for m in ALL_MODELS + (ChangeContext, ChangeRun, ConfigurationVersion)}
        | {history_table(m) for m in TRACKED_MODELS}
    )


def test_times_come_back_as_aware_utc(database):
    """A time stored with any offset reads back as the same instant in UTC."""
    moment = datetime(2026, 3, 1, 12, 30, 15, 250000, tzinfo=timezone(timedelta(hours=2)))
    user = factories.user("Adele Vance")
    User.update(created_date_time=moment).where(User.id == user.id).execute()
    stored = User.get_by_id(user.id).created_date_time
    assert stored == moment
    assert stored.tzinfo == timezone.utc
    assert stored.hour == 10


def test_json_fields_round_trip(database):
    """Graph JSON kept in a field reads back equal, non-ASCII included."""
    sources = [
        {
            "@odata.type": "#microsoft.graph.domainIdentitySource",
            "domainName": "fabrikam.com",
            "displayName": "Fabrikam – Zürich",
        }
    ]
    organization = ConnectedOrganization.create(display_name="Fabrikam", identity_sources=sources)
    assert ConnectedOrganization.get_by_id(organization.id).identity_sources == sources


def test_audit_records_sort_by_time_then_write_order(database):
    """Records sharing a timestamp keep the order in which they were written."""
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for activity in ("first", "second", "third"):
        AuditEvent.create(
            id=activity.ljust(36, "0"),
            activity_date_time=moment,
            category="EntitlementManagement",
            activity_display_name=activity,
        )
    order = [
        e.activity_display_name for e in AuditEvent.select().order_by(AuditEvent.activity_date_time, AuditEvent.seq)
    ]
    assert order == ["first", "second", "third"]


def test_foreign_keys_are_enforced(database):
    """A row that points at a missing row is refused by the database."""
    import peewee
    import pytest

    with pytest.raises(peewee.IntegrityError):
        User.create(id="u1", user_principal_name="x@contoso.com", display_name="X", manager="missing")


def test_user_principal_names_are_unique_ignoring_case(database):
    """Two users whose UPNs differ only in case cannot both exist."""
    import peewee
    import pytest

    factories.user("Adele Vance")
    with pytest.raises(peewee.IntegrityError):
        User.create(
            user_principal_name="ADELE.VANCE@contoso.com",
            upn_key="adele.vance@contoso.com",
            display_name="Adele",
            display_name_key="adele",
        )
