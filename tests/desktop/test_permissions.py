"""Every role (and none) x every action of the core and the CLI: allowed exactly where the
entitlement-management article allows it."""

import pytest

from desktop.cli import main
from desktop.clock import FixedClock
from desktop.errors import Forbidden
from desktop.export import export
from desktop.lifecycle import Lifecycle
from desktop.permissions import (
    APPLICATION_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    IDENTITY_GOVERNANCE_ADMINISTRATOR,
    REPORTS_READER,
    SECURITY_ADMINISTRATOR,
    SECURITY_READER,
)
from desktop.reports.access_packages import AccessPackagesReport
from desktop.reports.app_role_activity import AppRoleActivityReport
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.audit import AuditLogReport
from desktop.reports.connected_organizations import ConnectedOrganizationsReport
from desktop.reports.package_activity import PackageActivityReport
from desktop.reports.request_history import RequestHistoryReport
from desktop.reports.requests import RequestsReport
from desktop.reports.user_packages import AssignedPackagesReport, CanRequestReport
from desktop.reports.user_resources import ResourceAssignmentsReport
from desktop.session import bind_login
from tests.helpers import factories as f

# The article, written out independently of desktop.permissions.
NO_ROLE = None
ROLES = (
    NO_ROLE,
    IDENTITY_GOVERNANCE_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    SECURITY_READER,
    REPORTS_READER,
    APPLICATION_ADMINISTRATOR,
)
GOVERNANCE = {IDENTITY_GOVERNANCE_ADMINISTRATOR, GLOBAL_ADMINISTRATOR}
WORKBOOKS = {GLOBAL_ADMINISTRATOR, SECURITY_ADMINISTRATOR, SECURITY_READER, REPORTS_READER, APPLICATION_ADMINISTRATOR}
GLOBAL_ONLY = {GLOBAL_ADMINISTRATOR}


@pytest.fixture
def tenant(database, tmp_path):
    holders = {}
    for role in ROLES:
        holder = f.user(f"Holder {role or 'none'}")
        if role:
            f.grant_role(holder, role)
        holders[role] = holder
    package = f.access_package("Sales Portal")
    policy = f.policy(package, scope="notSpecified", self_add=False)
    target = f.user("Alex Wilber")
    admin = holders[IDENTITY_GOVERNANCE_ADMINISTRATOR]
    request = Lifecycle(FixedClock(f.T0)).assign(admin, target, package, policy)
    return {
        "holders": holders,
        "package": package,
        "policy": policy,
        "target": target,
        "request": request,
        "folder": tmp_path,
    }


def core_actions(t):
    """(name, allowed roles, call(actor)) for every permission-checked core action."""
    lifecycle = Lifecycle(FixedClock(f.T0))
    return [
        ("access packages", GOVERNANCE, lambda a: AccessPackagesReport(actor=a)),
        ("package assignments", GOVERNANCE, lambda a: AssignmentsReport(t["package"], actor=a)),
        ("can request", GOVERNANCE, lambda a: CanRequestReport(t["target"], actor=a)),
        ("assigned packages", GOVERNANCE, lambda a: AssignedPackagesReport(t["target"], actor=a)),
        ("resource assignments", GOVERNANCE, lambda a: ResourceAssignmentsReport(t["target"], actor=a)),
        ("audit log", GOVERNANCE, lambda a: AuditLogReport(actor=a)),
        ("connected organizations", GOVERNANCE, lambda a: ConnectedOrganizationsReport(actor=a)),
        ("request history", GOVERNANCE, lambda a: RequestHistoryReport(t["request"].id, actor=a)),
        ("all requests", GOVERNANCE, lambda a: RequestsReport(actor=a)),
        ("access package activity", WORKBOOKS, lambda a: PackageActivityReport(None, actor=a)),
        ("app role assignment activity", WORKBOOKS, lambda a: AppRoleActivityReport(actor=a)),
        ("download the audit log", GOVERNANCE, lambda a: export(t["folder"] / "audit.csv", AuditLogReport(), actor=a)),
        (
            "download a workbook",
            WORKBOOKS,
            lambda a: export(t["folder"] / "activity.csv", PackageActivityReport(None), actor=a),
        ),
        ("direct assignment", GOVERNANCE, lambda a: lifecycle.assign(a, f.user(), t["package"], t["policy"])),
        (
            "remove another user's assignment",
            GOVERNANCE,
            lambda a: lifecycle.remove_assignment(
                a,
                lifecycle.assign(t["holders"][GLOBAL_ADMINISTRATOR], f.user(), t["package"], t["policy"]).assignment_id,
            ),
        ),
        ("bind a database login", GLOBAL_ONLY, lambda a: bind_login(a, "team-login", t["target"])),
    ]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no role")
def test_core_actions_follow_the_article(tenant, role):
    """Each core action is allowed for a role exactly when the article allows it."""
    actor = tenant["holders"][role]
    outcome = {}
    for name, _allowed, call in core_actions(tenant):
        try:
            call(actor)
            outcome[name] = True
        except Forbidden:
            outcome[name] = False
    expected = {name: role in allowed for name, allowed, _ in core_actions(tenant)}
    assert outcome == expected


def cli_actions(t):
    folder, package = t["folder"], t["package"].display_name
    return [
        ("export audit", GOVERNANCE, ["export", "audit", "-o", str(folder / "a.csv")]),
        (
            "export assignments",
            GOVERNANCE,
            ["export", "assignments", "--package", package, "-o", str(folder / "b.xlsx")],
        ),
        (
            "export connected organizations",
            GOVERNANCE,
            ["export", "connected-organizations", "-o", str(folder / "c.json")],
        ),
        (
            "export package activity",
            WORKBOOKS,
            ["export", "package-activity", "--package", t["package"].id, "-o", str(folder / "d.csv")],
        ),
        (
            "direct assignment",
            GOVERNANCE,
            ["request", "assign", "--user", t["holders"][NO_ROLE].user_principal_name, "--package", package],
        ),
        ("bind a login", GLOBAL_ONLY, ["login", "bind", "someone", "--user", t["target"].user_principal_name]),
    ]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no role")
def test_cli_follows_the_article(tenant, role, database, capsys):
    """`--as UPN` goes through the same check: exit 0 where allowed, 2 with the reason where not."""
    target = str(database.path if database.kind == "sqlite" else database.url)
    upn = tenant["holders"][role].user_principal_name
    for name, allowed, arguments in cli_actions(tenant):
        code = main(["--db", target, *arguments, "--as", upn])
        err = capsys.readouterr().err
        if role in allowed:
            assert code == 0, (name, err)
        else:
            assert code == 2 and "cannot" in err, (name, err)
