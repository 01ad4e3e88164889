"""The demo tenant: a deterministic, realistic Contoso-style tenant built from a seed.

`small` (about 500 users and 40 access packages) builds in seconds; `large` reaches Entra's
limits (100,000 users, 4,000 access packages). Directory, catalogs and policies are written
here in bulk; then `desktop.demo_history` drives six months of requests, up to the anchor
time, through the lifecycle controller. Every id and time comes from the seed and the
anchor, so the same seed and anchor build the same database.
"""
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Callable

from desktop.demo_history import generate_history
from desktop.errors import Cancelled, Refused
from desktop.permissions import (
    APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, IDENTITY_GOVERNANCE_ADMINISTRATOR,
    REPORTS_READER, ROLE_TEMPLATE_IDS, SECURITY_ADMINISTRATOR, SECURITY_READER,
)
from models import (
    AccessPackage, Application, AppRole, ApprovalStage, ApprovalStageApprover, AssignmentPolicy,
    Catalog, ConnectedOrganization, ConnectedOrganizationSponsor, DirectoryRole,
    DirectoryRoleAssignment, Group, GroupMember, IncompatibleAccessPackage, PolicyAllowedTarget,
    Resource, ResourceRole, ResourceRoleScope, ResourceScope, User, db,
)
from models.change_context import clear_change_context, set_change_context
from models.database import refresh_statistics
from models.prepared import Prepared

Progress = Callable[[str, int, int], None]  # (phase, done, total)

TENANT_DOMAIN = "contoso.com"
DEMO_ADMINISTRATOR_UPN = f"miriam.graham@{TENANT_DOMAIN}"
BATCH = 2000
DEMO_SOURCE = "demo"
HISTORY_DAYS = 182  # the workbooks' ranges (24 hours to 90 days) all have activity


@dataclass(frozen=True)
class DemoSize:
    members: int
    guests_per_organization: int
    groups: int
    applications: int
    sites: int
    catalogs: int
    packages: int


SIZES = {
    "small": DemoSize(members=450, guests_per_organization=17, groups=60, applications=12,
                      sites=10, catalogs=8, packages=40),
    "large": DemoSize(members=97_000, guests_per_organization=1_000, groups=2_500,
                      applications=300, sites=300, catalogs=120, packages=4_000),
}

FIRST_NAMES = (
    "Adele", "Alex", "Allan", "Ben", "Christie", "Debra", "Diego", "Emily", "Enrico", "Grady",
    "Henrietta", "Irvin", "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Megan", "Miriam",
    "Nestor", "Patti", "Pradeep", "Raul", "Rob", "Sanjay", "Sofia", "Tomas", "Vivian", "Wen",
    "Yuki", "Zara", "Amir", "Bianca", "Carlos", "Dana", "Elif", "Farah", "Gustav", "Hana",
)
LAST_NAMES = (
    "Vance", "Wilber", "Deyoung", "Walker", "Cline", "Berger", "Siciliani", "Braun", "Bowen",
    "Archie", "Sauer", "Langer", "Lidman", "Holt", "Sherman", "Gu", "Fernandez", "Robinson",
    "Graham", "Wilson", "Gupta", "Okafor", "Novak", "Tanaka", "Haddad", "Larsen", "Moreau",
    "Kowalski", "Silva", "Nakamura", "Ivanova", "Brennan", "Costa", "Dubois", "Eriksen", "Fischer",
)
DEPARTMENTS = (
    "Sales", "Marketing", "Finance", "Human Resources", "Engineering", "Operations", "Legal",
    "IT", "Research", "Customer Support", "Procurement", "Retail",
)
ORGANIZATIONS = (
    # name, state, identity source, domain
    ("Fabrikam", "configured", "#microsoft.graph.azureActiveDirectoryTenant", "fabrikam.com"),
    ("Woodgrove Bank", "configured", "#microsoft.graph.domainIdentitySource", "woodgrovebank.com"),
    ("Northwind Traders", "proposed", "#microsoft.graph.domainIdentitySource", "northwindtraders.com"),
)
APPLICATION_NAMES = (
    "Salesforce", "ServiceNow", "Workday", "Concur", "Box", "DocuSign", "Zoom", "Jira",
    "Confluence", "GitHub Enterprise", "Tableau", "SAP Fiori", "Adobe Acrobat Sign", "Slack",
    "Dropbox Business", "Smartsheet", "Miro", "Figma", "Power BI", "Dynamics 365",
)
APP_ROLE_NAMES = ("Reader", "Contributor", "Approver", "Administrator")
PROJECTS = (
    "Falcon", "Mercury", "Orion", "Atlas", "Phoenix", "Nimbus", "Vega", "Titan", "Aurora",
    "Zephyr", "Helix", "Quartz", "Summit", "Harbor", "Beacon", "Cascade",
)
PACKAGE_KINDS = ("Members", "Contributors", "Approvers", "Viewers", "Partners", "Owners")
DURATIONS = ("P30D", "P90D", "P180D", "P365D")
STAGE_TIMEOUTS = ("P3D", "P7D", "P14D")
# Every Graph allowedTargetScope a request policy can have, weighted toward the common ones.
POLICY_SCOPES = (
    ("allMemberUsers", 30), ("specificDirectoryUsers", 25), ("allDirectoryUsers", 10),
    ("specificConnectedOrganizationUsers", 10), ("allConfiguredConnectedOrganizationUsers", 8),
    ("allExternalUsers", 5), ("notSpecified", 12),
)
ADMIN_ROLES = (
    # (display name or upn local part, role)
    ("Miriam Graham", IDENTITY_GOVERNANCE_ADMINISTRATOR),
    ("Isaiah Langer", IDENTITY_GOVERNANCE_ADMINISTRATOR),
    ("Megan Bowen", GLOBAL_ADMINISTRATOR),
    ("Lee Gu", SECURITY_ADMINISTRATOR),
    ("Patti Fernandez", SECURITY_READER),
    ("Nestor Wilson", REPORTS_READER),
    ("Grady Archie", APPLICATION_ADMINISTRATOR),
)


