"""Case-insensitive matching beyond ASCII, on SQLite and PostgreSQL alike: lookups, report
filters, quick filters and the user picker compare Unicode case-folded keys."""

import pytest

from desktop.directory import search_users
from desktop.lookup import find_policy
from desktop.reports.access_packages import AccessPackagesReport
from desktop.reports.views import quick_filtered
from models import AccessPackage, Group, User
from tests.helpers import factories as f


@pytest.fixture
def tenant(database):
    catalog = f.catalog("Öffentliche Verwaltung")
    package = f.access_package("Straße Süd", target_catalog=catalog)
    f.policy(package, "Größe ÄNDERUNG")
    f.user("Örjan Ångström", domain="bücher.example")
    return package


@pytest.mark.parametrize("typed", ["Größe ÄNDERUNG", "grösse änderung", "GRÖSSE ÄNDERUNG", "größe änderung"])
def test_find_policy_folds_beyond_ascii(tenant, typed):
    assert find_policy(tenant, typed).display_name == "Größe ÄNDERUNG"


@pytest.mark.parametrize("typed", ["öffentliche", "ÖFFENTLICHE", "STRASSE", "süd"])
def test_the_quick_filter_folds_beyond_ascii(tenant, typed):
    report = quick_filtered(AccessPackagesReport(), typed)
    assert [row[0] for row in report.iterate()] == ["Straße Süd"]


def test_the_quick_filter_takes_wildcards_literally(tenant):
    f.access_package("Sales_EMEA")
    f.access_package("SalesXEMEA")
    assert [row[0] for row in quick_filtered(AccessPackagesReport(), "s_e").iterate()] == ["Sales_EMEA"]
    assert list(quick_filtered(AccessPackagesReport(), "%").iterate()) == []


@pytest.mark.parametrize("typed", ["ÖFFENTLICHE verw", "strasse"])
def test_the_access_package_search_folds_beyond_ascii(tenant, typed):
    assert [row.display_name for row in AccessPackagesReport(search=typed).query()] == ["Straße Süd"]


@pytest.mark.parametrize("typed", ["örjan", "ÅNGSTRÖM", "BÜCHER"])
def test_the_user_picker_folds_beyond_ascii(tenant, typed):
    assert [match.display_name for match in search_users(typed)] == ["Örjan Ångström"]


def test_keys_are_filled_by_the_model_on_every_write(database):
    """create, save, update, insert and insert_many fill the keys; no writer passes them."""
    user = User.create(user_principal_name="ÅSA@Contoso.com", display_name="Åsa Öberg", mail=None)
    assert (user.upn_key, user.display_name_key, user.mail_key) == ("åsa@contoso.com", "åsa öberg", None)
    user.display_name = "STRAßE"
    user.save()
    assert User.get_by_id(user.id).display_name_key == "strasse"
    User.update(user_principal_name="ÉMILE@contoso.com").where(User.id == user.id).execute()
    assert User.get_by_id(user.id).upn_key == "émile@contoso.com"
    Group.insert(display_name="ΟΔΟΣ").execute()
    Group.insert_many([{"display_name": "Ǆemal"}]).execute()
    Group.insert_many([("ﬁnance",)], fields=[Group.display_name]).execute()
    assert sorted(g.display_name_key for g in Group.select()) == ["džemal", "finance", "οδοσ"]


def test_the_database_folds_as_python_does(database):
    """The SQL fold (a function on SQLite, desk_fold on PostgreSQL) gives Python's keys."""
    from models.keys import fold, folded

    texts = ["Größe ÄNDERUNG", "ΟΔΟΣ", "Öffentliche", "ẞ", "ﬁnance", "İstanbul", "ÅNGSTRÖM"]
    for text in texts:
        f.access_package(text)
    stored = dict(AccessPackage.select(AccessPackage.display_name, folded(AccessPackage.display_name)).tuples())
    assert stored == {text: fold(text) for text in texts}
