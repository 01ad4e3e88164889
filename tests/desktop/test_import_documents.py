"""import_documents: Graph responses in memory (the sync's door) — pages, `$batch`, delta
`@removed`, complete lists, one transaction — and the shapes files share with it."""

from datetime import datetime, timezone

import pytest

from desktop.errors import Cancelled
from desktop.importers import ImportProblems, import_documents, import_files, kinds
from models import (
    AccessPackage,
    Application,
    AppRoleAssignment,
    ApprovalDecision,
    Assignment,
    AssignmentRequest,
    DirectoryRoleAssignment,
    GroupMember,
    ResourceRoleScope,
    User,
)
from tests.helpers.graph_fixtures import ALL_FILES, SALES_STARTER
from tests.helpers.graph_fixtures import MEGAN as MEGAN_ID  # the fixture tenant's approver
from tests.helpers.digest import database_digest

V1 = "https://graph.microsoft.com/v1.0"
USERS_URL = f"{V1}/users?$select=id,displayName,userPrincipalName,mail"
NEXT_URL = f"{V1}/users?$select=id,displayName,userPrincipalName,mail&$skiptoken=RFNwdAIAAQAAAB8"
A = "0c6e6b3a-1f2d-4e5a-8b7c-000000000a01"
B = "0c6e6b3a-1f2d-4e5a-8b7c-000000000a02"
C = "0c6e6b3a-1f2d-4e5a-8b7c-000000000a03"
SEEN_GONE = datetime(2024, 6, 1, 9, 30, tzinfo=timezone.utc)


def user(pk: str, name: str) -> dict:
    return {
        "id": pk,
        "displayName": name,
        "userPrincipalName": f"{name.split()[0].lower()}@contoso.com",
        "mail": f"{name.split()[0].lower()}@contoso.com",
    }


def page(records, next_link=None, context=f"{V1}/$metadata#users(id,displayName,userPrincipalName,mail)"):
    body = {"@odata.context": context, "value": records}
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


def test_all_pages_of_a_list_import_without_a_warning(database):
    summary = import_documents(
        [(USERS_URL, page([user(A, "Adele Vance")], NEXT_URL)), (NEXT_URL, page([user(B, "Bianca Pisani")]))]
    )
    assert summary.counts["user"]["created"] == 2
    assert summary.warnings == []


def test_a_page_whose_next_page_is_missing_is_warned_about(database):
    summary = import_documents([(USERS_URL, page([user(A, "Adele Vance")], NEXT_URL))])
    assert summary.warnings == ["users: page 1 of a paged list; the following pages were not imported"]
    assert "Warning: users: page 1 of a paged list; the following pages were not imported" in summary.lines()


def test_a_paged_file_without_its_next_page_is_warned_about(database):
    """The fixture users list names a next page that is not among the files; the access packages, an
    array of two pages, hold theirs."""
    summary = import_files(ALL_FILES)
    assert summary.warnings == ["users: page 1 of a paged list; the following pages were not imported"]


def test_a_batch_response_imports_each_sub_response_and_lists_the_failed_ones(database):
    batch = {
        "responses": [
            {
                "id": "1",
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": page([user(A, "Adele Vance")]),
            },
            {
                "id": "2",
                "status": 404,
                "body": {"error": {"code": "Request_ResourceNotFound", "message": "Resource 'x' does not exist."}},
            },
        ]
    }
    summary = import_documents([(f"{V1}/$batch", batch)])
    assert User.get_by_id(A).display_name == "Adele Vance"
    assert summary.warnings == [
        f"{V1}/$batch (request 2): failed with status 404: Resource 'x' does not exist.; its records were not imported"
    ]


def test_delta_removed_entries_mark_users_deleted_and_keep_them(database):
    import_documents([(USERS_URL, page([user(A, "Adele Vance"), user(B, "Bianca Pisani")]))])
    delta = {
        "@odata.context": f"{V1}/$metadata#users",
        "@odata.deltaLink": f"{V1}/users/delta()?$deltatoken=x",
        "value": [{"@odata.type": "#microsoft.graph.user", "id": B, "@removed": {"reason": "changed"}}],
    }
    summary = import_documents([(f"{V1}/users/delta()", delta)], observed_at=SEEN_GONE)
    assert User.get_by_id(B).deleted_date_time == SEEN_GONE
    assert User.get_by_id(A).deleted_date_time is None
    assert summary.deleted == {"user": 1}


