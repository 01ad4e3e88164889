"""The eight reports: their rows, filters, sorting, paging and streaming."""

import json
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, strategies as st
import pytest

from desktop.audit_record import format_time
from desktop.errors import Forbidden, InvalidInput, NotFound
from desktop.reports.app_role_activity import (
    ENTITLEMENT_MANAGEMENT_APP,
    AppRoleActivityReport,
    applications_with_activity,
    find_application,
)
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.audit import (
    AuditLogReport,
    audit_activities,
    audit_categories,
    audit_document,
    graph_time,
    utc_time,
)
from desktop.reports.connected_organizations import ConnectedOrganizationsReport
from desktop.reports.package_activity import PackageActivityReport, packages_with_activity
from desktop.reports.request_history import (
    RequestApproversReport,
    RequestDecisionsReport,
    RequestHistoryReport,
)
from desktop.reports.user_packages import AssignedPackagesReport, CanRequestReport
from desktop.reports.user_resources import ResourceAssignmentsReport
from models import AuditEvent, db
from tests.helpers.reports_tenant import build_tenant, every_report
from tests.helpers.factories import T0


@pytest.fixture
def tenant(database):
    return build_tenant()


def test_every_sort_pages_like_the_stream(tenant):
    """For every report and column, both directions: pages (forward and read backwards from
    the end) join up to exactly the streamed rows, and the count matches."""
    for report in every_report(tenant):
        for sort_key in [None] + [column.key for column in report.columns]:
            for descending in (False, True):
                streamed = list(report.iterate(sort_key, descending))
                assert len(streamed) == report.count(), report.name
                forward = [
                    row
                    for offset in range(0, len(streamed) + 2, 2)
                    for row in report.page(offset, 2, sort_key, descending)
                ]
                assert forward == streamed, (report.name, sort_key, descending)
                report.REVERSE_AFTER = 0
                backward = [
                    row
                    for offset in range(0, len(streamed) + 2, 2)
                    for row in report.page(offset, 2, sort_key, descending)
                ]
                del report.REVERSE_AFTER
                assert backward == streamed, (report.name, sort_key, descending)
                assert all(len(row) == len(report.columns) for row in streamed)


def test_sorting_orders_by_the_column(tenant):
    """A sort key orders the rows by that column's values, either way."""
    report = AssignmentsReport(None)
    names = [row[report.column_index("display_name")] for row in report.iterate("display_name", True)]
    assert names == sorted(names, key=str.casefold, reverse=True)
    starts = [row[report.column_index("start")] for row in report.iterate("start")]
    assert starts == sorted(starts)


def test_unknown_sort_key_is_a_bug(tenant):
    """Sorting by a column the report does not have raises ValueError."""
    with pytest.raises(ValueError):
        AuditLogReport().page(0, 10, "nope")


def test_assignments_of_a_package_by_state(tenant):
    """Users assigned to a package, filtered by state, with their organization and policy."""
    t = tenant
    report = AssignmentsReport(t.sales)
    rows = list(report.iterate())
    assert [row[0] for row in rows] == ["Alice Archer", "Bob Guest", "Carol Clark"]
    bob = rows[1]
    assert bob == (
        "Bob Guest",
        "bob.guest@fabrikam.com",
        "bob.guest@fabrikam.com",
        t.bob.id,
        "Guest",
        "Fabrikam",
        "expired",
        "Expired",
        "With approval",
        T0,
        None,
        t.bob_sales.id,
    )
    assert [r[0] for r in AssignmentsReport(t.sales, "Delivered").iterate()] == ["Alice Archer"]
    assert [r[0] for r in AssignmentsReport(t.sales, "expired").iterate()] == ["Bob Guest"]
    assert [r[0] for r in AssignmentsReport(t.sales, "delivering").iterate()] == ["Carol Clark"]
    with pytest.raises(InvalidInput):
        AssignmentsReport(t.sales, "gone")


