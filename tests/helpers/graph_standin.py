"""A stand-in for Microsoft Graph on 127.0.0.1: a small tenant served in the v1.0 shapes of the
API reference's examples (paged lists, delta queries, `$batch`, the audit log's `$filter`), with
faults on demand: 429 with Retry-After, 503, a dropped connection, an expired token, a 403.

Used by the tests and by `bench/bench_sync.py`; it never reaches the network.
"""

import json
import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

EM = "/v1.0/identityGovernance/entitlementManagement"
ROLE_TEMPLATES = {
    "Identity Governance Administrator": "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Reports Reader": "4a5d8f65-41da-4de4-8968-e035b65339cf",
}
EPOCH = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Fault:
    """Answer the next `times` requests whose path contains `where` with `status` ("drop" closes
    the connection unanswered)."""

    where: str
    status: int | str
    times: int = 1
    retry_after: str | None = None


@dataclass
class Tenant:
    tenant_id: str
    name: str
    me: str
    users: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    roles: dict = field(default_factory=dict)  # id -> (record, member ids)
    organizations: dict = field(default_factory=dict)
    catalogs: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)  # catalog id -> [records]
    group_members: dict = field(default_factory=dict)  # group id -> [user ids]
    # service principal id -> its appRoleAssignedTo (the applications that are catalog resources)
    app_role_assignments: dict = field(default_factory=dict)
    approval_stages: dict = field(default_factory=dict)  # pending request id -> its stages
    packages: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)
    assignments: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    audits: list = field(default_factory=list)  # newest first
    version: int = 0
    changes: list = field(default_factory=list)  # (version, "users"/"groups", id)
    oldest_delta: int = 0  # delta tokens older than this answer 410 Gone, as expired ones do
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    # -- changes a test makes between two syncs ---------------------------------------------------
    def change_user(self, pk: str, **fields) -> None:
        self.users[pk].update(fields)
        self._changed("users", pk)

    def remove_user(self, pk: str) -> None:
        del self.users[pk]
        self._changed("users", pk)

    def remove_assignment(self, pk: str) -> None:
        del self.assignments[pk]

    def add_audit(self, at: datetime, activity: str = "Fulfill access package assignment") -> dict:
        record = audit_record(self.rng, at, activity, self.users[self.me], next(iter(self.packages.values())))
        self.audits.append(record)
        self.audits.sort(key=lambda r: r["activityDateTime"], reverse=True)
        return record

    def _changed(self, collection: str, pk: str) -> None:
        self.version += 1
        self.changes.append((self.version, collection, pk))


def user_record(pk: str, number: int, upn_domain: str = "fabrikam.example") -> dict:
    given, surname = f"Given{number}", f"Sürname{number}"
    return {
        "id": pk,
        "displayName": f"{given} {surname}",
        "givenName": given,
        "surname": surname,
        "userPrincipalName": f"user{number}@{upn_domain}",
        "mail": f"user{number}@{upn_domain}",
        "userType": "Member",
        "department": "Sales" if number % 2 else "Finance",
        "jobTitle": None,
        "companyName": None,
        "accountEnabled": True,
        "createdDateTime": stamp(EPOCH - timedelta(days=number)),
    }


def subject(user: dict) -> dict:
    return {
        "id": user["id"],
        "objectId": user["id"],
        "displayName": user["displayName"],
        "email": user["mail"],
        "principalName": user["userPrincipalName"],
        "subjectType": "user",
    }


