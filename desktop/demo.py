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
from desktop.demo_catalogs import CatalogSteps
from desktop.demo_vocabulary import (
    ADMIN_ROLES,
    APP_ROLE_NAMES,
    APPLICATION_NAMES,
    DEMO_ADMINISTRATOR_UPN,
    DEPARTMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    ORGANIZATIONS,
    PROJECTS,
    TENANT_DOMAIN,
)
from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR, ROLE_TEMPLATE_IDS
from models import (
    Application,
    AppRole,
    ConnectedOrganization,
    ConnectedOrganizationSponsor,
    DirectoryRole,
    DirectoryRoleAssignment,
    Group,
    GroupMember,
    User,
    db,
)
from models.change_context import clear_change_context, set_change_context
from models.database import refresh_statistics
from models.prepared import Prepared

Progress = Callable[[str, int, int], None]  # (phase, done, total)

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
    "small": DemoSize(
        members=450, guests_per_organization=17, groups=60, applications=12, sites=10, catalogs=8, packages=40
    ),
    "large": DemoSize(
        members=97_000,
        guests_per_organization=1_000,
        groups=2_500,
        applications=300,
        sites=300,
        catalogs=120,
        packages=4_000,
    ),
}


class _TenantBuilder(CatalogSteps):
    """Writes the directory (this module) and then the catalogs and policies (`CatalogSteps`)."""

    def __init__(
        self, size: DemoSize, seed: int, now: datetime, progress: Progress | None, cancelled: Callable[[], bool] | None
    ):
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
            insert.execute_many(rows[start : start + BATCH])
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
            rows.append(
                {
                    "id": self.guid(),
                    "display_name": name,
                    "state": state,
                    "description": f"{name} partner organization",
                    "identity_sources": [source],
                    "created_by": DEMO_ADMINISTRATOR_UPN,
                    "created_date_time": created,
                    "modified_by": DEMO_ADMINISTRATOR_UPN,
                    "modified_date_time": created + timedelta(days=self.rng.randint(0, 60)),
                }
            )
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
        for row in rows[len(managers) :]:
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
            "id": self.guid(),
            "user_principal_name": upn,
            "display_name": name,
            "mail": mail,
            "given_name": first,
            "surname": last,
            "user_type": user_type,
            "department": self.rng.choice(DEPARTMENTS) if user_type == "Member" else None,
            "job_title": None,
            "company_name": company,
            "account_enabled": True,
            "manager": None,
            "connected_organization": organization["id"] if organization else None,
            "created_date_time": self.moment(1500, self.before_history),
            "is_reference": False,
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
        roles = {
            name: {
                "id": self.guid(),
                "display_name": name,
                "role_template_id": template,
                "description": f"{name} directory role",
            }
            for name, template in ROLE_TEMPLATE_IDS.items()
        }
        self.insert(DirectoryRole, list(roles.values()), "Directory roles")
        by_name = {row["display_name"]: row for row in self.members}
        rows = [{"role": roles[role]["id"], "principal": by_name[name]["id"]} for name, role in ADMIN_ROLES]
        self.insert(DirectoryRoleAssignment, rows, "Directory role assignments")
        self.governance_admins = [
            by_name[name] for name, role in ADMIN_ROLES if role == IDENTITY_GOVERNANCE_ADMINISTRATOR
        ]

    def groups(self) -> None:
        rows, memberships = [], []
        for index in range(self.size.groups):
            department = DEPARTMENTS[index % len(DEPARTMENTS)]
            project = PROJECTS[(index // len(DEPARTMENTS)) % len(PROJECTS)]
            name = f"{department} {project} Team" if index >= len(DEPARTMENTS) else f"{department} Approvers"
            if index >= len(DEPARTMENTS) * len(PROJECTS):
                name = f"{name} {index:04d}"
            rows.append(
                {
                    "id": self.guid(),
                    "display_name": name,
                    "description": f"{name} (security group)",
                    "mail": None,
                    "security_enabled": True,
                    "mail_enabled": False,
                    "group_types": [],
                    "created_date_time": self.moment(900, self.before_history),
                    "is_reference": False,
                }
            )
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
                roles.append(
                    {
                        "id": self.guid(),
                        "application": app["id"],
                        "display_name": role,
                        "value": f"{name.replace(' ', '')}.{role}",
                        "description": f"{role} of {name}",
                    }
                )
        self.insert(Application, apps, "Applications")
        self.insert(AppRole, roles, "App roles")
        self.app_rows, self.app_role_rows = apps, roles


def build_demo(
    size: str = "small",
    seed: int = 7,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
) -> None:
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
        for step in (
            builder.organizations,
            builder.users,
            builder.sponsors,
            builder.directory_roles,
            builder.groups,
            builder.applications,
            builder.catalogs,
            builder.resources,
            builder.access_packages,
            builder.policies,
        ):
            step()
        clear_change_context()
    generate_history(
        random.Random(builder.rng.getrandbits(64)),
        size,
        anchor - timedelta(days=HISTORY_DAYS),
        anchor,
        progress=lambda done, total: builder.progress("Request history", done, total),
        cancelled=builder.cancelled,
    )
    refresh_statistics()