def test_assignments_tenant_wide(tenant):
    """Without a package every assignment is listed, led by its package name and id."""
    t = tenant
    report = AssignmentsReport(None)
    assert [c.key for c in report.columns[:2]] == ["access_package", "access_package_id"]
    rows = list(report.iterate())
    assert [(row[0], row[2]) for row in rows] == [
        ("Finance", "Alice Archer"),
        ("Sales", "Alice Archer"),
        ("Sales", "Bob Guest"),
        ("Sales", "Carol Clark"),
    ]
    assert rows[0][1] == t.finance.id


def test_assignment_documents_are_graph_shaped(tenant):
    """JSON documents expand target, accessPackage and assignmentPolicy."""
    t = tenant
    document = list(AssignmentsReport(t.sales).documents())[1]
    assert document["id"] == t.bob_sales.id
    assert document["target"] == {
        "id": t.bob.id,
        "objectId": t.bob.id,
        "displayName": "Bob Guest",
        "email": "bob.guest@fabrikam.com",
        "principalName": "bob.guest@fabrikam.com",
        "subjectType": "user",
        "connectedOrganization": {"id": t.fabrikam.id, "displayName": "Fabrikam"},
    }
    assert document["accessPackage"] == {"id": t.sales.id, "displayName": "Sales"}
    assert document["assignmentPolicy"] == {"id": t.sales_approved.id, "displayName": "With approval"}
    assert document["schedule"]["startDateTime"] == "2026-01-05T09:00:00Z"


def test_can_request(tenant):
    """Can request lists each requestable package once with its usable policies joined."""
    t = tenant
    report = CanRequestReport(t.alice)
    rows = list(report.iterate())
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("Finance", "Approved", True),
        ("Sales", "Members; With approval", False),
    ]
    assert rows[0][5] == "Finance team (Member); Sales team (Member)"
    assert report.details(rows[1], "policies") == [
        ("Members", False, t.sales_open.id),
        ("With approval", True, t.sales_approved.id),
    ]
    assert report.details(rows[0], "resource_roles") == [
        ("Finance team", "Group", "Member"),
        ("Sales team", "Group", "Member"),
    ]
    guest = list(CanRequestReport(t.bob).iterate())
    assert [(r[0], r[3]) for r in guest] == [("Sales", "With approval")]


def test_assigned_packages(tenant):
    """Assigned lists the user's current assignments (not expired ones) with package roles."""
    t = tenant
    rows = list(AssignedPackagesReport(t.alice).iterate())
    assert [(r[0], r[2], r[3], r[6]) for r in rows] == [
        ("Finance", "Direct", "delivered", "Finance team (Member); Sales team (Member)"),
        ("Sales", "Members", "delivered", "Sales team (Member)"),
    ]
    assert list(AssignedPackagesReport(t.bob).iterate()) == []


def test_resource_assignments_tree(tenant):
    """A resource reached through two packages (one role) is a parent that counts them, with one
    child per package."""
    t = tenant
    report = ResourceAssignmentsReport(t.alice)
    flat = list(report.iterate())
    assert [(r[0], r[3]) for r in flat] == [
        ("Finance team", "Finance"),
        ("Sales team", "Finance"),
        ("Sales team", "Sales"),
    ]
    finance, sales = report.tree()
    assert finance.children == () and finance.row == flat[0]
    assert [child.row for child in sales.children] == flat[1:]
    assert all(child.children == () for child in sales.children)
    assert sales.row == ("Sales team", "Group", "Member", "2 packages", "2 policies", T0, None, "Fulfilled")


