"""Documented shapes that the first release refused: users without a UPN, beta policies and
requests mapped onto v1.0, text ids, out-of-range dates."""

import json
from pathlib import Path

import openpyxl
import pytest

from desktop.eligibility import why_cannot_request
from desktop.export import export
from desktop.reports.assignments import AssignmentsReport
from desktop.reports.audit import AuditLogReport
from desktop.importers import import_documents, import_files
from desktop.importers.fields import UNKNOWN_CATALOG_ID
from desktop.importers.problems import ImportProblems
from models import (
    AccessPackage,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    Catalog,
    DirectoryRole,
    Group,
    IncompatibleAccessPackage,
    Resource,
    ResourceRoleScope,
    User,
)
from tests.helpers.graph_fixtures import ALEX, ALL_FILES, MEGAN, SALES_POLICY, SALES_STARTER
from tests.helpers.digest import database_digest

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
SHAPE_PACKAGE = "1b2c3d4e-5f60-4a7b-8c9d-000000000501"
SHAPE_SECOND_PACKAGE = "1b2c3d4e-5f60-4a7b-8c9d-000000000502"
BETA = "https://graph.microsoft.com/beta"
BETA_TWIN = "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9cbe7a"


def test_a_user_listed_without_upn_imports_under_its_best_name(database):
    """`$select=id,displayName` answers have no userPrincipalName: imported, named, never blank."""
    summary = import_files([SHAPES / "v1-users-select-bare-array.json"])
    assert summary.counts["user"]["created"] == 1
    assert User.get_by_id("5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0101").display_name == "Pradeep"


def test_a_guest_with_only_mail_or_identities_is_named_by_them(database):
    guest = "0c6e6b3a-1f2d-4e5a-8b7c-00000000e001"
    b2c = "0c6e6b3a-1f2d-4e5a-8b7c-00000000e002"
    bare = "0c6e6b3a-1f2d-4e5a-8b7c-00000000e003"
    import_documents(
        [
            (
                f"{BETA}/users?$select=id,mail,identities",
                {
                    "value": [
                        {"id": guest, "mail": "kim@fabrikam.com"},
                        {
                            "id": b2c,
                            "identities": [
                                {
                                    "signInType": "emailAddress",
                                    "issuer": "contoso.onmicrosoft.com",
                                    "issuerAssignedId": "jo@example.com",
                                }
                            ],
                        },
                        {"id": bare},
                    ]
                },
            )
        ]
    )
    assert User.get_by_id(guest).display_name == "kim@fabrikam.com"
    assert User.get_by_id(b2c).display_name == "jo@example.com"
    assert User.get_by_id(bare).display_name == bare
    # A later complete record gives the UPN; a partial one without it keeps it.
    import_documents(
        [
            (
                "/v1.0/users",
                {
                    "value": [
                        {
                            "id": guest,
                            "userPrincipalName": "kim_fabrikam.com#EXT#@contoso.com",
                            "displayName": "Kim Akers",
                        }
                    ]
                },
            )
        ]
    )
    import_documents([("/v1.0/users?$select=id,displayName", {"value": [{"id": guest, "displayName": "Kim A."}]})])
    kim = User.get_by_id(guest)
    assert (kim.user_principal_name, kim.display_name) == ("kim_fabrikam.com#EXT#@contoso.com", "Kim A.")


def test_a_beta_policy_answers_can_request_as_its_v1_twin(database):
    import_files(ALL_FILES)
    beta_policy = {
        "id": BETA_TWIN,
        "accessPackageId": SALES_STARTER,
        "displayName": "Sales employees (beta)",
        "canExtend": False,
        "durationInDays": 365,
        "expirationDateTime": None,
        "requestorSettings": {
            "scopeType": "AllExistingDirectoryMemberUsers",
            "acceptRequests": True,
            "allowedRequestors": [],
        },
        "requestApprovalSettings": {
            "isApprovalRequired": True,
            "isApprovalRequiredForExtension": False,
            "isRequestorJustificationRequired": True,
            "approvalMode": "Serial",
            "approvalStages": [
                {
                    "approvalStageTimeOutInDays": 7,
                    "isApproverJustificationRequired": False,
                    "isEscalationEnabled": False,
                    "escalationTimeInMinutes": 0,
                    "primaryApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}],
                }
            ],
        },
        "questions": [
            {
                "@odata.type": "#microsoft.graph.accessPackageTextInputQuestion",
                "isRequired": False,
                "text": {"defaultText": "Why?"},
            }
        ],
    }
    url = f"{BETA}/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies"
    import_documents(
        [(url, {"@odata.context": f"{BETA}/$metadata#accessPackageAssignmentPolicies", "value": [beta_policy]})]
    )
    twin, v1 = AssignmentPolicy.get_by_id(BETA_TWIN), AssignmentPolicy.get_by_id(SALES_POLICY)
    assert (
        twin.allowed_target_scope,
        twin.enable_targets_to_self_add_access,
        twin.expiration_type,
        twin.expiration_duration,
    ) == (v1.allowed_target_scope, True, "afterDuration", "P365D")
    stages = list(twin.approval_stages)
    assert len(stages) == 1 and stages[0].duration_before_automatic_denial == "P7D"
    for user in User.select():
        reason = why_cannot_request(user, twin)
        assert (reason or "").replace(twin.display_name, v1.display_name) == (why_cannot_request(user, v1) or ""), (
            user.display_name
        )