def audit_record(rng: random.Random, at: datetime, activity: str, user: dict, package: dict) -> dict:
    return {
        "id": f"Directory_{guid(rng).upper()}_{rng.randrange(10**8)}",
        "category": "EntitlementManagement",
        "correlationId": guid(rng),
        "result": "success",
        "resultReason": "",
        "activityDisplayName": activity,
        "activityDateTime": stamp(at),
        "loggedByService": "Entitlement Management",
        "operationType": "Assign",
        "initiatedBy": {
            "app": None,
            "user": {
                "id": user["id"],
                "displayName": user["displayName"],
                "userPrincipalName": user["userPrincipalName"],
                "ipAddress": None,
                "userType": None,
                "homeTenantId": None,
                "homeTenantName": None,
            },
        },
        "targetResources": [
            {
                "id": package["id"],
                "displayName": package["displayName"],
                "type": "AccessPackage",
                "userPrincipalName": None,
                "groupType": None,
                "modifiedProperties": [],
            },
            {
                "id": user["id"],
                "displayName": user["displayName"],
                "type": "User",
                "userPrincipalName": user["userPrincipalName"],
                "groupType": None,
                "modifiedProperties": [],
            },
        ],
        "additionalDetails": [{"key": "AccessPackageAssignmentPolicyId", "value": guid(rng)}],
    }