def test_a_complete_list_marks_the_missing_objects_deleted_once_and_a_returning_one_current(database):
    import_documents([(USERS_URL, page([user(A, "Adele Vance"), user(B, "Bianca Pisani")]))])
    import_documents(
        [(USERS_URL, page([user(A, "Adele Vance"), user(C, "Cam Lee")]))], complete=[kinds.USER], observed_at=SEEN_GONE
    )
    assert User.get_by_id(B).deleted_date_time == SEEN_GONE
    later = datetime(2024, 7, 1, tzinfo=timezone.utc)
    import_documents(
        [(USERS_URL, page([user(A, "Adele Vance"), user(C, "Cam Lee")]))], complete=[kinds.USER], observed_at=later
    )
    assert User.get_by_id(B).deleted_date_time == SEEN_GONE  # the first time it was seen gone
    import_documents([(USERS_URL, page([user(B, "Bianca Pisani")]))])
    assert User.get_by_id(B).deleted_date_time is None


def test_documents_are_one_transaction_with_every_problem_listed(database):
    before = database_digest()
    bad = page([user(A, "Adele Vance"), {"id": B, "userPrincipalName": 7}, {"id": C, "userPrincipalName": []}])
    with pytest.raises(ImportProblems) as raised:
        import_documents([(USERS_URL, bad)])
    assert raised.value.total == 2 and all(p.file == USERS_URL for p in raised.value.problems)
    assert database_digest() == before
    summary = import_documents([(USERS_URL, bad)], skip_invalid=True)
    assert summary.invalid_total == 2 and User.select().count() == 1


def test_cancelling_through_progress_writes_nothing(database):
    before = database_digest()

    def progress(done, total):
        raise Cancelled("Import cancelled; nothing was imported.")

    with pytest.raises(Cancelled):
        import_documents([(USERS_URL, page([user(A, "Adele Vance")]))], progress=progress)
    assert database_digest() == before


def test_two_packages_holding_the_same_role_in_the_same_scope_both_import(database):
    """A role scope's id is `<roleId>_<scopeId>`, unique only within its access package."""
    import_files(ALL_FILES)
    known = ResourceRoleScope.select().where(ResourceRoleScope.access_package == SALES_STARTER).first()
    role, scope = known.role, known.scope
    shared_id = f"{role.id}_{scope.id}"
    packages = []
    for number in (1, 2):
        packages.append(
            {
                "id": f"6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b1{number:03d}",
                "displayName": f"Copy {number}",
                "isHidden": False,
                "catalog": {"id": AccessPackage.get_by_id(SALES_STARTER).catalog_id},
                "resourceRoleScopes": [
                    {
                        "id": shared_id,
                        "createdDateTime": "2024-02-01T00:00:00Z",
                        "role": {
                            "id": role.id,
                            "displayName": role.display_name,
                            "originSystem": role.origin_system,
                            "originId": role.origin_id,
                        },
                        "scope": {
                            "id": scope.id,
                            "displayName": scope.display_name,
                            "originSystem": scope.origin_system,
                            "originId": scope.origin_id,
                            "isRootScope": True,
                        },
                    }
                ],
            }
        )
    context = f"{V1}/$metadata#identityGovernance/entitlementManagement/accessPackages(catalog(),resourceRoleScopes())"
    url = f"{V1}/identityGovernance/entitlementManagement/accessPackages?$expand=catalog,resourceRoleScopes"
    import_documents([(url, page(packages, context=context))])
    for package in packages:
        assert ResourceRoleScope.select().where(ResourceRoleScope.access_package == package["id"]).count() == 1


def test_copies_differing_only_in_annotations_are_one_object(database):
    tagged = {**user(A, "Adele Vance"), "@odata.type": "#microsoft.graph.user", "@odata.etag": 'W/"1"'}
    summary = import_documents([(USERS_URL, page([user(A, "Adele Vance"), tagged]))])
    assert summary.counts["user"]["created"] == 1


def test_importing_the_same_documents_twice_changes_nothing(database):
    documents = [(USERS_URL, page([user(A, "Adele Vance")], NEXT_URL)), (NEXT_URL, page([user(B, "Bianca P")]))]
    import_documents(documents)
    before = database_digest()
    summary = import_documents(documents)
    assert summary.total("created") == summary.total("updated") == 0
    assert database_digest() == before


