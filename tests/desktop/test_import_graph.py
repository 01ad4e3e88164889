"""Importing Microsoft Graph JSON: every resource type, the quirks, idempotence, stand-ins."""

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from desktop import audit_chain
from desktop.errors import Cancelled, InvalidInput
from desktop.importers import import_files
from desktop.importers.graph import UNKNOWN_CATALOG_ID
from models import (
    AccessPackage,
    ApprovalStage,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    AuditEvent,
    Catalog,
    ConnectedOrganization,
    DirectoryRole,
    DirectoryRoleAssignment,
    Group,
    GroupMember,
    IncompatibleAccessPackage,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    ResourceScope,
    User,
)
from tests.helpers.digest import database_digest
from tests.helpers.graph_fixtures import (
    GRAPH,
    ALL_FILES,
    ALEX,
    MEGAN,
    ADELE,
    ISAIAH,
    DEBRA,
    NESTOR,
    LEE,
    FABRIKAM,
    TAILSPIN,
    SALES_STARTER,
    AUDITORS,
    SALES_POLICY,
    PARTNER_POLICY,
    ADMIN_POLICY,
    NAMED_POLICY,
)

ENTITLEMENT_CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#identityGovernance/entitlementManagement"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def tenant(database):
    """The whole fixture tenant imported once; the summary of that import."""
    return import_files(ALL_FILES)


def test_every_fixture_type_is_imported(tenant):
    """Each Graph type in the fixtures is counted as created; nested non-users are noted."""
    created = {kind: counts["created"] for kind, counts in tenant.counts.items()}
    assert created == {
        "user": 5,
        "group": 2,
        "directoryRole": 2,
        "connectedOrganization": 2,
        "accessPackageSubject": 1,
        "accessPackageCatalog": 2,
        "accessPackageResource": 2,
        "accessPackage": 3,
        "accessPackageAssignmentPolicy": 4,
        "accessPackageAssignment": 3,
        "accessPackageAssignmentRequest": 3,
        "directoryAudit": 3,
    }
    assert tenant.references == {"user": 3}
    assert [s.reason for s in tenant.skipped] == [
        "1 members of group that are not users were not imported",
        "1 members of role that are not users were not imported",
    ]


def test_reimport_changes_nothing(tenant):
    """The same files again: every record unchanged, every row byte for byte the same."""
    before = database_digest()
    again = import_files(reversed(ALL_FILES))
    assert again.total("created") == again.total("updated") == 0
    assert again.total("unchanged") == tenant.total("created") + tenant.total("updated")
    assert database_digest() == before


def test_users_keep_graph_values_and_read_the_quirks(tenant):
    """Ids are lowercased, "null" is null, offsets and 7-digit fractions become UTC microseconds."""
    alex, adele, isaiah = User[ALEX], User[ADELE], User[ISAIAH]
    assert (alex.user_principal_name, alex.upn_key, alex.display_name_key) == (
        "AlexW@contoso.com",
        "alexw@contoso.com",
        "alex wilber",
    )
    assert alex.manager_id == MEGAN and not alex.is_reference
    assert adele.department is None
    assert adele.created_date_time == utc(2023, 1, 19, 10, 2, 33, 123456)
    assert isaiah.created_date_time == utc(2021, 6, 30, 5, 15)
    assert User[DEBRA].user_type == "Guest"


def test_groups_roles_and_connected_organizations(tenant):
    """Expanded members become memberships; sponsors and identity sources are kept."""
    sales = Group["7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0001"]
    assert sales.group_types == ["Unified"] and sales.display_name_key == "sales team"
    assert {m.member_id for m in GroupMember.select().where(GroupMember.group == sales)} == {ALEX, MEGAN}
    iga = DirectoryRole.get(DirectoryRole.role_template_id == "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e")
    holders = DirectoryRoleAssignment.select().where(DirectoryRoleAssignment.role == iga)
    assert [a.principal_id for a in holders] == [ISAIAH]
    fabrikam = ConnectedOrganization[FABRIKAM]
    assert fabrikam.identity_sources[0]["tenantId"] == "2d1a3e5b-7c9d-4e1f-8a2b-4c6d8e0f1a3b"
    assert fabrikam.created_date_time == utc(2023, 9, 12, 14, 5, 31, 703333)
    assert {(s.user_id, s.kind) for s in fabrikam.sponsors} == {(MEGAN, "internal"), (DEBRA, "external")}
    assert ConnectedOrganization[TAILSPIN].state == "proposed"


