"""Report 3: the resource roles a user holds through entitlement management.

Flat (one row per access package and policy) for the paged table and the exports; `tree()`
groups resource → role → the packages that give it: a resource reached through two or more
packages is one parent row ("2 roles", "3 packages"); under it a row per role, and under a
role given by two or more packages a row per package (and policy). A resource holding one role
is that role's row: its package rows sit right under it.
"""

from datetime import datetime
from itertools import groupby

from desktop.permissions import Action
from desktop.reports.base import Column, ColumnType, QueryReport, TreeNode, authorize, joined
from desktop.reports.package_roles import resource_type
from models import (
    AccessPackage,
    Assignment,
    AssignmentPolicy,
    Resource,
    ResourceRole,
    ResourceRoleAssignment,
    User,
)
from models.deletion import current

REMOVED = "Removed"


class ResourceAssignmentsReport(QueryReport):
    """The resource roles `user` holds (every status but Removed) now or at `as_of`, with the
    package and policy each came from."""

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

    def __init__(self, user: User, *, actor: User | None = None, as_of: datetime | None = None):
        authorize(actor, Action.VIEW_REPORTS)
        self.user = user
        self.as_of = as_of

    def filters(self) -> list[tuple[str, str]]:
        return [("User", self.user.label)] + self.as_of_filter()

    def query(self):
        return (
            ResourceRoleAssignment.select(
                ResourceRoleAssignment.id,
                ResourceRoleAssignment.status,
                Resource.id.alias("resource_id"),
                Resource.display_name.alias("resource_name"),
                Resource.origin_system,
                ResourceRole.id.alias("role_id"),
                ResourceRole.display_name.alias("role_name"),
                AccessPackage.display_name.alias("package_name"),
                AssignmentPolicy.display_name.alias("policy_name"),
                Assignment.schedule_start,
                Assignment.schedule_end,
            )
            .join(ResourceRole, on=ResourceRoleAssignment.role == ResourceRole.id)
            .join(Resource, on=ResourceRole.resource == Resource.id)
            .switch(ResourceRoleAssignment)
            .join(Assignment, on=ResourceRoleAssignment.assignment == Assignment.id)
            .join(AccessPackage, on=Assignment.access_package == AccessPackage.id)
            .switch(Assignment)
            .join(AssignmentPolicy, on=Assignment.assignment_policy == AssignmentPolicy.id)
            .where(
                (ResourceRoleAssignment.target == self.user.id)
                & (ResourceRoleAssignment.status != REMOVED)
                & current(Assignment)
                & current(AccessPackage)
                & current(Resource)
            )
            .namedtuples()
        )

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
        return [
            (Resource.display_name, False),
            (Resource.id, False),
            (ResourceRole.display_name, False),
            (ResourceRole.id, False),
            (AccessPackage.display_name_key, False),
            (ResourceRoleAssignment.id, False),
        ]

    def unique_key(self):
        return ResourceRoleAssignment.id

    def rows(self, records: list) -> list[tuple]:
        return [
            (
                r.resource_name,
                resource_type(r.origin_system),
                r.role_name,
                r.package_name,
                r.policy_name,
                r.schedule_start,
                r.schedule_end,
                r.status,
            )
            for r in records
        ]

    def tree(self) -> list[TreeNode]:
        """One node per resource, one per role under it, one per package (and policy) under a
        role; see the module's docstring for when a level is left out."""
        records = list(self._ordered(self.default_order()))
        nodes = []
        for _, resource_records in groupby(records, key=lambda r: r.resource_id):
            roles = [
                grouped(self.rows(list(role_records)))
                for _, role_records in groupby(resource_records, key=lambda r: r.role_id)
            ]
            if len(roles) == 1:
                nodes.append(roles[0])
            else:
                nodes.append(TreeNode(summary([row for role in roles for row in role.leaves()]), tuple(roles)))
        return nodes


def grouped(rows: list[tuple]) -> TreeNode:
    """The rows of one role: the row itself when there is one, else a parent that sums them up."""
    if len(rows) == 1:
        return TreeNode(rows[0])
    return TreeNode(summary(rows), tuple(TreeNode(row) for row in rows))


def summary(rows: list[tuple]) -> tuple:
    """A parent row over `rows`: the value they share or how many there are ("3 packages"), the
    earliest start, the latest end (none when any has none), every status."""
    starts = [row[5] for row in rows if row[5] is not None]
    ends = [row[6] for row in rows]
    return (
        *rows[0][:2],
        counted((row[2] for row in rows), "role", "roles"),
        counted((row[3] for row in rows), "package", "packages"),
        counted((row[4] for row in rows), "policy", "policies"),
        min(starts) if starts else None,
        None if None in ends else max(ends),
        joined(dict.fromkeys(row[7] for row in rows)),
    )


def counted(values, singular: str, plural: str) -> str:
    """The one value all rows share, else how many different ones there are ("3 packages")."""
    distinct = list(dict.fromkeys(value for value in values if value))
    if len(distinct) == 1:
        return distinct[0]
    return f"{len(distinct)} {singular if len(distinct) == 1 else plural}"