def test_group_members_pages_make_the_membership_of_the_group(database):
    """`/groups/{id}/members/microsoft.graph.user` pages (and `transitiveMembers`): the group's
    user members become exactly the users listed; other members (a nested group) are not users."""
    group = "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0c01"
    first = f"{V1}/groups/{group}/members/microsoft.graph.user?$select=id,displayName,userPrincipalName"
    second = first + "&$skiptoken=X2lkPTI"
    context = f"{V1}/$metadata#users(id,displayName,userPrincipalName)"
    import_documents(
        [
            (first, page([{"@odata.type": "#microsoft.graph.user", **user(A, "Adele Vance")}], second, context)),
            (second, page([user(B, "Bianca Pisani")], context=context)),
        ]
    )
    assert {m.member_id for m in GroupMember.select().where(GroupMember.group == group)} == {A, B}
    transitive = f"{V1}/groups/{group}/transitiveMembers"
    import_documents(
        [
            (
                transitive,
                page(
                    [
                        {"@odata.type": "#microsoft.graph.user", **user(C, "Cam Lee")},
                        {
                            "@odata.type": "#microsoft.graph.group",
                            "id": "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0c02",
                            "displayName": "Nested",
                            "securityEnabled": True,
                            "mailEnabled": False,
                            "groupTypes": [],
                        },
                    ],
                    context=f"{V1}/$metadata#directoryObjects",
                ),
            )
        ]
    )
    assert {m.member_id for m in GroupMember.select().where(GroupMember.group == group)} == {C}


def test_app_role_assignments_of_a_service_principal_import_for_users(database):
    """`servicePrincipals/{id}/appRoleAssignedTo`: text ids, users kept, a group principal noted."""
    sp = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
    role = "ef7437e6-4f94-4a0a-a110-a439eb2aa8f7"
    url = f"{V1}/servicePrincipals/{sp}/appRoleAssignedTo"
    body = {
        "@odata.context": f"{V1}/$metadata#servicePrincipals('{sp}')/appRoleAssignedTo",
        "value": [
            {
                "id": "41W1zT6z1U-kJxf62svfp1HFE8pMZhxDun-ThPczmJE",
                "deletedDateTime": None,
                "appRoleId": role,
                "createdDateTime": "2024-02-08T18:20:27.1234567Z",
                "principalDisplayName": "Adele Vance",
                "principalId": A,
                "principalType": "User",
                "resourceDisplayName": "Contoso CRM",
                "resourceId": sp,
            },
            {
                "id": "rbDmANDdE0-WNpNMFQyhIZfH87k41TBKpjGOQCbn0OE",
                "appRoleId": role,
                "createdDateTime": "2024-02-08T18:21:00Z",
                "principalDisplayName": "Sales",
                "principalId": "7a2d4c1b-3e5f-4a6b-8c7d-9e0f1a2b0c01",
                "principalType": "Group",
                "resourceDisplayName": "Contoso CRM",
                "resourceId": sp,
            },
        ],
    }
    summary = import_documents([(url, body)])
    grant = AppRoleAssignment.get_by_id("41W1zT6z1U-kJxf62svfp1HFE8pMZhxDun-ThPczmJE")
    assert (grant.principal_id, grant.application_id, grant.app_role_id) == (A, sp, role)
    assert Application.get_by_id(sp).display_name == "Contoso CRM"
    assert any("app role assignment to a Group" in item.reason for item in summary.skipped)
    again = import_documents([(url, body)])
    assert again.total("created") == again.total("updated") == 0


def test_the_stages_of_an_approval_become_the_decisions_of_its_request(database):
    """`assignmentApprovals/{id}/stages`: each reviewed stage is a decision of request {id};
    a stage not yet reviewed is none."""
    import_files(ALL_FILES)
    request = AssignmentRequest.select().order_by(AssignmentRequest.id).first()
    ApprovalDecision.delete().where(ApprovalDecision.request == request.id).execute()
    url = f"{V1}/identityGovernance/entitlementManagement/assignmentApprovals/{request.id}/stages"
    stages = [
        {
            "id": "d1f1c0de-0000-4000-8000-000000000001",
            "displayName": None,
            "reviewedDateTime": "2024-03-05T10:00:00.1234567Z",
            "reviewResult": "Approve",
            "status": "Completed",
            "assignedToMe": False,
            "justification": "Needed for Q3",
            "reviewedBy": {"id": MEGAN_ID, "displayName": "Megan Bowen"},
        },
        {
            "id": "d1f1c0de-0000-4000-8000-000000000002",
            "displayName": None,
            "reviewedDateTime": None,
            "reviewResult": "NotReviewed",
            "status": "InProgress",
            "assignedToMe": True,
            "justification": None,
            "reviewedBy": None,
        },
    ]
    import_documents(
        [
            (
                url,
                {
                    "@odata.context": f"{V1}/$metadata#identityGovernance/entitlementManagement/"
                    f"assignmentApprovals('{request.id}')/stages",
                    "value": stages,
                },
            )
        ]
    )
    decisions = list(ApprovalDecision.select().where(ApprovalDecision.request == request.id))
    assert [(d.stage_number, d.review_result, d.approver_id, d.justification) for d in decisions] == [
        (1, "Approve", MEGAN_ID, "Needed for Q3")
    ]
    again = import_documents([(url, {"value": stages})])
    assert again.total("created") == again.total("updated") == 0


