"""The user picker's search: case-insensitive, prefix matches first, bounded."""

from desktop.directory import search_users
from tests.helpers import factories


def names(matches):
    return [m.display_name for m in matches]


def test_prefix_matches_come_before_contains_matches(database):
    """Typing "ann" lists Anna and Annette before Joanna (who only contains it)."""
    for name in ("Joanna Berg", "Anna Lind", "Annette Moss", "Bob Stone"):
        factories.user(name)
    assert names(search_users("ANN")) == ["Anna Lind", "Annette Moss", "Joanna Berg"]


def test_search_covers_upn_and_mail(database):
    """A UPN or mail prefix finds the user even when the display name differs."""
    person = factories.user("Zoe Quist")
    person.mail = "zq@fabrikam.com"
    person.save()  # the model keeps mail_key in step
    assert names(search_users("zoe.quist@")) == ["Zoe Quist"]
    assert names(search_users("ZQ@fab")) == ["Zoe Quist"]


def test_each_user_is_listed_once(database):
    """A user matching on name, UPN and mail appears once."""
    factories.user("Anna Lind")
    assert names(search_users("anna")) == ["Anna Lind"]


def test_shows_guest_organization(database):
    """A guest shows as Guest with the connected organization they came through."""
    fabrikam = factories.connected_organization("Fabrikam")
    factories.user("Gus Guest", user_type="Guest", connected_organization=fabrikam, domain="fabrikam.com")
    member = factories.user("Mia Member")
    member.company_name = "Contoso"
    member.save()
    by_name = {m.display_name: m for m in search_users("")}
    assert (by_name["Gus Guest"].user_type, by_name["Gus Guest"].organization) == ("Guest", "Fabrikam")
    assert (by_name["Mia Member"].user_type, by_name["Mia Member"].organization) == ("Member", "Contoso")


def test_wildcards_are_plain_text(database):
    """% and _ typed by the admin match themselves, not everything."""
    factories.user("Ann Lee")
    assert search_users("%") == []
    assert search_users("_") == []


def test_limit_bounds_the_answer(database):
    """An empty search lists the first users by name, no more than the limit."""
    for number in range(30):
        factories.user(f"Person {number:02d}")
    assert names(search_users("", limit=5)) == [f"Person {n:02d}" for n in range(5)]
    assert len(search_users("person", limit=7)) == 7