class _TenantBuilder:
    def __init__(self, size: DemoSize, seed: int, now: datetime, progress: Progress | None,
                 cancelled: Callable[[], bool] | None):
        self.size = size
        self.rng = random.Random(seed)
        self.now = now
        self.progress = progress or (lambda phase, done, total: None)
        self.cancelled = cancelled or (lambda: False)
        self.created_base = now - timedelta(days=400)
        # Days before `now` by which users, groups, catalogs and packages exist: before the
        # request history starts.
        self.before_history = HISTORY_DAYS + 10

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def moment(self, earliest_days_ago: int, latest_days_ago: int = 0) -> datetime:
        seconds = self.rng.randint(latest_days_ago * 86400, earliest_days_ago * 86400)
        return self.now - timedelta(seconds=seconds)

    def insert(self, model, rows: list[dict], phase: str) -> None:
        insert = Prepared.insert(model)  # peewee's insert_many would build SQL for every row
        for start in range(0, len(rows), BATCH):
            if self.cancelled():
                raise Cancelled("The demo tenant was not built: cancelled.")
            insert.execute_many(rows[start:start + BATCH])
            self.progress(phase, min(start + BATCH, len(rows)), len(rows))

    # -- directory -----------------------------------------------------------------------

    def organizations(self) -> None:
        rows = []
        for name, state, source_type, domain in ORGANIZATIONS:
            source = {"@odata.type": source_type, "displayName": name}
            if source_type.endswith("azureActiveDirectoryTenant"):
                source["tenantId"] = self.guid()
            else:
                source["domainName"] = domain
            created = self.moment(380, 200)
            rows.append({
                "id": self.guid(), "display_name": name, "state": state,
                "description": f"{name} partner organization",
                "identity_sources": [source], "created_by": DEMO_ADMINISTRATOR_UPN,
                "created_date_time": created, "modified_by": DEMO_ADMINISTRATOR_UPN,
                "modified_date_time": created + timedelta(days=self.rng.randint(0, 60)),
            })
        self.insert(ConnectedOrganization, rows, "Connected organizations")
        self.organization_rows = rows

    def users(self) -> None:
        rows, taken = [], set()
        admins = [name for name, _ in ADMIN_ROLES]
        for index in range(self.size.members):
            if index < len(admins):
                first, last = admins[index].split(" ")
            else:
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            rows.append(self._user_row(first, last, TENANT_DOMAIN, "Member", None, taken))
        # Managers: the first tenth of the members manage the rest, department by department.
        managers = rows[: max(len(rows) // 10, len(admins))]
        for manager in managers:
            manager["job_title"] = "Manager"
        for row in rows[len(managers):]:
            row["manager"] = self.rng.choice(managers)["id"]
        for org in self.organization_rows:
            domain = next(d for name, _, _, d in ORGANIZATIONS if name == org["display_name"])
            for _ in range(self.size.guests_per_organization):
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
                guest = self._user_row(first, last, domain, "Guest", org, taken)
                rows.append(guest)
        self.insert(User, rows, "Users")
        self.members = [r for r in rows if r["user_type"] == "Member"]
        self.managers = managers
        self.guests_by_org = {}
        for row in rows:
            if row["connected_organization"]:
                self.guests_by_org.setdefault(row["connected_organization"], []).append(row)

    def _user_row(self, first, last, domain, user_type, organization, taken) -> dict:
        local = f"{first}.{last}".lower()
        candidate, serial = local, 1
        while (candidate, domain) in taken:
            serial += 1
            candidate = f"{local}{serial}"
        taken.add((candidate, domain))
        mail = f"{candidate}@{domain}"
        if user_type == "Guest":
            upn = f"{candidate}_{domain.replace('.', '_')}#EXT#@{TENANT_DOMAIN}"
            company = organization["display_name"]
        else:
            upn, company = mail, "Contoso"
        name = f"{first} {last}"
        return {
            "id": self.guid(), "user_principal_name": upn, "display_name": name,
            "mail": mail, "given_name": first, "surname": last,
            "user_type": user_type, "department": self.rng.choice(DEPARTMENTS) if user_type == "Member" else None,
            "job_title": None, "company_name": company, "account_enabled": True, "manager": None,
            "connected_organization": organization["id"] if organization else None,
            "created_date_time": self.moment(1500, self.before_history), "is_reference": False,
        }

    def sponsors(self) -> None:
        rows = []
        for org in self.organization_rows:
            for user in self.rng.sample(self.managers, 2):
                rows.append({"connected_organization": org["id"], "user": user["id"], "kind": "internal"})
            for user in self.guests_by_org[org["id"]][:2]:
                rows.append({"connected_organization": org["id"], "user": user["id"], "kind": "external"})
        self.insert(ConnectedOrganizationSponsor, rows, "Sponsors")

    def directory_roles(self) -> None:
        roles = {name: {"id": self.guid(), "display_name": name, "role_template_id": template,
                        "description": f"{name} directory role"}
                 for name, template in ROLE_TEMPLATE_IDS.items()}
        self.insert(DirectoryRole, list(roles.values()), "Directory roles")
        by_name = {row["display_name"]: row for row in self.members}
        rows = [{"role": roles[role]["id"], "principal": by_name[name]["id"]} for name, role in ADMIN_ROLES]
        self.insert(DirectoryRoleAssignment, rows, "Directory role assignments")
        self.governance_admins = [by_name[name] for name, role in ADMIN_ROLES
                                  if role == IDENTITY_GOVERNANCE_ADMINISTRATOR]

    def groups(self) -> None:
        rows, memberships = [], []
        for index in range(self.size.groups):
            department = DEPARTMENTS[index % len(DEPARTMENTS)]
            project = PROJECTS[(index // len(DEPARTMENTS)) % len(PROJECTS)]
            name = f"{department} {project} Team" if index >= len(DEPARTMENTS) else f"{department} Approvers"
            if index >= len(DEPARTMENTS) * len(PROJECTS):
                name = f"{name} {index:04d}"
            rows.append({"id": self.guid(), "display_name": name,
                         "description": f"{name} (security group)", "mail": None,
                         "security_enabled": True, "mail_enabled": False, "group_types": [],
                         "created_date_time": self.moment(900, self.before_history), "is_reference": False})
        for index, group in enumerate(rows):
            # The department approver groups (the first ones) are a few people each.
            size = self.rng.randint(2, 5) if index < len(DEPARTMENTS) else self.rng.randint(3, 25)
            members = self.rng.sample(self.members, min(len(self.members), size))
            memberships += [{"group": group["id"], "member": m["id"]} for m in members]
        self.insert(Group, rows, "Groups")
        self.insert(GroupMember, memberships, "Group members")
        self.group_rows = rows
        self.approver_groups = rows[: len(DEPARTMENTS)]

    def applications(self) -> None:
        apps, roles = [], []
        for index in range(self.size.applications):
            base = APPLICATION_NAMES[index % len(APPLICATION_NAMES)]
            name = base if index < len(APPLICATION_NAMES) else f"{base} {index // len(APPLICATION_NAMES) + 1}"
            app = {"id": self.guid(), "app_id": self.guid(), "display_name": name, "is_reference": False}
            apps.append(app)
            for role in APP_ROLE_NAMES[: self.rng.randint(2, 4)]:
                roles.append({"id": self.guid(), "application": app["id"], "display_name": role,
                              "value": f"{name.replace(' ', '')}.{role}",
                              "description": f"{role} of {name}"})
        self.insert(Application, apps, "Applications")
        self.insert(AppRole, roles, "App roles")
        self.app_rows, self.app_role_rows = apps, roles

    # -- catalogs, resources and packages -------------------------------------------------

    def catalogs(self) -> None:
        rows = [{"id": self.guid(), "display_name": "General", "description": "Default catalog",
                 "catalog_type": "serviceDefault", "state": "published", "is_externally_visible": True,
                 "created_date_time": self.created_base, "modified_date_time": self.created_base}]
        for index in range(1, self.size.catalogs):
            department = DEPARTMENTS[index % len(DEPARTMENTS)]
            name = department if index < len(DEPARTMENTS) else f"{department} {PROJECTS[index % len(PROJECTS)]} {index:03d}"
            created = self.moment(400, self.before_history)
            rows.append({"id": self.guid(), "display_name": name, "description": f"Resources of {name}",
                         "catalog_type": "userManaged", "state": "published",
                         "is_externally_visible": self.rng.random() < 0.4,
                         "created_date_time": created, "modified_date_time": created})
        self.insert(Catalog, rows, "Catalogs")
        self.catalog_rows = rows

    def resources(self) -> None:
        resources, roles, scopes = [], [], []
        self.roles_by_catalog: dict[str, list[tuple[dict, dict]]] = {}

        def add(catalog, origin_id, system, name, url, role_specs):
            resource = {"id": self.guid(), "catalog": catalog["id"], "origin_id": origin_id,
                        "origin_system": system, "display_name": name, "description": None,
                        "url": url, "created_date_time": catalog["created_date_time"]}
            scope = {"id": self.guid(), "resource": resource["id"], "origin_id": origin_id,
                     "origin_system": system, "display_name": "Root", "is_root_scope": True}
            resources.append(resource)
            scopes.append(scope)
            for origin, role_name in role_specs:
                role = {"id": self.guid(), "resource": resource["id"], "origin_id": origin,
                        "origin_system": system, "display_name": role_name, "description": None}
                roles.append(role)
                self.roles_by_catalog.setdefault(catalog["id"], []).append((role, scope))

        for index, group in enumerate(self.group_rows[len(DEPARTMENTS):]):
            catalog = self.catalog_rows[index % len(self.catalog_rows)]
            add(catalog, group["id"], "AadGroup", group["display_name"], None,
                [(f"Member_{group['id']}", "Member"), (f"Owner_{group['id']}", "Owner")])
        roles_by_app = {}
        for role in self.app_role_rows:
            roles_by_app.setdefault(role["application"], []).append(role)
        for index, app in enumerate(self.app_rows):
            catalog = self.catalog_rows[(index * 7) % len(self.catalog_rows)]
            add(catalog, app["id"], "AadApplication", app["display_name"], None,
                [(r["id"], r["display_name"]) for r in roles_by_app[app["id"]]])
        for index in range(self.size.sites):
            catalog = self.catalog_rows[(index * 3) % len(self.catalog_rows)]
            name = f"{DEPARTMENTS[index % len(DEPARTMENTS)]} {PROJECTS[index % len(PROJECTS)]} Site"
            if index >= len(DEPARTMENTS) * len(PROJECTS):
                name = f"{name} {index:03d}"
            url = f"https://contoso.sharepoint.com/sites/{name.replace(' ', '')}"
            add(catalog, url, "SharePointOnline", name, url,
                [(f"{url}#4", "Visitors"), (f"{url}#5", "Members"), (f"{url}#3", "Owners")])
        self.insert(Resource, resources, "Resources")
        self.insert(ResourceScope, scopes, "Resource scopes")
        self.insert(ResourceRole, roles, "Resource roles")

    def access_packages(self) -> None:
        packages, role_scopes = [], []
        names = set()
        for index in range(self.size.packages):
            catalog = self.catalog_rows[index % len(self.catalog_rows)]
            available = self.roles_by_catalog.get(catalog["id"]) or self.roles_by_catalog[self.catalog_rows[0]["id"]]
            department = DEPARTMENTS[index % len(DEPARTMENTS)]
            project = PROJECTS[(index // len(DEPARTMENTS)) % len(PROJECTS)]
            kind = PACKAGE_KINDS[(index // (len(DEPARTMENTS) * len(PROJECTS))) % len(PACKAGE_KINDS)]
            name = f"{department} {project} {kind}"
            if name in names:
                name = f"{name} {index:04d}"
            names.add(name)
            created = self.moment(380, self.before_history)
            package = {"id": self.guid(), "catalog": catalog["id"], "display_name": name,
                       "description": f"Access to the {project} resources for the {department} department ({kind.lower()})",
                       "is_hidden": self.rng.random() < 0.05,
                       "created_date_time": created, "modified_date_time": created}
            packages.append(package)
            for role, scope in self.rng.sample(available, min(len(available), self.rng.randint(1, 3))):
                role_scopes.append({"id": self.guid(), "access_package": package["id"], "role": role["id"],
                                    "scope": scope["id"], "created_date_time": created})
        self.insert(AccessPackage, packages, "Access packages")
        self.insert(ResourceRoleScope, role_scopes, "Resource role scopes")
        self.package_rows = packages
        pairs = []
        for left, right in zip(packages[0::25], packages[1::25]):
            pairs.append({"access_package": left["id"], "incompatible_with": right["id"]})
        self.insert(IncompatibleAccessPackage, pairs, "Incompatible access packages")

    def policies(self) -> None:
        policies, targets, stages, approvers = [], [], [], []
        scopes, weights = zip(*POLICY_SCOPES)
        configured = [o for o in self.organization_rows if o["state"] == "configured"]
        for index, package in enumerate(self.package_rows):
            # Every scope appears at least once; then the weighted mix.
            first_scope = scopes[index] if index < len(scopes) else self.rng.choices(scopes, weights)[0]
            plan = [first_scope]
            if self.rng.random() < 0.35:
                plan.append("notSpecified" if first_scope != "notSpecified" else "allMemberUsers")
            for number, scope in enumerate(plan):
                policy = self._policy_row(package, scope, index + number, configured)
                policies.append(policy)
                targets += self._allowed_targets(policy, scope, configured)
                if scope != "notSpecified" and policy["is_approval_required_for_add"]:
                    stage_rows, approver_rows = self._stages(policy, scope, index + number)
                    stages += stage_rows
                    approvers += approver_rows
        self.insert(AssignmentPolicy, policies, "Policies")
        self.insert(PolicyAllowedTarget, targets, "Policy targets")
        self.insert(ApprovalStage, stages, "Approval stages")
        # Stage ids are assigned by the database: approvers name their stage by key until now.
        stage_ids = {(s.policy_id, s.stage_number): s.id for s in
                     ApprovalStage.select(ApprovalStage.id, ApprovalStage.policy, ApprovalStage.stage_number)}
        for approver in approvers:
            approver["stage"] = stage_ids[approver.pop("stage_key")]
        self.insert(ApprovalStageApprover, approvers, "Approvers")

    def _policy_row(self, package, scope, index, configured) -> dict:
        external = scope in ("specificConnectedOrganizationUsers",
                             "allConfiguredConnectedOrganizationUsers", "allExternalUsers")
        expiration = ("noExpiration", "afterDuration", "afterDuration", "afterDateTime")[index % 4]
        name = {
            "notSpecified": "Direct assignments",
            "specificDirectoryUsers": "Selected users and groups",
            "allMemberUsers": "All members",
            "allDirectoryUsers": "All users (including guests)",
            "specificConnectedOrganizationUsers": "Partner organization",
            "allConfiguredConnectedOrganizationUsers": "All connected organizations",
            "allExternalUsers": "All external users",
        }[scope]
        created = package["created_date_time"]
        return {
            "id": self.guid(), "access_package": package["id"], "display_name": name,
            "description": f"{name} can request {package['display_name']}",
            "allowed_target_scope": scope,
            "enable_targets_to_self_add_access": scope != "notSpecified",
            "enable_targets_to_self_update_access": False,
            "enable_targets_to_self_remove_access": True,
            "allow_custom_assignment_schedule": scope == "notSpecified",
            "enable_on_behalf_requestors_to_add_access": False,
            # Every number of stages (0 to 3) appears; external access always needs approval.
            "is_approval_required_for_add": scope != "notSpecified" and (external or index % 4 != 0),
            "is_approval_required_for_update": False,
            "is_requestor_justification_required": scope != "notSpecified" and index % 3 == 0,
            "expiration_type": expiration,
            "expiration_duration": self.rng.choice(DURATIONS) if expiration == "afterDuration" else None,
            "expiration_end_date_time": (datetime.combine(self.now.date(), time(), timezone.utc)
                                         + timedelta(days=self.rng.randint(30, 200)))
            if expiration == "afterDateTime" else None,
            "created_date_time": created, "modified_date_time": created,
        }

    def _allowed_targets(self, policy, scope, configured) -> list[dict]:
        base = {"policy": policy["id"], "user": None, "group": None, "connected_organization": None}
        if scope == "specificDirectoryUsers":
            rows = [{**base, "subject_set_type": "groupMembers", "group": g["id"]}
                    for g in self.rng.sample(self.group_rows[len(DEPARTMENTS):], 2)]
            rows += [{**base, "subject_set_type": "singleUser", "user": u["id"]}
                     for u in self.rng.sample(self.members, 3)]
            return rows
        if scope == "specificConnectedOrganizationUsers":
            return [{**base, "subject_set_type": "connectedOrganizationMembers",
                     "connected_organization": self.rng.choice(configured)["id"]}]
        return []

    def _stages(self, policy, scope, index) -> tuple[list[dict], list[dict]]:
        external = scope in ("specificConnectedOrganizationUsers",
                             "allConfiguredConnectedOrganizationUsers", "allExternalUsers")
        count = 1 + index % 3
        stages, approvers = [], []
        for number in range(1, count + 1):
            stage = {"policy": policy["id"], "stage_number": number,
                     "duration_before_automatic_denial": self.rng.choice(STAGE_TIMEOUTS),
                     "is_approver_justification_required": number == count and index % 2 == 0,
                     "is_escalation_enabled": False, "duration_before_escalation": None}
            stages.append(stage)
            base = {"stage_key": (policy["id"], number), "is_fallback": False, "user": None,
                    "group": None, "manager_level": 1}
            if number == 1 and external:
                approvers.append({**base, "subject_set_type": "externalSponsors" if index % 2 else "internalSponsors"})
            elif number == 1:
                approvers.append({**base, "subject_set_type": "requestorManager"})
            elif number == 2:
                approvers.append({**base, "subject_set_type": "groupMembers",
                                  "group": self.rng.choice(self.approver_groups)["id"]})
            else:
                approvers.append({**base, "subject_set_type": "singleUser",
                                  "user": self.rng.choice(self.governance_admins)["id"]})
            # Fallback approvers for sets that can resolve to nobody.
            if approvers[-1]["subject_set_type"] in ("requestorManager", "externalSponsors", "internalSponsors"):
                approvers.append({**base, "subject_set_type": "singleUser", "is_fallback": True,
                                  "user": self.rng.choice(self.managers)["id"]})
        return stages, approvers


def build_demo(size: str = "small", seed: int = 7, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None, now: datetime | None = None) -> None:
    """Fill the open, empty database with the demo tenant, then its request history, which
    ends at `now` (default: today, midnight UTC).

    The directory, catalogs and policies are one transaction; the history commits a month at
    a time, as one transaction of a million audit records would grow SQLite's write-ahead log
    to gigabytes. A build cancelled during the history keeps the months made so far: build
    into a new file and delete it when cancelled (as the GUI does)."""
    if size not in SIZES:
        raise Refused(f"Unknown demo size {size!r}: choose {' or '.join(SIZES)}.")
    if User.select().exists():
        raise Refused("The database already holds a tenant; build the demo into a new database file.")
    anchor = now or datetime.combine(datetime.now(timezone.utc).date(), time(), timezone.utc)
    builder = _TenantBuilder(SIZES[size], seed, anchor, progress, cancelled)
    with db.atomic():
        # The history counts the tenant's configuration as there before its request history.
        set_change_context(DEMO_SOURCE, at=anchor - timedelta(days=builder.before_history))
        for step in (builder.organizations, builder.users, builder.sponsors, builder.directory_roles,
                     builder.groups, builder.applications, builder.catalogs, builder.resources,
                     builder.access_packages, builder.policies):
            step()
        clear_change_context()
    generate_history(random.Random(builder.rng.getrandbits(64)), size,
                     anchor - timedelta(days=HISTORY_DAYS), anchor,
                     progress=lambda done, total: builder.progress("Request history", done, total),
                     cancelled=builder.cancelled)
    refresh_statistics()