def build_tenant(users: int = 12, packages: int = 3, assignments: int = 10, audits: int = 20, seed: int = 7) -> Tenant:
    """A tenant whose first user is the signed-in Identity Governance Administrator."""
    rng = random.Random(seed)
    tenant = Tenant(tenant_id=guid(rng), name="Fabrikam Stand-in", me="", rng=rng)
    user_ids = [guid(rng) for _ in range(users)]
    for number, pk in enumerate(user_ids, start=1):
        tenant.users[pk] = user_record(pk, number)
    tenant.me = user_ids[0]
    for name, template in ROLE_TEMPLATES.items():
        role_id = guid(rng)
        members = [tenant.me] if name == "Identity Governance Administrator" else user_ids[1:2]
        tenant.roles[role_id] = (
            {"id": role_id, "displayName": name, "description": f"{name} role", "roleTemplateId": template},
            members,
        )
    organization = guid(rng)
    tenant.organizations[organization] = {
        "id": organization,
        "displayName": "Contoso partners",
        "description": "A partner",
        "state": "configured",
        "createdBy": "admin@fabrikam.example",
        "createdDateTime": stamp(EPOCH),
        "modifiedBy": None,
        "modifiedDateTime": stamp(EPOCH),
        "identitySources": [
            {
                "@odata.type": "#microsoft.graph.azureActiveDirectoryTenant",
                "displayName": "Contoso",
                "tenantId": guid(rng),
            }
        ],
    }
    catalog_id = guid(rng)
    catalog = {
        "id": catalog_id,
        "displayName": "General",
        "description": "Built-in catalog",
        "catalogType": "userManaged",
        "state": "published",
        "isExternallyVisible": True,
        "createdDateTime": stamp(EPOCH),
        "modifiedDateTime": stamp(EPOCH),
    }
    tenant.catalogs[catalog_id] = catalog
    tenant.resources[catalog_id] = []
    for number in range(packages):
        group_id = guid(rng)
        group = {
            "id": group_id,
            "displayName": f"Project Ünïcode {number}",
            "description": None,
            "mail": None,
            "securityEnabled": True,
            "mailEnabled": False,
            "groupTypes": [],
            "createdDateTime": stamp(EPOCH),
        }
        tenant.groups[group_id] = group
        tenant.group_members[group_id] = user_ids[number :: max(packages, 1)][:5]
        role = {
            "id": guid(rng),
            "displayName": "Member",
            "description": None,
            "originSystem": "AadGroup",
            "originId": f"Member_{group_id}",
        }
        scope = {
            "id": guid(rng),
            "displayName": "Root",
            "description": "Root Scope",
            "originId": group_id,
            "originSystem": "AadGroup",
            "isRootScope": True,
        }
        tenant.resources[catalog_id].append(
            {
                "id": guid(rng),
                "displayName": group["displayName"],
                "description": None,
                "url": None,
                "originId": group_id,
                "originSystem": "AadGroup",
                "createdDateTime": stamp(EPOCH),
                "roles": [role],
                "scopes": [scope],
            }
        )
        package_id = guid(rng)
        tenant.packages[package_id] = {
            "id": package_id,
            "displayName": f"Package {number}",
            "description": "Access for a project",
            "isHidden": False,
            "createdDateTime": stamp(EPOCH),
            "modifiedDateTime": stamp(EPOCH),
            "catalog": catalog,
            "resourceRoleScopes": [{"id": guid(rng), "createdDateTime": stamp(EPOCH), "role": role, "scope": scope}],
        }
        policy_id = guid(rng)
        tenant.policies[policy_id] = {
            "id": policy_id,
            "displayName": "Initial policy",
            "description": "Initial policy",
            "allowedTargetScope": "allMemberUsers",
            "specificAllowedTargets": [],
            "createdDateTime": stamp(EPOCH),
            "modifiedDateTime": stamp(EPOCH),
            "expiration": {"endDateTime": None, "duration": "P365D", "type": "afterDuration"},
            "requestorSettings": {
                "enableTargetsToSelfAddAccess": True,
                "enableTargetsToSelfUpdateAccess": False,
                "enableTargetsToSelfRemoveAccess": True,
                "allowCustomAssignmentSchedule": False,
                "enableOnBehalfRequestorsToAddAccess": False,
                "onBehalfRequestors": [],
            },
            "requestApprovalSettings": {
                "isApprovalRequiredForAdd": False,
                "isApprovalRequiredForUpdate": False,
                "stages": [],
            },
            "accessPackage": {
                "id": package_id,
                "displayName": f"Package {number}",
                "description": None,
                "isHidden": False,
            },
            "catalog": catalog,
        }
    add_resource_application(tenant, catalog_id, user_ids[:2])
    package_ids, policy_ids = list(tenant.packages), list(tenant.policies)
    for number in range(assignments):
        which = number % len(package_ids)
        target = tenant.users[user_ids[number % users]]
        pk, request_id = guid(rng), guid(rng)
        package, policy = tenant.packages[package_ids[which]], tenant.policies[policy_ids[which]]
        start = EPOCH + timedelta(hours=number)
        tenant.assignments[pk] = {
            "id": pk,
            "state": "delivered",
            "status": "Delivered",
            "createdDateTime": stamp(start),
            "expiredDateTime": None,
            "schedule": {
                "startDateTime": stamp(start),
                "recurrence": None,
                "expiration": {"endDateTime": None, "duration": "P365D", "type": "afterDuration"},
            },
            "target": {**subject(target), "connectedOrganization": None},
            "accessPackage": {key: package[key] for key in ("id", "displayName", "description", "isHidden")},
            "assignmentPolicy": {
                key: policy[key] for key in ("id", "displayName", "description", "allowedTargetScope")
            },
        }
        tenant.requests[request_id] = {
            "id": request_id,
            "requestType": "userAdd",
            "state": "delivered",
            "status": "Delivered",
            "createdDateTime": stamp(start - timedelta(minutes=5)),
            "completedDateTime": stamp(start),
            "justification": "Needed for the project",
            "schedule": {"startDateTime": stamp(start)},
            "accessPackage": {key: package[key] for key in ("id", "displayName", "description", "isHidden")},
            "assignment": {"id": pk, "state": "delivered", "status": "Delivered"},
            "requestor": subject(target),
        }
    add_pending_request(tenant, user_ids[-1], package_ids[0], approver=tenant.me)
    first_package = next(iter(tenant.packages.values()))
    for number in range(audits):
        tenant.audits.append(
            audit_record(
                rng,
                EPOCH + timedelta(minutes=7 * number),
                "Fulfill access package assignment",
                tenant.users[user_ids[number % users]],
                first_package,
            )
        )
    tenant.audits.sort(key=lambda r: r["activityDateTime"], reverse=True)
    return tenant


