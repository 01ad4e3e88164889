"""The shape of the audit records the lifecycle writes: Graph directoryAudit documents."""

import json
from datetime import timedelta

import pytest

from desktop import audit_log as log
from desktop.audit_record import detail, event_document
from desktop.clock import FixedClock
from desktop.lifecycle import Lifecycle
from models import AuditEvent
from tests.helpers import factories as f
from tests.helpers.lifecycle_tenant import build


@pytest.fixture
def tenant(database):
    return build()


def records(correlation_id):
    return [
        event_document(event)
        for event in AuditEvent.select()
        .where(AuditEvent.correlation_id == correlation_id)
        .order_by(AuditEvent.activity_date_time, AuditEvent.seq)
    ]


def test_catalogue_follows_the_design_table():
    """The lifecycle activities are the design's, with their categories, in the table's order."""
    assert [(a.category, a.name) for a in log.LIFECYCLE_ACTIVITIES] == [
        ("EntitlementManagement", "User requests access package assignment"),
        ("EntitlementManagement", "Administrator directly assigns user to access package"),
        ("EntitlementManagement", "Auto approve access package assignment request"),
        ("UserManagement", "Create request approval"),
        ("UserManagement", "Add approver to request approval"),
        ("EntitlementManagement", "Approval stage completed for access package assignment request"),
        ("EntitlementManagement", "Approve access package assignment request"),
        ("EntitlementManagement", "Ready to fulfill access package assignment request"),
        ("EntitlementManagement", "Fulfill access package assignment"),
        ("EntitlementManagement", "Deny access package assignment request"),
        ("EntitlementManagement", "Access package assignment request timed out (no approver action taken)"),
        ("EntitlementManagement", "Cancel access package assignment request"),
        ("EntitlementManagement", "Remove access package assignment"),
    ]


def test_entitlement_records_name_package_policy_request_and_user(tenant):
    """EM records carry the four targets in order, the request's details and its correlation id."""
    lifecycle = Lifecycle(FixedClock(f.T0))
    request = lifecycle.submit(tenant.bob, tenant.staged_package, justification="Project Falcon")
    lifecycle.approve(tenant.approver, request.id, "ok")
    documents = records(request.id)
    first = documents[0]
    assert first["initiatedBy"] == {
        "user": {"id": tenant.bob.id, "displayName": "Bob", "userPrincipalName": "bob@contoso.com", "ipAddress": None},
        "app": None,
    }
    assert [(t["type"], t["id"]) for t in first["targetResources"]] == [
        ("AccessPackage", tenant.staged_package.id),
        ("AccessPackageAssignmentPolicy", tenant.staged_policy.id),
        ("AccessPackageAssignmentRequest", request.id),
        ("User", tenant.bob.id),
    ]
    assert first["targetResources"][3]["userPrincipalName"] == "bob@contoso.com"
    assert [(d["key"], d["value"]) for d in first["additionalDetails"]] == [
        ("RequestId", request.id),
        ("PolicyId", tenant.staged_policy.id),
        ("AccessPackageId", tenant.staged_package.id),
        ("RequestType", "userAdd"),
        ("Justification", "Project Falcon"),
    ]
    assert {(d["loggedByService"], d["correlationId"], d["result"]) for d in documents} == {
        ("Entitlement Management", request.id, "success")
    }
    approval = documents[1]
    assert approval["initiatedBy"]["app"] == {
        "appId": log.IDENTITY_GOVERNANCE_APP_ID,
        "displayName": "Azure AD Identity Governance - User Management",
        "servicePrincipalId": log.IDENTITY_GOVERNANCE_SERVICE_PRINCIPAL_ID,
        "servicePrincipalName": "Azure AD Identity Governance - User Management",
    }
    assert approval["initiatedBy"]["user"] is None
    assert detail(approval, "Stage") == "1"
    stage_done = next(d for d in documents if d["activityDisplayName"] == log.STAGE_COMPLETED.name)
    assert detail(stage_done, "Justification") == "ok" and stage_done["operationType"] == "Update"
    assert AuditEvent.get(AuditEvent.correlation_id == request.id).access_package_id == tenant.staged_package.id


def test_directory_records_name_the_user_and_the_group_or_app_role(tenant):
    """Group and app role grants are Core Directory records with Graph's targets and properties."""
    lifecycle = Lifecycle(FixedClock(f.T0))
    request = lifecycle.submit(tenant.alice, tenant.open_package)
    by_activity = {d["activityDisplayName"]: d for d in records(request.id)}
    grant = by_activity["Add app role assignment grant to user"]
    assert (grant["category"], grant["loggedByService"], grant["operationType"]) == (
        "ApplicationManagement",
        "Core Directory",
        "Assign",
    )
    assert grant["initiatedBy"]["app"]["displayName"] == log.IDENTITY_GOVERNANCE_APP_NAME
    principal, user = grant["targetResources"]
    assert (principal["type"], principal["displayName"], user["type"], user["userPrincipalName"]) == (
        "ServicePrincipal",
        "CRM",
        "User",
        "alice@contoso.com",
    )
    properties = {p["displayName"]: json.loads(p["newValue"]) for p in principal["modifiedProperties"]}
    assert properties["AppRole.Value"] == "reader" and properties["AppRole.DisplayName"] == "Reader"
    assert properties["User.ObjectID"] == tenant.alice.id and properties["User.UPN"] == "alice@contoso.com"
    member = by_activity["Add member to group"]
    assert (member["category"], member["loggedByService"]) == ("GroupManagement", "Core Directory")
    assert [(t["type"], t["displayName"]) for t in member["targetResources"]] == [
        ("User", "Alice"),
        ("Group", "Sales team"),
    ]


def test_timeout_record_has_result_timeout(tenant):
    """The timed-out record is written by the app with result timeout."""
    clock = FixedClock(f.T0)
    lifecycle = Lifecycle(clock)
    request = lifecycle.submit(tenant.alice, tenant.approval_package)
    clock.advance(timedelta(days=15))
    lifecycle.process_due(tenant.admin)
    last = records(request.id)[-1]
    assert (last["activityDisplayName"], last["result"], last["initiatedBy"]["user"]) == (
        log.TIMED_OUT.name,
        "timeout",
        None,
    )


def test_approvers_are_named_in_add_approver_records(tenant):
    """Each Add approver record names the approver asked."""
    request = Lifecycle(FixedClock(f.T0)).submit(tenant.alice, tenant.approval_package)
    added = [d for d in records(request.id) if d["activityDisplayName"] == log.ADD_APPROVER.name]
    assert [(detail(d, "ApproverUserPrincipalName"), detail(d, "Stage")) for d in added] == [
        ("max.manager@contoso.com", "1")
    ]
