"""What a sync asks Graph for, kind by kind: the v1.0 calls whose answers are complete records.

Users and groups come from delta queries, so the next sync asks only for what changed; the
audit log from the newest record the last sync saw (with an overlap, duplicates are dropped by
the importer); everything else is listed whole. Lists that need ids from earlier lists (a
catalog's resources, a role's or a resource group's members, who holds a resource application's
app roles) are batched, 20 to a request.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator
from urllib.parse import quote

from desktop.graph.client import GraphClient
from desktop.graph.prefetch import Source
from desktop.importers import kinds

EM = "/v1.0/identityGovernance/entitlementManagement"
USER_PROPERTIES = (
    "id,displayName,userPrincipalName,mail,givenName,surname,userType,department,jobTitle,"
    "companyName,accountEnabled,createdDateTime"
)
GROUP_PROPERTIES = "id,displayName,description,mail,securityEnabled,mailEnabled,groupTypes,createdDateTime"
MEMBER_PROPERTIES = "id,displayName,userPrincipalName,mail,userType"
# Delta queries take their page size from this header, not from $top.
DELTA_HEADERS = {"Prefer": "odata.maxpagesize=999"}
USERS_DELTA = f"/v1.0/users/delta?$select={USER_PROPERTIES}"
GROUPS_DELTA = f"/v1.0/groups/delta?$select={GROUP_PROPERTIES}"
DIRECTORY_ROLES = "/v1.0/directoryRoles"
CONNECTED_ORGANIZATIONS = f"{EM}/connectedOrganizations"
CATALOGS = f"{EM}/catalogs"
ACCESS_PACKAGES = f"{EM}/accessPackages?$expand=catalog,resourceRoleScopes($expand=role,scope)"
POLICIES = f"{EM}/assignmentPolicies?$expand=accessPackage,catalog"
ASSIGNMENTS = f"{EM}/assignments?$expand=target,accessPackage,assignmentPolicy"
REQUESTS = f"{EM}/assignmentRequests?$expand=requestor,accessPackage,assignment"
AUDITS = "/v1.0/auditLogs/directoryAudits?$top=999"
# Records of the last minutes may still arrive out of order at Graph's log store.
AUDIT_OVERLAP = timedelta(minutes=10)
DELTA_KINDS = (kinds.USER, kinds.GROUP)


def catalog_resources(catalog_id: str) -> str:
    return f"{CATALOGS}/{catalog_id}/resources?$expand=roles,scopes"


def group_members(group_id: str) -> str:
    return f"/v1.0/groups/{group_id}/members/microsoft.graph.user?$select={MEMBER_PROPERTIES}&$top=999"


def role_members(role_id: str) -> str:
    return f"/v1.0/directoryRoles/{role_id}/members/microsoft.graph.user?$select={MEMBER_PROPERTIES}"


def app_role_assignments(service_principal_id: str) -> str:
    return f"/v1.0/servicePrincipals/{service_principal_id}/appRoleAssignedTo?$top=999"


def approval_stages(request_id: str) -> str:
    return f"{EM}/assignmentApprovals/{request_id}/stages"


def audits_since(newest: datetime) -> str:
    start = (newest - AUDIT_OVERLAP).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{AUDITS}&$filter={quote(f'activityDateTime ge {start}')}"


@dataclass
class Seen:
    """Ids later lists need, gathered from the pages as they pass to the importer."""

    catalogs: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    resource_groups: list[str] = field(default_factory=list)
    resource_applications: list[str] = field(default_factory=list)  # their service principals' ids
    pending_requests: list[str] = field(default_factory=list)  # requests waiting for approval

    def note(self, kind: str, body: dict) -> None:
        records = body.get("value")
        for record in records if isinstance(records, list) else ():
            if not isinstance(record, dict) or "@removed" in record or not isinstance(record.get("id"), str):
                continue
            if kind == kinds.CATALOG:
                self.catalogs.append(record["id"])
            elif kind == kinds.DIRECTORY_ROLE:
                self.roles.append(record["id"])
            elif kind == kinds.RESOURCE and record.get("originSystem") == "AadGroup" and record.get("originId"):
                self.resource_groups.append(record["originId"])
            elif kind == kinds.RESOURCE and record.get("originSystem") == "AadApplication" and record.get("originId"):
                self.resource_applications.append(record["originId"])
            elif kind == kinds.REQUEST and record.get("state") == "pendingApproval":
                self.pending_requests.append(record["id"])


def sources(
    client: GraphClient, wanted: set[str], delta_links: dict[str, str], audit_start: str | None, seen: Seen
) -> list[Source]:
    """The lists of one sync in import order (an object after the objects it refers to)."""

    def listed(path: str, headers: dict | None = None) -> Callable[[], Iterator[tuple[str, dict]]]:
        return lambda: client.pages(path, headers)

    def batched(paths: Callable[[], list[str]]) -> Callable[[], Iterator[tuple[str, dict]]]:
        return lambda: client.batched_pages(paths())

    plan = [
        Source(kinds.USER, listed(delta_links.get(kinds.USER) or USERS_DELTA, DELTA_HEADERS)),
        Source(kinds.GROUP, listed(delta_links.get(kinds.GROUP) or GROUPS_DELTA, DELTA_HEADERS)),
        Source(kinds.DIRECTORY_ROLE, listed(DIRECTORY_ROLES)),
        Source(kinds.CONNECTED_ORGANIZATION, listed(CONNECTED_ORGANIZATIONS)),
        Source(kinds.CATALOG, listed(CATALOGS)),
        Source(kinds.DIRECTORY_ROLE, batched(lambda: [role_members(pk) for pk in seen.roles]), after_previous=True),
        Source(kinds.RESOURCE, batched(lambda: [catalog_resources(pk) for pk in seen.catalogs])),
        Source(
            kinds.GROUP,
            batched(lambda: [group_members(pk) for pk in dict.fromkeys(seen.resource_groups)]),
            after_previous=True,
        ),
        # Who holds the app roles of the applications that are catalog resources.
        Source(
            kinds.APP_ROLE_ASSIGNMENT,
            batched(lambda: [app_role_assignments(pk) for pk in dict.fromkeys(seen.resource_applications)]),
            after_previous=True,
        ),
        Source(kinds.ACCESS_PACKAGE, listed(ACCESS_PACKAGES)),
        Source(kinds.POLICY, listed(POLICIES)),
        Source(kinds.ASSIGNMENT, listed(ASSIGNMENTS)),
        Source(kinds.REQUEST, listed(REQUESTS)),
        # The decisions taken so far on requests still waiting for approval.
        Source(
            kinds.APPROVAL_STAGE,
            batched(lambda: [approval_stages(pk) for pk in seen.pending_requests]),
            after_previous=True,
        ),
        Source(kinds.AUDIT, listed(audit_start or AUDITS)),
    ]
    return [source for source in plan if source.name in wanted]


def syncable_kinds() -> tuple[str, ...]:
    """Every kind the importer knows that a sync fetches (subjects come inside assignments)."""
    return tuple(kind for kind in kinds.KINDS if kind != kinds.SUBJECT)