def test_a_beta_self_service_request_without_target_targets_its_requestor(database):
    import_files(ALL_FILES)
    request_id = "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2ebe7a"
    url = f"{BETA}/identityGovernance/entitlementManagement/accessPackageAssignmentRequests?$expand=requestor"
    import_documents(
        [
            (
                url,
                {
                    "value": [
                        {
                            "id": request_id,
                            "requestType": "UserAdd",
                            "requestState": "Delivered",
                            "requestStatus": "Fulfilled",
                            "createdDateTime": "2024-03-05T10:00:00.1234567Z",
                            "completedDate": "2024-03-05T10:05:00Z",
                            "accessPackage": {"id": SALES_STARTER},
                            "accessPackageAssignmentPolicy": {"id": SALES_POLICY},
                            "requestor": {"id": MEGAN, "objectId": MEGAN, "displayName": "Megan Bowen"},
                        }
                    ]
                },
            )
        ]
    )
    request = AssignmentRequest.get_by_id(request_id)
    assert request.target_id == request.requestor_id == MEGAN


@pytest.mark.parametrize("name", sorted(p.name for p in SHAPES.glob("*.json")))
def test_each_documented_shape_imports_alone(database, name):
    """Each fixture (modelled on a v1.0 or beta reference example) imports on its own, with stand-ins
    for what it refers to; none is refused."""
    summary = import_files([SHAPES / name])
    assert (
        summary.total("created") + summary.total("updated") + sum(summary.deleted.values()) > 0
        or summary.warnings
        or summary.skipped_total
    ), summary.lines()
    assert summary.invalid_total == 0