def test_audit_filters(tenant):
    """Every audit filter narrows in SQL; people match by case-insensitive prefix."""
    t = tenant

    def activities(**filters):
        return [row[3] for row in AuditLogReport(**filters).iterate()]

    assert AuditLogReport().count() == 9
    assert activities(initiated_by="ADA") == activities(initiated_by="ada.admin@contoso")
    assert set(activities(initiated_by="ada")) == {
        "Administrator directly assigns user to access package",
        "Remove access package assignment",
        "Remove app role assignment from user",
        "Add app role assignment grant to user",
    }
    assert activities(target="bob g") == ["Remove app role assignment from user", "Remove access package assignment"]
    assert activities(category="UserManagement") == ["Add approver to request approval", "Create request approval"]
    assert activities(result="failure") == ["Remove access package assignment"]
    assert activities(correlation_id=t.request.id.upper()) == [
        "Add approver to request approval",
        "Create request approval",
        "User requests access package assignment",
    ]
    assert len(activities(access_package_id=t.sales.id)) == 3
    assert activities(since=T0 - timedelta(days=4), until=T0 - timedelta(hours=4)) == [
        "Remove access package assignment",
        "Add app role assignment grant to user",
        "Fulfill access package assignment",
    ]
    assert activities(activity="Fulfill access package assignment") == ["Fulfill access package assignment"]


def test_audit_rows_and_documents(tenant):
    """A row shows actor and first target; the full Graph document is there on demand."""
    t = tenant
    event = t.sales_events[2]
    row = next(r for r in AuditLogReport().iterate() if r[-1] == event.id)
    assert row == (
        T0 - timedelta(hours=5),
        "Core Directory",
        "EntitlementManagement",
        "Remove access package assignment",
        "failure",
        None,
        "ada.admin@contoso.com",
        "Bob Guest",
        event.correlation_id,
        t.sales.id,
        event.id,
    )
    document = audit_document(event.id)
    assert document["activityDisplayName"] == "Remove access package assignment"
    assert document["targetResources"][1]["id"] == t.sales.id
    with pytest.raises(NotFound):
        audit_document("missing")
    assert [d["id"] for d in AuditLogReport().documents()] == [r[-1] for r in AuditLogReport().iterate()]


def test_audit_graph_rows_are_rows_with_graph_times(tenant):
    """The audit log's rows for text exports are its rows with the time as Graph text."""
    rows = list(AuditLogReport().iterate())
    assert list(AuditLogReport().graph_rows()) == [(format_time(row[0]), *row[1:]) for row in rows]


@pytest.mark.parametrize(
    "stored",
    [
        "2025-02-06 10:59:28.500000",
        "2025-02-06 10:59:28.120300",
        "2025-02-06 10:59:28.000001",
        "2025-02-06 10:59:28.000000",
        "2025-02-06 10:59:28",
        "0999-12-31 23:59:59.250000",
        "2025-02-06",
        "2025-02-06T10:59:28",
        "2025-02-06 10:59:28.5",
        "2025-02-06 10:59:28+02:00",
        None,
        datetime(2025, 2, 6, 10, 59, 28, 500000),
        datetime(2025, 2, 6),
    ],
)
def test_graph_time_is_the_formatted_time(stored):
    """A raw time (SQLite's text, PostgreSQL's datetime) becomes the text format_time gives."""
    assert graph_time(stored) == format_time(utc_time(stored))


@given(st.datetimes())
def test_graph_time_of_any_stored_time(moment):
    """Every time as SQLite stores it becomes the text format_time gives."""
    assert graph_time(str(moment)) == format_time(moment.replace(tzinfo=timezone.utc))


def test_graph_time_refuses_what_utc_time_refuses():
    """Stored text that is no time is an error, not text passed on."""
    for stored in ("2025-02-30 10:59:28", "2025-13-06 10:59:28.500000", "2025-02-06 24:59:28"):
        with pytest.raises(ValueError):
            graph_time(stored)


def test_audit_drop_down_values(tenant):
    """Distinct categories and activities come back sorted."""
    assert audit_categories() == ["ApplicationManagement", "EntitlementManagement", "UserManagement"]
    assert audit_activities("UserManagement") == ["Add approver to request approval", "Create request approval"]
    assert len(audit_activities()) == 8