def add_resource_application(tenant: Tenant, catalog_id: str, holders: list[str]) -> None:
    """An application in the catalog (originSystem AadApplication, originId its service
    principal) and the users who hold its app role, as `appRoleAssignedTo` lists them."""
    rng = tenant.rng
    service_principal, app_role = guid(rng), guid(rng)
    tenant.resources[catalog_id].append(
        {
            "id": guid(rng),
            "displayName": "Fabrikam CRM",
            "description": "Sales CRM",
            "url": None,
            "originId": service_principal,
            "originSystem": "AadApplication",
            "createdDateTime": stamp(EPOCH),
            "roles": [
                {
                    "id": guid(rng),
                    "displayName": "Sales rep",
                    "description": None,
                    "originSystem": "AadApplication",
                    "originId": app_role,
                }
            ],
            "scopes": [
                {
                    "id": guid(rng),
                    "displayName": "Root",
                    "description": "Root Scope",
                    "originId": service_principal,
                    "originSystem": "AadApplication",
                    "isRootScope": True,
                }
            ],
        }
    )
    tenant.app_role_assignments[service_principal] = [
        {
            # Graph's appRoleAssignment ids are not GUIDs.
            "id": f"{pk.replace('-', '')[:22]}SvRx{number:02d}Q1pUk-yFqY4nDg",
            "deletedDateTime": None,
            "appRoleId": app_role,
            "createdDateTime": stamp(EPOCH),
            "principalDisplayName": tenant.users[pk]["displayName"],
            "principalId": pk,
            "principalType": "User",
            "resourceDisplayName": "Fabrikam CRM",
            "resourceId": service_principal,
        }
        for number, pk in enumerate(holders)
    ]


def add_pending_request(tenant: Tenant, requestor: str, package_id: str, approver: str) -> None:
    """A request waiting at its second approval stage: the first stage approved by `approver`."""
    rng, package = tenant.rng, tenant.packages[package_id]
    request_id = guid(rng)
    tenant.requests[request_id] = {
        "id": request_id,
        "requestType": "userAdd",
        "state": "pendingApproval",
        "status": "PendingApproval",
        "createdDateTime": stamp(EPOCH),
        "completedDateTime": None,
        "justification": "Customer project",
        "schedule": {"startDateTime": None},
        "accessPackage": {key: package[key] for key in ("id", "displayName", "description", "isHidden")},
        "assignment": None,
        "requestor": subject(tenant.users[requestor]),
    }
    tenant.approval_stages[request_id] = [
        {
            "id": guid(rng),
            "displayName": None,
            "reviewedDateTime": stamp(EPOCH + timedelta(hours=1)),
            "reviewResult": "Approve",
            "status": "Completed",
            "assignedToMe": False,
            "justification": "Looks right",
            "reviewedBy": {"id": approver, "displayName": tenant.users[approver]["displayName"]},
        },
        {
            "id": guid(rng),
            "displayName": None,
            "reviewedDateTime": None,
            "reviewResult": "NotReviewed",
            "status": "InProgress",
            "assignedToMe": True,
            "justification": None,
            "reviewedBy": None,
        },
    ]


