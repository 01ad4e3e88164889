"""Report 3: the resource roles a user holds through entitlement management.

Flat (one row per access package and policy) for the paged table and the exports; `tree()`
groups a resource role reached through two or more packages under one parent row.
"""
from itertools import groupby

from desktop.permissions import Action
from desktop.reports.base import Column, ColumnType, QueryReport, TreeNode, authorize, joined
from desktop.reports.package_roles import resource_type
from models import (
    AccessPackage, Assignment, AssignmentPolicy, Resource, ResourceRole, ResourceRoleAssignment, User,
)
from models.deletion import current

REMOVED = "Removed"


class ResourceAssignmentsReport(QueryReport):
    """The resource roles `user` holds (every status but Removed), with the package and
    policy each came from."""

    name = "Resource assignments"
    columns = (
        Column("resource", "Resource"),
        Column("resource_type", "Resource type"),
        Column("role", "Role"),
        Column("access_package", "Access package"),
        Column("policy", "Policy"),
        Column("start", "Start", ColumnType.DATETIME),
        Column("end", "End", ColumnType.DATETIME),
        Column("status", "Status"),
    )

    def __init__(self, user: User, *, actor: User | None = None):
        authorize(actor, Action.VIEW_REPORTS)
        self.user = user

    def filters(self) -> list[tuple[str, str]]:
        return [("User", self.user.label)]

    def query(self):
        return (ResourceRoleAssignment
                .select(ResourceRoleAssignment.id, ResourceRoleAssignment.status,
                        Resource.id.alias("resource_id"), Resource.display_name.alias("resource_name"),
                        Resource.origin_system, ResourceRole.id.alias("role_id"),
                        ResourceRole.display_name.alias("role_name"),
                        AccessPackage.display_name.alias("package_name"),
                        AssignmentPolicy.display_name.alias("policy_name"),
                        Assignment.schedule_start, Assignment.schedule_end)
                .join(ResourceRole, on=ResourceRoleAssignment.role == ResourceRole.id)
                .join(Resource, on=ResourceRole.resource == Resource.id)
                .switch(ResourceRoleAssignment)
                .join(Assignment, on=ResourceRoleAssignment.assignment == Assignment.id)
                .join(AccessPackage, on=Assignment.access_package == AccessPackage.id)
                .switch(Assignment)
                .join(AssignmentPolicy, on=Assignment.assignment_policy == AssignmentPolicy.id)
                .where((ResourceRoleAssignment.target == self.user.id)
                       & (ResourceRoleAssignment.status != REMOVED)
                       & current(Assignment) & current(AccessPackage) & current(Resource))
                .namedtuples())

    def sort_expressions(self) -> dict:
        return {
            "resource": Resource.display_name,
            "resource_type": Resource.origin_system,
            "role": ResourceRole.display_name,
            "access_package": AccessPackage.display_name_key,
            "policy": AssignmentPolicy.display_name,
            "start": Assignment.schedule_start,
            "end": Assignment.schedule_end,
            "status": ResourceRoleAssignment.status,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(Resource.display_name, False), (Resource.id, False), (ResourceRole.display_name, False),
                (ResourceRole.id, False), (AccessPackage.display_name_key, False),
                (ResourceRoleAssignment.id, False)]

    def unique_key(self):
        return ResourceRoleAssignment.id

    def rows(self, records: list) -> list[tuple]:
        return [(r.resource_name, resource_type(r.origin_system), r.role_name, r.package_name,
                 r.policy_name, r.schedule_start, r.schedule_end, r.status) for r in records]

    def tree(self) -> list[TreeNode]:
        """One node per resource role; one reached through several packages or policies has
        a child row for each and a parent row joining their packages and policies (earliest
        start, latest end, no end when any has none)."""
        records = list(self._ordered(self.default_order()))
        nodes = []
        for _, group in groupby(records, key=lambda r: (r.resource_id, r.role_id)):
            children = self.rows(list(group))
            if len(children) == 1:
                nodes.append(TreeNode(children[0]))
                continue
            starts = [row[5] for row in children if row[5] is not None]
            ends = [row[6] for row in children]
            parent = (*children[0][:3],
                      joined(row[3] for row in children),
                      joined(row[4] for row in children),
                      min(starts) if starts else None,
                      None if None in ends else max(ends),
                      joined(dict.fromkeys(row[7] for row in children)))
            nodes.append(TreeNode(parent, tuple(children)))
        return nodes