def test_guests_belong_to_their_connected_organization(tenant):
    """A subject's connectedOrganization (standalone, as target or as requestor) is the user's."""
    assert User[DEBRA].connected_organization_id == FABRIKAM
    assert not User[DEBRA].is_reference
    lee = User[LEE]
    assert (lee.connected_organization_id, lee.is_reference, lee.user_type) == (TAILSPIN, True, "Guest")
    miriam = User["5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0008"]
    assert miriam.connected_organization_id == FABRIKAM and miriam.is_reference


def test_catalogs_resources_and_access_packages(tenant):
    """Capitalised catalog enums are normalised; roles, scopes, role scopes and incompatibilities land."""
    sales = Catalog["1d5e7f9a-2b4c-4d6e-8f0a-1b3c5d7e0002"]
    assert (sales.catalog_type, sales.state) == ("userManaged", "published")
    group = Resource["2e6f8a0b-3c5d-4e7f-9a1b-2c4d6e8f0001"]
    assert (group.catalog_id, group.origin_system) == (sales.id, "AadGroup")
    roles = ResourceRole.select().where(ResourceRole.resource == group)
    assert sorted(r.display_name for r in roles) == ["Member", "Owner"]
    assert ResourceScope.get(ResourceScope.resource == group).is_root_scope
    starter = AccessPackage[SALES_STARTER]
    assert starter.catalog_id == sales.id and starter.display_name_key == "sales starter"
    assert ResourceRoleScope.select().where(ResourceRoleScope.access_package == starter).count() == 2
    assert [i.incompatible_with_id for i in IncompatibleAccessPackage.select()] == [SALES_STARTER]
    assert AccessPackage[AUDITORS].is_hidden
    assert not Catalog.select().where(Catalog.id == UNKNOWN_CATALOG_ID).exists()


def test_policies_keep_scope_expiration_and_approval_stages(tenant):
    """v1.0 policy settings flatten into columns; stages, approvers and allowed targets get rows."""
    sales = AssignmentPolicy[SALES_POLICY]
    assert (sales.access_package_id, sales.allowed_target_scope) == (SALES_STARTER, "allMemberUsers")
    assert (sales.expiration_type, sales.expiration_duration) == ("afterDuration", "P365D")
    assert sales.is_approval_required_for_add and sales.is_requestor_justification_required
    stages = list(ApprovalStage.select().where(ApprovalStage.policy == sales).order_by(ApprovalStage.stage_number))
    assert [s.duration_before_automatic_denial for s in stages] == ["P7D", "P14D"]
    assert sorted((a.subject_set_type, a.is_fallback, a.user_id, a.manager_level) for a in stages[0].approvers) == [
        ("requestorManager", False, None, 1),
        ("singleUser", True, MEGAN, 1),
    ]
    assert [(a.subject_set_type, a.group_id) for a in stages[1].approvers] == [
        ("groupMembers", "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0003")
    ]
    partner = AssignmentPolicy[PARTNER_POLICY]
    assert partner.expiration_end_date_time == utc(2025, 12, 31, 23, 59, 59)
    assert [(t.subject_set_type, t.connected_organization_id) for t in partner.allowed_targets] == [
        ("connectedOrganizationMembers", FABRIKAM)
    ]
    named = AssignmentPolicy[NAMED_POLICY]
    assert named.access_package_id == SALES_STARTER
    assert sorted((t.subject_set_type, t.user_id or t.group_id) for t in named.allowed_targets) == [
        ("groupMembers", "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0001"),
        ("singleUser", ALEX),
    ]
    admin = AssignmentPolicy[ADMIN_POLICY]
    assert (admin.access_package_id, admin.enable_targets_to_self_add_access) == (AUDITORS, False)


def test_assignments_normalise_state_and_make_stand_ins(tenant):
    """`Delivered` becomes `delivered`, status text stays; a target not in the import is a stand-in."""
    partner = Assignment["0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d0002"]
    assert (partner.state, partner.status, partner.target_id) == ("delivered", "Delivered", DEBRA)
    assert partner.schedule_start == utc(2024, 2, 6, 10, 0, 0, 123456)
    assert partner.expired_date_time is None
    expired = Assignment["0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d0003"]
    assert (expired.state, expired.schedule_end) == ("expired", utc(2024, 4, 2, 10))
    nestor = User[NESTOR]
    assert (nestor.is_reference, nestor.user_principal_name, nestor.display_name) == (
        True,
        "NestorW@contoso.com",
        "Nestor Wilke",
    )