class GraphStandIn:
    """The HTTP server: `with GraphStandIn(tenant) as graph: …graph.url…`."""

    def __init__(self, tenant: Tenant, page_size: int = 5, tokens: set[str] | None = None):
        self.tenant = tenant
        self.page_size = page_size
        self.tokens = tokens if tokens is not None else {"stand-in-token"}
        self.faults: list[Fault] = []
        self.log: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "GraphStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def fault(self, where: str, status, times: int = 1, retry_after: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(where, status, times, retry_after))

    def requested(self, fragment: str) -> int:
        with self.lock:
            return sum(fragment in line for line in self.log)

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.where in path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    # -- routing ------------------------------------------------------------------------------------
    def answer(self, path_and_query: str) -> tuple[int, dict]:
        parts = urlsplit(path_and_query)
        path, query = unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}
        t = self.tenant
        if path == "/v1.0/organization":
            return 200, self._page(path_and_query, "organization", [{"id": t.tenant_id, "displayName": t.name}], query)
        if path == "/v1.0/me":
            return 200, {"@odata.context": f"{self.url}/v1.0/$metadata#users/$entity", **t.users[t.me]}
        if path == "/v1.0/me/memberOf/microsoft.graph.directoryRole":
            roles = [record for record, members in t.roles.values() if t.me in members]
            return 200, self._page(path_and_query, "directoryRoles", roles, query)
        if path in ("/v1.0/users/delta", "/v1.0/groups/delta"):
            return self._delta(path_and_query, path.split("/")[2], query)
        if path == "/v1.0/directoryRoles":
            return 200, self._page(path_and_query, "directoryRoles", [r for r, _ in t.roles.values()], query)
        match = re.fullmatch(r"/v1\.0/(directoryRoles|groups)/([^/]+)/members/microsoft\.graph\.user", path)
        if match:
            owner, pk = match.groups()
            ids = t.roles[pk][1] if owner == "directoryRoles" else t.group_members.get(pk, [])
            members = [
                {"@odata.type": "#microsoft.graph.user", **_select(t.users[i], query)} for i in ids if i in t.users
            ]
            return 200, self._page(path_and_query, "users", members, query)
        match = re.fullmatch(EM + r"/assignmentApprovals/([^/]+)/stages", path)
        if match:
            return 200, self._page(
                path_and_query,
                f"identityGovernance/entitlementManagement/assignmentApprovals('{match.group(1)}')/stages",
                t.approval_stages.get(match.group(1), []),
                query,
            )
        match = re.fullmatch(r"/v1\.0/servicePrincipals/([^/]+)/appRoleAssignedTo", path)
        if match:
            return 200, self._page(
                path_and_query,
                f"servicePrincipals('{match.group(1)}')/appRoleAssignedTo",
                t.app_role_assignments.get(match.group(1), []),
                query,
            )
        match = re.fullmatch(EM + r"/catalogs/([^/]+)/resources", path)
        if match:
            return 200, self._page(
                path_and_query,
                f"identityGovernance/entitlementManagement/catalogs('{match.group(1)}')/resources(roles(),scopes())",
                t.resources.get(match.group(1), []),
                query,
            )
        lists = {
            "connectedOrganizations": t.organizations,
            "catalogs": t.catalogs,
            "accessPackages": t.packages,
            "assignmentPolicies": t.policies,
            "assignments": t.assignments,
            "assignmentRequests": t.requests,
        }
        if path.startswith(EM + "/") and path[len(EM) + 1 :] in lists:
            name = path[len(EM) + 1 :]
            return 200, self._page(
                path_and_query, f"identityGovernance/entitlementManagement/{name}", list(lists[name].values()), query
            )
        if path == "/v1.0/auditLogs/directoryAudits":
            records = t.audits
            match = re.fullmatch(r"activityDateTime ge (\S+)", query.get("$filter", ""))
            if match:
                since = datetime.fromisoformat(match.group(1))
                records = [r for r in records if datetime.fromisoformat(r["activityDateTime"]) >= since]
            return 200, self._page(path_and_query, "auditLogs/directoryAudits", records, query)
        return 404, {"error": {"code": "Request_ResourceNotFound", "message": f"No route {path}"}}

    def _page(self, path_and_query: str, context: str, items: list, query: dict) -> dict:
        size = min(int(query.get("$top") or self.page_size), self.page_size)
        start = int(query.get("$skiptoken") or 0)
        body = {"@odata.context": f"{self.url}/v1.0/$metadata#{context}", "value": items[start : start + size]}
        if start + size < len(items):
            body["@odata.nextLink"] = self.url + _with_query(path_and_query, "$skiptoken", str(start + size))
        return body

    def _delta(self, path_and_query: str, collection: str, query: dict) -> dict:
        t = self.tenant
        records = t.users if collection == "users" else t.groups
        base = query.get("$deltatoken")
        if base is None:
            items = [_select(record, query) for record in records.values()]
            version = t.version
        elif int(base) < self.tenant.oldest_delta:
            return 410, {"error": {"code": "syncStateNotFound", "message": "The delta token has expired."}}
        else:
            version = int(base)
            changed = dict.fromkeys(pk for v, c, pk in t.changes if v > version and c == collection)
            items = [
                _select(records[pk], query) if pk in records else {"id": pk, "@removed": {"reason": "changed"}}
                for pk in changed
            ]
            version = t.version
        start = int(query.get("$skiptoken") or 0)
        size = self.page_size
        body = {"@odata.context": f"{self.url}/v1.0/$metadata#{collection}", "value": items[start : start + size]}
        if start + size < len(items):
            body["@odata.nextLink"] = self.url + _with_query(path_and_query, "$skiptoken", str(start + size))
        else:
            body["@odata.deltaLink"] = f"{self.url}/v1.0/{collection}/delta?$deltatoken={version}" + (
                f"&$select={quote(query['$select'])}" if "$select" in query else ""
            )
        return 200, body