def test_connected_organizations(tenant):
    """Organizations with identity source, sponsors and times."""
    t = tenant
    report = ConnectedOrganizationsReport()
    rows = list(report.iterate())
    assert rows[1] == (
        "Fabrikam",
        None,
        "configured",
        "domainIdentitySource",
        "fabrikam.com",
        "Ada Admin; Carol Clark",
        "Bob Guest",
        T0,
        T0,
        t.fabrikam.id,
    )
    assert report.details(rows[1], "external_sponsors") == [("Bob Guest", "bob.guest@fabrikam.com")]
    document = list(report.documents())[1]
    assert [s["id"] for s in document["internalSponsors"]] == [t.admin.id, t.carol.id]
    assert document["identitySources"][0]["domainName"] == "fabrikam.com"


def test_package_activity_workbook(tenant):
    """Records of one package in a range, the drop-down of active packages, counts per day."""
    t = tenant
    assert packages_with_activity("7d", T0) == [(t.sales.id, f"Sales {t.sales.id}")]
    assert [label for _, label in packages_with_activity("all", t.now)] == [
        f"Finance {t.finance.id}",
        f"Sales {t.sales.id}",
    ]
    report = PackageActivityReport(t.sales.id, "7d", now=T0)
    rows = list(report.iterate())
    assert [r[2] for r in rows] == ["Remove access package assignment", "Fulfill access package assignment"]
    assert rows[0][:6] == (
        T0 - timedelta(hours=5),
        t.sales.id,
        "Remove access package assignment",
        t.admin.id,
        "ada.admin@contoso.com",
        "Ada Admin",
    )
    assert json.loads(rows[0][6]) == []
    assert PackageActivityReport(t.sales.id, "all", now=t.now).count() == 3
    assert PackageActivityReport(t.finance.id, "24h", now=t.now).count() == 3
    assert PackageActivityReport(t.finance.id, "24h", now=t.now + timedelta(seconds=1)).count() == 0
    assert report.daily_counts() == [
        (date(2026, 1, 2), "Fulfill access package assignment", 1),
        (date(2026, 1, 5), "Remove access package assignment", 1),
    ]
    with pytest.raises(InvalidInput):
        PackageActivityReport(t.sales.id, "1y", now=T0)


def test_app_role_activity_workbook(tenant):
    """App role grants and removals per application, with entitlement management's own left out."""
    t = tenant
    assert applications_with_activity("all", t.now) == [
        (t.application_id, "Payroll"),
        (t.other_application_id, "Travel"),
    ]
    payroll = find_application("payroll", "all", t.now)
    assert payroll == (t.application_id, "Payroll")
    with pytest.raises(NotFound):
        find_application("Nothing", "all", t.now)
    rows = list(AppRoleActivityReport(payroll, now=t.now).iterate())
    assert rows == [
        (
            T0 - timedelta(hours=1),
            "Remove app role assignment from user",
            "ada.admin@contoso.com",
            None,
            None,
            "Payroll",
            "Writer",
            "Bob Guest",
            t.bob.id,
        ),
        (
            T0 - timedelta(days=1),
            "Add app role assignment grant to user",
            None,
            t.app_events[0].initiated_by_id,
            ENTITLEMENT_MANAGEMENT_APP,
            "Payroll",
            "Reader",
            "Alice Archer",
            t.alice.id,
        ),
    ]
    omitted = AppRoleActivityReport(payroll, omit_entitlement_management=True, now=t.now)
    assert [r[1] for r in omitted.iterate()] == ["Remove app role assignment from user"]
    everything = AppRoleActivityReport(omit_entitlement_management=True, range_key="24h", now=T0)
    assert [r[5] for r in everything.iterate()] == ["Payroll", "Travel"]
    assert everything.daily_counts() == [
        (date(2026, 1, 5), "Add app role assignment grant to user", 1),
        (date(2026, 1, 5), "Remove app role assignment from user", 1),
    ]


