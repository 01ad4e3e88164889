"""The demo tenant's catalogs, resources, access packages and request policies.

`CatalogSteps` is the second half of the demo's tenant builder (`desktop.demo`): it reads the
directory the first half wrote (groups, applications, members, managers, approver groups) from
the builder's attributes and writes with the builder's `guid`, `moment` and `insert`.
"""

from datetime import datetime, time, timedelta, timezone

from desktop.demo_vocabulary import DEPARTMENTS, DURATIONS, PACKAGE_KINDS, POLICY_SCOPES, PROJECTS, STAGE_TIMEOUTS
from models import (
    AccessPackage,
    ApprovalStage,
    ApprovalStageApprover,
    AssignmentPolicy,
    Catalog,
    IncompatibleAccessPackage,
    PolicyAllowedTarget,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    ResourceScope,
)


class CatalogSteps:
    def catalogs(self) -> None:
        rows = [
            {
                "id": self.guid(),
                "display_name": "General",
                "description": "Default catalog",
                "catalog_type": "serviceDefault",
                "state": "published",
                "is_externally_visible": True,
                "created_date_time": self.created_base,
                "modified_date_time": self.created_base,
            }
        ]
        for index in range(1, self.size.catalogs):
            department = DEPARTMENTS[index % len(DEPARTMENTS)]
            name = (
                department
                if index < len(DEPARTMENTS)
                else f"{department} {PROJECTS[index % len(PROJECTS)]} {index:03d}"
            )
            created = self.moment(400, self.before_history)
            rows.append(
                {
                    "id": self.guid(),
                    "display_name": name,
                    "description": f"Resources of {name}",
                    "catalog_type": "userManaged",
                    "state": "published",
                    "is_externally_visible": self.rng.random() < 0.4,
                    "created_date_time": created,
                    "modified_date_time": created,
                }
            )
        self.insert(Catalog, rows, "Catalogs")
        self.catalog_rows = rows

    def resources(self) -> None:
        resources, roles, scopes = [], [], []
        self.roles_by_catalog: dict[str, list[tuple[dict, dict]]] = {}

        def add(catalog, origin_id, system, name, url, role_specs):
            resource = {
                "id": self.guid(),
                "catalog": catalog["id"],
                "origin_id": origin_id,
                "origin_system": system,
                "display_name": name,
                "description": None,
                "url": url,
                "created_date_time": catalog["created_date_time"],
            }
            scope = {
                "id": self.guid(),
                "resource": resource["id"],
                "origin_id": origin_id,
                "origin_system": system,
                "display_name": "Root",
                "is_root_scope": True,
            }
            resources.append(resource)
            scopes.append(scope)
            for origin, role_name in role_specs:
                role = {
                    "id": self.guid(),
                    "resource": resource["id"],
                    "origin_id": origin,
                    "origin_system": system,
                    "display_name": role_name,
                    "description": None,
                }
                roles.append(role)
                self.roles_by_catalog.setdefault(catalog["id"], []).append((role, scope))

        for index, group in enumerate(self.group_rows[len(DEPARTMENTS) :]):
            catalog = self.catalog_rows[index % len(self.catalog_rows)]
            add(
                catalog,
                group["id"],
                "AadGroup",
                group["display_name"],
                None,
                [(f"Member_{group['id']}", "Member"), (f"Owner_{group['id']}", "Owner")],
            )
        roles_by_app = {}
        for role in self.app_role_rows:
            roles_by_app.setdefault(role["application"], []).append(role)
        for index, app in enumerate(self.app_rows):
            catalog = self.catalog_rows[(index * 7) % len(self.catalog_rows)]
            add(
                catalog,
                app["id"],
                "AadApplication",
                app["display_name"],
                None,
                [(r["id"], r["display_name"]) for r in roles_by_app[app["id"]]],
            )
        for index in range(self.size.sites):
            catalog = self.catalog_rows[(index * 3) % len(self.catalog_rows)]
            name = f"{DEPARTMENTS[index % len(DEPARTMENTS)]} {PROJECTS[index % len(PROJECTS)]} Site"
            if index >= len(DEPARTMENTS) * len(PROJECTS):
                name = f"{name} {index:03d}"
            url = f"https://contoso.sharepoint.com/sites/{name.replace(' ', '')}"
            add(
                catalog,
                url,
                "SharePointOnline",
                name,
                url,
                [(f"{url}#4", "Visitors"), (f"{url}#5", "Members"), (f"{url}#3", "Owners")],
            )
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
            package = {
                "id": self.guid(),
                "catalog": catalog["id"],
                "display_name": name,
                "description": f"Access to the {project} resources for the {department} department ({kind.lower()})",
                "is_hidden": self.rng.random() < 0.05,
                "created_date_time": created,
                "modified_date_time": created,
            }
            packages.append(package)
            for role, scope in self.rng.sample(available, min(len(available), self.rng.randint(1, 3))):
                role_scopes.append(
                    {
                        "id": self.guid(),
                        "access_package": package["id"],
                        "role": role["id"],
                        "scope": scope["id"],
                        "created_date_time": created,
                    }
                )
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
        stage_ids = {
            (s.policy_id, s.stage_number): s.id
            for s in ApprovalStage.select(ApprovalStage.id, ApprovalStage.policy, ApprovalStage.stage_number)
        }
        for approver in approvers:
            approver["stage"] = stage_ids[approver.pop("stage_key")]
        self.insert(ApprovalStageApprover, approvers, "Approvers")

    def _policy_row(self, package, scope, index, configured) -> dict:
        external = scope in (
            "specificConnectedOrganizationUsers",
            "allConfiguredConnectedOrganizationUsers",
            "allExternalUsers",
        )
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
            "id": self.guid(),
            "access_package": package["id"],
            "display_name": name,
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
            "expiration_end_date_time": (
                datetime.combine(self.now.date(), time(), timezone.utc) + timedelta(days=self.rng.randint(30, 200))
            )
            if expiration == "afterDateTime"
            else None,
            "created_date_time": created,
            "modified_date_time": created,
        }

    def _allowed_targets(self, policy, scope, configured) -> list[dict]:
        base = {"policy": policy["id"], "user": None, "group": None, "connected_organization": None}
        if scope == "specificDirectoryUsers":
            rows = [
                {**base, "subject_set_type": "groupMembers", "group": g["id"]}
                for g in self.rng.sample(self.group_rows[len(DEPARTMENTS) :], 2)
            ]
            rows += [
                {**base, "subject_set_type": "singleUser", "user": u["id"]} for u in self.rng.sample(self.members, 3)
            ]
            return rows
        if scope == "specificConnectedOrganizationUsers":
            return [
                {
                    **base,
                    "subject_set_type": "connectedOrganizationMembers",
                    "connected_organization": self.rng.choice(configured)["id"],
                }
            ]
        return []

    def _stages(self, policy, scope, index) -> tuple[list[dict], list[dict]]:
        external = scope in (
            "specificConnectedOrganizationUsers",
            "allConfiguredConnectedOrganizationUsers",
            "allExternalUsers",
        )
        count = 1 + index % 3
        stages, approvers = [], []
        for number in range(1, count + 1):
            stage = {
                "policy": policy["id"],
                "stage_number": number,
                "duration_before_automatic_denial": self.rng.choice(STAGE_TIMEOUTS),
                "is_approver_justification_required": number == count and index % 2 == 0,
                "is_escalation_enabled": False,
                "duration_before_escalation": None,
            }
            stages.append(stage)
            base = {
                "stage_key": (policy["id"], number),
                "is_fallback": False,
                "user": None,
                "group": None,
                "manager_level": 1,
            }
            if number == 1 and external:
                approvers.append({**base, "subject_set_type": "externalSponsors" if index % 2 else "internalSponsors"})
            elif number == 1:
                approvers.append({**base, "subject_set_type": "requestorManager"})
            elif number == 2:
                approvers.append(
                    {**base, "subject_set_type": "groupMembers", "group": self.rng.choice(self.approver_groups)["id"]}
                )
            else:
                approvers.append(
                    {**base, "subject_set_type": "singleUser", "user": self.rng.choice(self.governance_admins)["id"]}
                )
            # Fallback approvers for sets that can resolve to nobody.
            if approvers[-1]["subject_set_type"] in ("requestorManager", "externalSponsors", "internalSponsors"):
                approvers.append(
                    {
                        **base,
                        "subject_set_type": "singleUser",
                        "is_fallback": True,
                        "user": self.rng.choice(self.managers)["id"],
                    }
                )
        return stages, approvers