def test_requests_read_beta_names(tenant):
    """requestState/requestStatus, completedDate, `UserAdd` and "null" justification are understood."""
    denied = AssignmentRequest["4d2e6f8a-1b3c-4d5e-9f7a-0b2c4d6e0002"]
    assert (denied.request_type, denied.state, denied.status) == ("userAdd", "denied", "Denied")
    assert denied.completed_date_time == utc(2024, 3, 4, 8)
    assert denied.justification is None and denied.requestor_id == LEE
    delivered = AssignmentRequest["4d2e6f8a-1b3c-4d5e-9f7a-0b2c4d6e0001"]
    assert delivered.assignment_id == "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d0001"
    assert delivered.schedule_end == utc(2025, 1, 14, 9, 12, 45, 300000)
    admin = AssignmentRequest["4d2e6f8a-1b3c-4d5e-9f7a-0b2c4d6e0003"]
    assert (admin.request_type, admin.requestor_id, admin.target_id) == ("adminAdd", ISAIAH, NESTOR)


def test_audit_records_enter_the_chain_with_quirks_read(tenant):
    """`Type`, `Success` and "null" are normalised; records are chained and filterable by package."""
    fulfil = AuditEvent.get(AuditEvent.id == "a9e8d7c6-b5a4-4392-8170-6f5e4d3c2b02")
    assert fulfil.result == "success" and fulfil.result_reason is None
    assert [t["type"] for t in fulfil.target_resources] == ["AccessPackage", "User"]
    assert fulfil.target_resources[0]["userPrincipalName"] is None
    assert fulfil.access_package_id == SALES_STARTER
    assert (fulfil.initiated_by_type, fulfil.activity_date_time) == ("app", utc(2024, 1, 15, 9, 12, 45))
    assert fulfil.target_upn_key == "alexw@contoso.com"
    assert AuditEvent.get(AuditEvent.id.startswith("Directory_")).initiated_by_upn_key == "alexw@contoso.com"
    assert audit_chain.verify().intact


def test_a_later_export_updates_what_changed(tenant, tmp_path):
    """A changed user and a group that lost a member are updated; everything else is unchanged."""
    users = write_json(
        tmp_path / "users.json",
        {
            "value": [
                {
                    "id": ALEX,
                    "displayName": "Alex Wilber-Smith",
                    "userPrincipalName": "AlexW@contoso.com",
                    "department": "Sales EMEA",
                }
            ]
        },
    )
    groups = write_json(
        tmp_path / "groups.json",
        {
            "value": [
                {
                    "id": "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0001",
                    "displayName": "Sales Team",
                    "securityEnabled": True,
                    "members": [{"@odata.type": "#microsoft.graph.user", "id": MEGAN}],
                }
            ]
        },
    )
    summary = import_files([users, groups])
    assert summary.counts["user"]["updated"] == 1 and summary.counts["group"]["updated"] == 1
    alex = User[ALEX]
    assert (alex.display_name, alex.display_name_key, alex.department) == (
        "Alex Wilber-Smith",
        "alex wilber-smith",
        "Sales EMEA",
    )
    assert alex.job_title == "Sales Representative"  # absent from the later export: kept
    assert [
        m.member_id for m in GroupMember.select().where(GroupMember.group == "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0001")
    ] == [MEGAN]


def test_stand_ins_become_real_when_their_record_arrives(database, tmp_path):
    """Assignments alone make stand-ins (a catalog for their packages too); the later files replace them."""
    first = import_files([GRAPH / "assignments.json"])
    assert first.references == {
        "user": 3,
        "accessPackage": 3,
        "accessPackageAssignmentPolicy": 3,
        "accessPackageCatalog": 1,
        "connectedOrganization": 1,
    }
    assert AccessPackage[SALES_STARTER].catalog_id == UNKNOWN_CATALOG_ID
    users = write_json(
        tmp_path / "nestor.json",
        [{"id": NESTOR, "displayName": "Nestor Wilke", "userPrincipalName": "NestorW@contoso.com"}],
    )
    second = import_files([users, GRAPH / "accessPackages.json", GRAPH / "catalogResources.json"])
    assert second.counts["user"]["created"] == 1
    assert not User[NESTOR].is_reference
    assert AccessPackage[SALES_STARTER].catalog_id == "1d5e7f9a-2b4c-4d6e-8f0a-1b3c5d7e0002"
    assert not Catalog.select().where(Catalog.id == UNKNOWN_CATALOG_ID).exists()


def test_progress_reaches_the_total(database):
    """progress(done, total) ends at (total, total) in bytes."""
    calls = []
    import_files(ALL_FILES, progress=lambda done, total: calls.append((done, total)))
    total = sum(path.stat().st_size for path in ALL_FILES)
    assert calls[-1] == (total, total)
    assert all(done <= total for done, _ in calls)


def test_cancel_rolls_everything_back(database, tmp_path, monkeypatch):
    """Cancelling during the last file leaves the database as it was."""
    monkeypatch.setattr("desktop.importers.files.CHECK_EVERY", 1)
    before = database_digest()
    with pytest.raises(Cancelled):
        import_files(ALL_FILES, cancelled=lambda: User.select().count() > 0)
    assert database_digest() == before