def test_request_history(tenant):
    """A request's records in write order, its approvers and what it waits for."""
    t = tenant
    report = RequestHistoryReport(t.request.id)
    assert [r[2] for r in report.iterate()] == [
        "User requests access package assignment",
        "Create request approval",
        "Add approver to request approval",
    ]
    assert json.loads(next(report.iterate())[6])[1] == {"key": "Justification", "value": "Quarter close"}
    state = report.state()
    assert (state.state, state.status, state.access_package, state.policy) == (
        "pendingApproval",
        "PendingApproval",
        "Finance",
        "Approved",
    )
    assert state.waiting.stage == 1
    assert state.waiting.approvers == ("Ada Admin (ada.admin@contoso.com)",)
    assert state.waiting.timeout == T0 + timedelta(days=16)
    assert list(RequestApproversReport(t.request.id).iterate()) == [(1, "Ada Admin", "ada.admin@contoso.com", False)]
    assert list(RequestDecisionsReport(t.old_request.id).iterate()) == [
        (1, "Ada Admin (ada.admin@contoso.com)", "Deny", "Not a partner", T0 + timedelta(hours=3))
    ]
    assert RequestHistoryReport(t.old_request.id).state().waiting is None
    with pytest.raises(NotFound):
        RequestHistoryReport("00000000-0000-0000-0000-000000000000")


def test_permissions(tenant):
    """An acting user needs the report's role: governance for reports, monitoring for workbooks."""
    t = tenant
    AssignmentsReport(t.sales, actor=t.admin)
    PackageActivityReport(t.sales.id, now=t.now, actor=t.reader)
    with pytest.raises(Forbidden):
        AssignmentsReport(t.sales, actor=t.reader)
    with pytest.raises(Forbidden):
        AuditLogReport(actor=t.nobody)
    with pytest.raises(Forbidden):
        AppRoleActivityReport(now=t.now, actor=t.admin)
    with pytest.raises(Forbidden):
        ConnectedOrganizationsReport(actor=t.reader)


def test_audit_ties_follow_time(tenant):
    """Sorted by a column, audit records sharing its value run in time order, same direction."""
    rows = list(AuditLogReport().iterate("category"))
    assert [(r[2], r[0]) for r in rows] == sorted((r[2], r[0]) for r in rows)
    rows = list(AuditLogReport().iterate("category", True))
    assert [(r[2], r[0]) for r in rows] == sorted(((r[2], r[0]) for r in rows), reverse=True)


def test_streams_hold_a_server_side_cursor_on_postgresql(tenant, on_postgresql):
    """On PostgreSQL a report's stream reads through a server-side cursor (the driver's own
    cursor would fetch a million records into memory at once) and lets it go when finished
    or dropped half-way."""
    if not on_postgresql:
        pytest.skip("SQLite's cursor streams by itself")
    reports = (AuditLogReport(), AssignmentsReport(None), ConnectedOrganizationsReport())
    for report in reports:
        report.BATCH = 1  # rows leave the stream one by one, so the first comes before the last is read
    streams = [stream for report in reports for stream in (report.iterate, report.documents)]
    for stream in streams:
        rows = stream()
        next(rows)
        assert _open_cursors() == 1, stream
        rows.close()
        assert _open_cursors() == 0, stream
        assert len(list(stream())) > 1 and _open_cursors() == 0, stream


def _open_cursors() -> int:
    """Declared cursors of this session (the unnamed one is this query's own)."""
    return db.execute_sql("SELECT count(*) FROM pg_cursors WHERE name <> ''").fetchone()[0]


def test_tenant_builds(database):
    """The shared tenant builds with its audit records indexed for filtering."""
    tenant = build_tenant()
    assert AuditEvent.select().count() == 9
    assert AuditEvent.get(AuditEvent.id == tenant.sales_events[0].id).access_package_id == tenant.sales.id