ROLE_ID = "1b2c3d4e-5f60-4a7b-8c9d-000000000900"
ROLE_TEMPLATE = "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e"


def role_list() -> dict:
    return {
        "@odata.context": f"{V1}/$metadata#directoryRoles",
        "value": [
            {
                "id": ROLE_ID,
                "deletedDateTime": None,
                "description": "Can manage access packages.",
                "displayName": "Identity Governance Administrator",
                "roleTemplateId": ROLE_TEMPLATE,
            }
        ],
    }


def test_directory_role_members_pages_make_the_members_of_the_role(database):
    """`/directoryRoles/{id}/members` (as Graph answers it: directory objects, a cast to users, or the
    role addressed by its template id) makes the role's user members exactly those listed."""
    members = f"{V1}/directoryRoles/{ROLE_ID}/members"
    import_documents(
        [
            (f"{V1}/directoryRoles", role_list()),
            (
                members,
                page(
                    [
                        {"@odata.type": "#microsoft.graph.user", **user(A, "Adele Vance")},
                        {
                            "@odata.type": "#microsoft.graph.servicePrincipal",
                            "id": C,
                            "displayName": "Provisioning app",
                        },
                    ],
                    context=f"{V1}/$metadata#directoryObjects",
                ),
            ),
        ]
    )
    assert {m.principal_id for m in DirectoryRoleAssignment.select()} == {A}
    cast = f"{members}/microsoft.graph.user?$select=id,displayName,userPrincipalName,mail,userType"
    import_documents([(cast, page([user(B, "Bianca Pisani")], context=f"{V1}/$metadata#users"))])
    assert {m.principal_id for m in DirectoryRoleAssignment.select()} == {B}
    by_template = f"{V1}/directoryRoles(roleTemplateId='{ROLE_TEMPLATE}')/members"
    import_documents(
        [
            (
                by_template,
                page([user(A, "Adele Vance"), user(B, "Bianca Pisani")], context=f"{V1}/$metadata#directoryObjects"),
            )
        ]
    )
    assert {m.principal_id for m in DirectoryRoleAssignment.select()} == {A, B}


def test_members_of_a_role_not_imported_are_a_problem(database):
    with pytest.raises(ImportProblems) as refused:
        import_documents([(f"{V1}/directoryRoles/{ROLE_ID}/members", page([user(A, "Adele Vance")]))])
    assert "import /directoryRoles too" in str(refused.value.problems[0])
    assert User.select().count() == 0


def test_a_v1_request_is_for_the_target_of_its_assignment(database):
    """v1.0 requests name no target: an administrator's request is for its assignment's target, not
    for the administrator who asked."""
    import_files(ALL_FILES)
    assignment = Assignment.select().order_by(Assignment.id).first()
    admin = User.get_by_id(MEGAN_ID)
    assert assignment.target_id != admin.id
    request_id = "1b2c3d4e-5f60-4a7b-8c9d-000000000cff"
    url = f"{V1}/identityGovernance/entitlementManagement/assignmentRequests?$expand=requestor,accessPackage,assignment"
    import_documents(
        [
            (
                url,
                {
                    "value": [
                        {
                            "id": request_id,
                            "requestType": "adminAdd",
                            "state": "delivered",
                            "status": "Delivered",
                            "createdDateTime": "2024-04-01T07:55:00Z",
                            "justification": None,
                            "requestor": {
                                "id": "1b2c3d4e-5f60-4a7b-8c9d-000000000bff",
                                "objectId": admin.id,
                                "subjectType": "user",
                                "displayName": admin.display_name,
                            },
                            "accessPackage": {"id": assignment.access_package_id},
                            "assignment": {"id": assignment.id},
                        }
                    ]
                },
            )
        ]
    )
    request = AssignmentRequest.get_by_id(request_id)
    assert (request.target_id, request.requestor_id) == (assignment.target_id, admin.id)