def _select(record: dict, query: dict) -> dict:
    wanted = query.get("$select")
    if not wanted:
        return dict(record)
    names = set(wanted.split(","))
    return {key: value for key, value in record.items() if key in names or key == "id"}


def _with_query(path_and_query: str, name: str, value: str) -> str:
    parts = urlsplit(path_and_query)
    pairs = [
        pair
        for pair in parts.query.split("&")
        if pair and not pair.startswith(quote(name) + "=") and not pair.startswith(name + "=")
    ]
    pairs.append(f"{name}={value}")
    return f"{parts.path}?{'&'.join(pairs)}"


def _handler(graph: GraphStandIn):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def log_message(self, *args) -> None:
            """Quiet: the test output is the place for failures only."""

        def do_GET(self) -> None:
            self._serve(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(json.loads(self.rfile.read(length) or b"{}"))

        def _serve(self, payload) -> None:
            with graph.lock:
                graph.log.append(f"{self.command} {self.path}")
            fault = None if urlsplit(self.path).path == "/v1.0/$batch" else graph._take_fault(self.path)
            if fault is not None and fault.status == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in graph.tokens:
                return self._send(
                    401,
                    {
                        "error": {
                            "code": "InvalidAuthenticationToken",
                            "message": "Access token has expired or is not yet valid.",
                        }
                    },
                )
            if fault is not None:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                code = {403: "Authorization_RequestDenied", 429: "TooManyRequests"}.get(
                    fault.status, "ServiceUnavailable"
                )
                message = (
                    "Insufficient privileges to complete the operation."
                    if fault.status == 403
                    else "Please retry later."
                )
                return self._send(fault.status, {"error": {"code": code, "message": message}}, headers)
            if self.command == "POST" and urlsplit(self.path).path == "/v1.0/$batch":
                responses = []
                for request in payload.get("requests", []):
                    with graph.lock:
                        graph.log.append(f"BATCHED GET {request['url']}")
                    inner = graph._take_fault(request["url"])
                    if inner is not None and inner.status != "drop":
                        responses.append(
                            {
                                "id": request["id"],
                                "status": inner.status,
                                "headers": {"Retry-After": inner.retry_after or "1"},
                                "body": {"error": {"code": "Refused", "message": "Refused."}},
                            }
                        )
                        continue
                    status, body = graph.answer("/v1.0" + request["url"])
                    responses.append(
                        {
                            "id": request["id"],
                            "status": status,
                            "headers": {"Content-Type": "application/json"},
                            "body": body,
                        }
                    )
                return self._send(200, {"responses": responses})
            status, body = graph.answer(self.path)
            self._send(status, body)

        def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