def test_the_shape_fixtures_all_together_twice_and_through_the_exports(database, tmp_path):
    """All together, then again (nothing changes); values come out of the json and xlsx exports."""
    files = sorted(SHAPES.glob("*.json"))
    assert len(files) >= 40
    first = import_files(files)
    assert first.invalid_total == 0
    digest = database_digest()
    again = import_files(files)
    assert again.total("created") == again.total("updated") == 0
    assert database_digest() == digest
    export(tmp_path / "audit.json", AuditLogReport())
    documents = {d["id"]: d for d in json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))["value"]}
    assert (
        documents["IGA_aa11bb22-0000-4000-8000-000000000001_ABCDE_100001"]["activityDateTime"]
        == "2023-04-01T07:55:00.1234567Z"
    )
    assert documents["Directory_0b1c2d3e-AAAA_5F6G7"]["userAgent"] == "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
    assert documents["SSGM_1a2b3c4d-5e6f_0A1B2"]["targetResources"][0]["displayName"] == "Sales and Marketing"
    package = AccessPackage.get_by_id(SHAPE_PACKAGE)
    export(tmp_path / "assigned.xlsx", AssignmentsReport(package))
    workbook = openpyxl.load_workbook(tmp_path / "assigned.xlsx", read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    workbook.close()
    assert {"Adele Vance", "AdeleV@contoso.com", "Cam Lee", "CamL@contoso.com"} <= cells
    assert (
        ResourceRoleScope.select()
        .where(ResourceRoleScope.access_package.in_([SHAPE_PACKAGE, SHAPE_SECOND_PACKAGE]))
        .count()
        == 2
    )


def test_a_resource_without_origin_system_or_catalog_context_imports(database):
    """originSystem comes from its roles or scopes; without a catalog it waits in the unknown catalog."""
    resource_id = "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5dbe7a"
    import_documents(
        [
            (
                "/beta/identityGovernance/entitlementManagement/accessPackageResources",
                {
                    "value": [
                        {
                            "id": resource_id,
                            "displayName": "Marketing site",
                            "originId": "https://contoso.sharepoint.com/sites/mkt",
                            "resourceType": "SharePoint Online Site",
                            "url": "https://contoso.sharepoint.com/sites/mkt",
                            "roles": [
                                {
                                    "id": "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5dbe7b",
                                    "displayName": "Visitors",
                                    "originId": "4",
                                    "originSystem": "SharePointOnline",
                                }
                            ],
                            "scopes": [
                                {
                                    "id": "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5dbe7c",
                                    "displayName": "Root",
                                    "isRootScope": True,
                                    "originId": "https://contoso.sharepoint.com/sites/mkt",
                                    "originSystem": "SharePointOnline",
                                }
                            ],
                        }
                    ]
                },
            )
        ]
    )
    resource = Resource.get_by_id(resource_id)
    assert resource.origin_system == "SharePointOnline"
    assert resource.catalog_id == UNKNOWN_CATALOG_ID
    assert resource.roles.count() == resource.scopes.count() == 1


def test_the_values_the_newer_shape_fixtures_bring(database, tmp_path):
    """Single `$entity` answers, directoryObject casts, questions, automatic policies, an admin's
    request, pending and decided approval stages and beta role scopes land where reports read them."""
    import_files(sorted(SHAPES.glob("*.json")))
    shape = "1b2c3d4e-5f60-4a7b-8c9d-000000000"
    assert User.get_by_id(f"{shape}140").user_principal_name == "LidiaH@contoso.com"
    assert User.get_by_id(f"{shape}142").display_name == "nadia@woodgrove.example"
    assert User.get_by_id(f"{shape}143").display_name == "Joni Sherman"
    assert Group.get_by_id(f"{shape}203").display_name == "Dynamic: Bengaluru staff"
    assert Group.get_by_id(f"{shape}204").display_name == "Finance leads"
    assert DirectoryRole.get_by_id(f"{shape}702").display_name == "User Administrator"
    assert Catalog.get_by_id(f"{shape}303").display_name == "Finance"
    assert (
        IncompatibleAccessPackage.select()
        .where(
            (IncompatibleAccessPackage.access_package == f"{shape}504")
            & (IncompatibleAccessPackage.incompatible_with == f"{shape}503")
        )
        .exists()
    )
    assert ResourceRoleScope.select().where(ResourceRoleScope.access_package == f"{shape}505").count() == 1
    questions = AssignmentPolicy.get_by_id(f"{shape}604")
    assert [stage.duration_before_automatic_denial for stage in questions.approval_stages] == ["P3D", "P7D"]
    assert AssignmentPolicy.get_by_id(f"{shape}605").allowed_target_scope == "specificDirectoryUsers"
    direct = AssignmentPolicy.get_by_id(f"{shape}606")
    assert (direct.allowed_target_scope, direct.access_package_id) == ("notSpecified", f"{shape}506")
    assert AccessPackage.get_by_id(f"{shape}506").catalog_id == UNKNOWN_CATALOG_ID
    admin_request = AssignmentRequest.get_by_id(f"{shape}c04")
    assert (admin_request.request_type, admin_request.requestor_id, admin_request.target_id) == (
        "adminAdd",
        f"{shape}102",
        f"{shape}143",
    )
    pending = AssignmentRequest.get_by_id(f"{shape}c03")
    assert (pending.state, pending.target_id) == ("pendingApproval", f"{shape}141")
    assert [(d.stage_number, d.review_result, d.approver_id) for d in pending.decisions] == [
        (1, "Approve", f"{shape}102")
    ]
    beta_decided = AssignmentRequest.get_by_id(f"{shape}c02")
    assert [d.justification for d in beta_decided.decisions] == ["Known requester"]
    assert AssignmentRequest.get_by_id(f"{shape}c05").target_id == f"{shape}140"
    export(tmp_path / "audit.json", AuditLogReport())
    documents = {d["id"]: d for d in json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))["value"]}
    audit = documents["IGA_aa11bb22-0000-4000-8000-000000000002_FGHIJ_100002"]
    assert audit["activityDateTime"] == "2023-05-02T05:12:44.9876543Z"
    assert audit["initiatedBy"]["app"]["displayName"] == "Entitlement Management"
    assert audit["targetResources"][0]["modifiedProperties"][0]["newValue"] == '"Delivering"'
    export(tmp_path / "assigned.xlsx", AssignmentsReport(AccessPackage.get_by_id(f"{shape}504")))
    workbook = openpyxl.load_workbook(tmp_path / "assigned.xlsx", read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    workbook.close()
    assert {"Priya Nair", "PriyaN@contoso.com"} <= cells


def test_an_admins_request_takes_its_target_from_its_expanded_assignment(database):
    """An `adminAdd` request names its requestor, not its target; the assignment it made does."""
    import_files(ALL_FILES)
    request_id = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a01"
    assignment = {
        "id": "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a02",
        "target": {"id": MEGAN, "objectId": MEGAN, "displayName": "Megan Bowen"},
    }
    import_documents(
        [
            (
                "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/"
                f"{request_id}?$expand=requestor,accessPackage,assignment($expand=target)",
                {
                    "id": request_id,
                    "requestType": "adminAdd",
                    "state": "delivered",
                    "status": "Delivered",
                    "createdDateTime": "2024-03-05T10:00:00Z",
                    "accessPackage": {"id": SALES_STARTER},
                    "requestor": {"id": ALEX, "objectId": ALEX},
                    "assignment": assignment,
                },
            )
        ]
    )
    request = AssignmentRequest.get_by_id(request_id)
    assert (request.requestor_id, request.target_id) == (ALEX, MEGAN)


def test_the_reference_bare_request_examples_are_refused_with_the_call_that_completes_them(database):
    """The reference's list and get examples of a request carry no access package and no requestor
    (and a schedule that is only an annotation): one problem per record, naming the `$expand` to use, nothing written."""
    before = database_digest()
    bare = {
        "requestType": "adminAdd",
        "state": "delivered",
        "status": "Delivered",
        "createdDateTime": "2023-05-03T09:00:00.623Z",
        "completedDate": "2023-05-04T09:00:00.623Z",
        "schedule": {"@odata.type": "microsoft.graph.entitlementManagementSchedule"},
    }
    url = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests"
    with pytest.raises(ImportProblems) as raised:
        import_documents(
            [
                (url, {"value": [{"id": "3f4a5b6c-7d8e-4f9a-8b0c-1d2e3f4a5b01", **bare}]}),
                (f"{url}/3f4a5b6c-7d8e-4f9a-8b0c-1d2e3f4a5b02", {"id": "3f4a5b6c-7d8e-4f9a-8b0c-1d2e3f4a5b02", **bare}),
            ]
        )
    lines = str(raised.value).splitlines()
    for request_id in ("3f4a5b6c-7d8e-4f9a-8b0c-1d2e3f4a5b01", "3f4a5b6c-7d8e-4f9a-8b0c-1d2e3f4a5b02"):
        assert any(request_id in line and "$expand=requestor,accessPackage,assignment" in line for line in lines)
    assert database_digest() == before


def test_a_user_without_upn_has_none_stored_and_reads_by_best_name_everywhere(database, tmp_path):
    """No id in a UPN column: the assignment export leaves that cell empty and names the user;
    the user picker, report filters, request listings and audit initiators use the best name."""
    from desktop.audit_log import user_initiator
    from desktop.directory import search_users
    from desktop.reports.user_packages import AssignedPackagesReport

    import_files(ALL_FILES)
    assignment = Assignment.select().first()
    target = assignment.target_id
    User.update(user_principal_name=None, upn_key=None).where(User.id == target).execute()
    import_documents([("/v1.0/users?$select=id,mail", {"value": [{"id": target, "mail": "guest@fabrikam.com"}]})])
    user = User.get_by_id(target)
    assert user.user_principal_name is None
    assert user.principal_name == "guest@fabrikam.com"
    assert user.label == f"{user.display_name} (guest@fabrikam.com)"
    assert AssignedPackagesReport(user).filters() == [("User", user.label)]
    export(tmp_path / "assigned.csv", AssignmentsReport(assignment.access_package))
    text = (tmp_path / "assigned.csv").read_text(encoding="utf-8-sig")
    row = next(line for line in text.splitlines() if target in line)
    assert user.display_name in row and f",{target}," in row and row.count(target) == 1
    match = next(m for m in search_users(user.display_name) if m.id == target)
    assert (match.user_principal_name, match.display_name) == (None, user.display_name)
    assert user_initiator(user)["user"] == {
        "id": target,
        "displayName": user.display_name,
        "userPrincipalName": None,
        "ipAddress": None,
    }


def test_a_stand_in_user_without_upn_stores_none_and_takes_one_later(database):
    stand_in = "0c6e6b3a-1f2d-4e5a-8b7c-00000000e011"
    import_documents(
        [
            (
                f"{BETA}/groups/7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0c01/members",
                {"value": [{"@odata.type": "#microsoft.graph.user", "id": stand_in, "displayName": "Kim Akers"}]},
            )
        ]
    )
    assert User.get_by_id(stand_in).user_principal_name is None
    import_documents(
        [
            (
                "/v1.0/users",
                {"value": [{"id": stand_in, "userPrincipalName": "kim@contoso.com", "displayName": "Kim Akers"}]},
            )
        ]
    )
    assert User.get_by_id(stand_in).user_principal_name == "kim@contoso.com"