@pytest.mark.parametrize(
    "layout",
    ["page", "concatenated", "array of pages", "plain array", "single object", "utf-16 with BOM", "utf-8 with BOM"],
)
def test_every_json_layout_reads_the_same_records(database, tmp_path, layout):
    """List responses, concatenations, arrays and PowerShell's UTF-16 output give the same users."""
    records = [
        {"id": ALEX, "displayName": "Alex", "userPrincipalName": "alexw@contoso.com"},
        {"id": MEGAN, "displayName": "Megan", "userPrincipalName": "meganb@contoso.com"},
    ]
    context = "https://graph.microsoft.com/v1.0/$metadata#users"
    pages = [{"@odata.context": context, "value": [r]} for r in records]
    path = tmp_path / "users.json"
    text = {
        "page": json.dumps({"@odata.context": context, "value": records}),
        "concatenated": "\n".join(json.dumps(p) for p in pages),
        "array of pages": json.dumps(pages),
        "plain array": json.dumps(records, indent=4),
        "single object": json.dumps(records[0]) + json.dumps(records[1]),
        "utf-16 with BOM": json.dumps(records, indent=4),
        "utf-8 with BOM": json.dumps({"value": records}),
    }[layout]
    if layout == "utf-16 with BOM":
        path.write_text(text, encoding="utf-16")
    elif layout == "utf-8 with BOM":
        path.write_text(text, encoding="utf-8-sig")
    else:
        path.write_text(text, encoding="utf-8")
    summary = import_files([path])
    assert summary.counts["user"]["created"] == 2
    assert sorted(u.display_name for u in User.select()) == ["Alex", "Megan"]


def test_one_page_per_file(database, tmp_path):
    """Pages of one query saved as separate files import as one list."""
    first = json.loads((GRAPH / "users.json").read_text().split("\n}\n{")[0] + "\n}")
    page_one = write_json(tmp_path / "users-1.json", first)
    shutil.copy(GRAPH / "users.json", tmp_path / "users-all.json")
    summary = import_files([page_one, tmp_path / "users-all.json"])
    assert summary.counts["user"]["created"] == 5


def test_the_context_names_records_of_a_select_export(database, tmp_path):
    """Records with too few fields to recognise are typed by the page's @odata.context."""
    path = write_json(
        tmp_path / "catalogs.json",
        {
            "@odata.context": f"{ENTITLEMENT_CONTEXT}/catalogs(id,displayName)",
            "value": [{"id": "1d5e7f9a-2b4c-4d6e-8f0a-1b3c5d7e0009", "displayName": "Selected"}],
        },
    )
    assert import_files([path]).counts["accessPackageCatalog"]["created"] == 1


def test_unknown_records_and_files_are_listed(database, tmp_path):
    """A file of other objects is listed, a stray record is counted; nothing else is refused."""
    other = write_json(tmp_path / "devices.json", {"value": [{"id": "x", "deviceId": "y"}]})
    mixed = write_json(
        tmp_path / "users.json",
        [
            {"id": ALEX, "displayName": "Alex", "userPrincipalName": "alexw@contoso.com"},
            {"id": "z", "operatingSystem": "Windows"},
        ],
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("hello,world\n1,2\n", encoding="utf-8")
    summary = import_files([other, mixed, notes])
    assert summary.counts["user"]["created"] == 1
    assert [(s.where, s.reason) for s in summary.skipped] == [
        (
            "users.json: record 2",
            "1 records of users.json are not a Graph resource this app imports (this is the first)",
        ),
        ("devices.json", "none of its 1 records is a Graph resource this app imports"),
        ("notes.txt", "not Graph JSON or an Entra audit-log download"),
    ]


def test_nothing_understood_is_an_error(database, tmp_path):
    """When no file holds anything importable the import says so and writes nothing."""
    other = write_json(tmp_path / "devices.json", {"value": [{"id": "x", "deviceId": "y"}]})
    before = database_digest()
    with pytest.raises(InvalidInput, match="Nothing in devices.json is Graph JSON"):
        import_files([other])
    assert database_digest() == before


def test_an_empty_list_response_is_fine(database, tmp_path):
    """A page with no records (a tenant without connected organizations) imports nothing, quietly."""
    path = write_json(
        tmp_path / "connectedOrganizations.json",
        {"@odata.context": f"{ENTITLEMENT_CONTEXT}/connectedOrganizations", "value": []},
    )
    summary = import_files([path])
    assert summary.total("created") == 0 and summary.skipped_total == 0
