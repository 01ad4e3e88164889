"""Who can request what: allowedTargetScope, hidden packages, self-add off."""

import pytest

from desktop.eligibility import requestable_policies, why_cannot_request
from tests.helpers import factories as f


@pytest.fixture
def tenant(database):
    """Members, guests of a configured and a proposed organization, a group and a package."""
    configured = f.connected_organization("Fabrikam")
    proposed = f.connected_organization("Tailspin", state="proposed", domain="tailspin.com")
    people = {
        "member": f.user("Mia Member"),
        "grouped": f.user("Gus Grouped"),
        "listed": f.user("Lea Listed"),
        "guest": f.user("Gia Guest", user_type="Guest", connected_organization=configured, domain="fabrikam.com"),
        "proposed_guest": f.user(
            "Pat Proposed", user_type="Guest", connected_organization=proposed, domain="tailspin.com"
        ),
        "lone_guest": f.user("Lou Lone", user_type="Guest", domain="outlook.com"),
    }
    team = f.group("Team", members=[people["grouped"]])
    package = f.access_package("Sales tools")
    return {"people": people, "team": team, "configured": configured, "proposed": proposed, "package": package}


def who_can_request(tenant, policy):
    """The names of the tenant's people whom `policy` lets request."""
    return {name for name, person in tenant["people"].items() if why_cannot_request(person, policy) is None}


def who_lists(tenant, policy):
    """The names of the people whose requestable_policies include `policy`."""
    return {
        name for name, person in tenant["people"].items() if policy.id in {p.id for p in requestable_policies(person)}
    }


SCOPES = {
    "allMemberUsers": {"member", "grouped", "listed"},
    "allDirectoryUsers": {"member", "grouped", "listed", "guest", "proposed_guest", "lone_guest"},
    "allExternalUsers": {"guest", "proposed_guest", "lone_guest"},
    "allConfiguredConnectedOrganizationUsers": {"guest"},
    "notSpecified": set(),
    "allDirectoryServicePrincipals": set(),
}


@pytest.mark.parametrize("scope, expected", SCOPES.items())
def test_broad_scopes_admit_the_right_users(tenant, scope, expected):
    """Each broad scope admits exactly its users, the same in both functions."""
    policy = f.policy(tenant["package"], scope=scope)
    assert who_can_request(tenant, policy) == expected
    assert who_lists(tenant, policy) == expected


def test_specific_directory_users_admits_listed_users_and_group_members(tenant):
    """specificDirectoryUsers admits listed users and members of listed groups only."""
    policy = f.policy(
        tenant["package"], scope="specificDirectoryUsers", allowed=[tenant["people"]["listed"], tenant["team"]]
    )
    assert who_can_request(tenant, policy) == {"listed", "grouped"}
    assert who_lists(tenant, policy) == {"listed", "grouped"}


def test_specific_connected_organization_users_admits_guests_of_listed_organizations(tenant):
    """specificConnectedOrganizationUsers admits guests of the listed organizations, whatever their state."""
    policy = f.policy(tenant["package"], scope="specificConnectedOrganizationUsers", allowed=[tenant["proposed"]])
    assert who_can_request(tenant, policy) == {"proposed_guest"}
    assert who_lists(tenant, policy) == {"proposed_guest"}


def test_subject_sets_count_only_under_their_own_scope(tenant):
    """A listed user does not open a connected-organization policy, nor an organization a directory one."""
    users_listed_under_org_scope = f.policy(
        tenant["package"], "A", scope="specificConnectedOrganizationUsers", allowed=[tenant["people"]["listed"]]
    )
    org_listed_under_user_scope = f.policy(
        tenant["package"], "B", scope="specificDirectoryUsers", allowed=[tenant["configured"]]
    )
    assert who_can_request(tenant, users_listed_under_org_scope) == set()
    assert who_lists(tenant, users_listed_under_org_scope) == set()
    assert who_can_request(tenant, org_listed_under_user_scope) == set()
    assert who_lists(tenant, org_listed_under_user_scope) == set()


def test_hidden_package_cannot_be_requested(tenant):
    """A hidden package's policies count for nobody, with a reason naming the package."""
    hidden = f.access_package("Secret", hidden=True)
    policy = f.policy(hidden, scope="allDirectoryUsers")
    member = tenant["people"]["member"]
    assert "Secret" in why_cannot_request(member, policy)
    assert "hidden" in why_cannot_request(member, policy)
    assert who_lists(tenant, policy) == set()


def test_policy_without_self_add_cannot_be_requested(tenant):
    """A policy that does not let targets add access counts for nobody."""
    policy = f.policy(tenant["package"], "Admins only", scope="allDirectoryUsers", self_add=False)
    assert "Admins only" in why_cannot_request(tenant["people"]["member"], policy)
    assert who_lists(tenant, policy) == set()


@pytest.mark.parametrize(
    "scope, person, words",
    [
        ("notSpecified", "member", "assign it directly"),
        ("allMemberUsers", "guest", "member users only"),
        ("allExternalUsers", "member", "guest"),
        ("allConfiguredConnectedOrganizationUsers", "proposed_guest", "configured connected organizations"),
        ("specificDirectoryUsers", "member", "neither listed"),
        ("specificConnectedOrganizationUsers", "member", "not a guest of a connected organization"),
    ],
)
def test_reasons_say_why(tenant, scope, person, words):
    """The reason names the user and explains the scope that keeps them out."""
    policy = f.policy(tenant["package"], scope=scope, allowed=[tenant["team"]] if scope.startswith("specificD") else ())
    user = tenant["people"][person]
    reason = why_cannot_request(user, policy)
    assert user.display_name in reason and words in reason


def test_requestable_policies_carry_package_and_catalog_in_name_order(tenant):
    """The query orders by package then policy name and joins the package and catalog."""
    other = f.access_package("Accounting")
    f.policy(tenant["package"], "Second", scope="allMemberUsers")
    f.policy(tenant["package"], "First", scope="allMemberUsers")
    f.policy(other, "Only", scope="allDirectoryUsers")
    rows = list(requestable_policies(tenant["people"]["member"]))
    assert [(row.access_package.display_name, row.display_name) for row in rows] == [
        ("Accounting", "Only"),
        ("Sales tools", "First"),
        ("Sales tools", "Second"),
    ]
    assert rows[0].access_package.catalog.display_name == "General"


def test_requestable_policies_is_one_query(tenant):
    """Listing the policies and reading their package and catalog runs a single SQL statement."""
    f.policy(tenant["package"], scope="specificDirectoryUsers", allowed=[tenant["team"]])
    f.policy(tenant["package"], "Open", scope="allDirectoryUsers")
    from models import db

    statements = []
    original = db.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    db.obj.execute_sql = counting
    try:
        rows = [
            (p.access_package.display_name, p.access_package.catalog.display_name)
            for p in requestable_policies(tenant["people"]["grouped"])
        ]
    finally:
        del db.obj.execute_sql
    assert len(rows) == 2
    assert len(statements) == 1
