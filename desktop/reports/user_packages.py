"""Report 2: access packages for a user, as two tabs: "Can request" and "Assigned"."""

from collections import defaultdict
from datetime import datetime

from peewee import Case, fn

from desktop.eligibility import requestable_policies
from desktop.permissions import Action
from desktop.reports.as_of import as_of
from desktop.reports.base import Column, ColumnType, QueryReport, authorize, joined
from desktop.states import ACTIVE_ASSIGNMENT_STATES
from desktop.reports.package_roles import (
    ROLE_DETAIL_COLUMNS,
    first_role_resource,
    role_label,
    roles_of_packages,
)
from models import AccessPackage, Assignment, AssignmentPolicy, Catalog, User
from models.deletion import current
from models.subqueries import in_subquery

POLICY_DETAIL_COLUMNS = (
    Column("policy", "Policy"),
    Column("approval_required", "Approval required", ColumnType.BOOLEAN),
    Column("policy_id", "Policy ID"),
)


class CanRequestReport(QueryReport):
    """The access packages `user` can request now (or could at `as_of`), one row per package,
    with the policies that let them (several joined by "; ")."""

    name = "Can request"
    columns = (
        Column("access_package", "Access package"),
        Column("catalog", "Catalog"),
        Column("description", "Description"),
        Column("policies", "Policies"),
        Column("approval_required", "Approval required", ColumnType.BOOLEAN),
        Column("resource_roles", "Resource roles"),
        Column("access_package_id", "Access package ID"),
    )
    detail_columns = {"policies": POLICY_DETAIL_COLUMNS, "resource_roles": ROLE_DETAIL_COLUMNS}
    # The outer package table has its own alias so the per-package subqueries can refer to it.
    _package = AccessPackage.alias("requested_package")

    def __init__(self, user: User, *, actor: User | None = None, as_of: datetime | None = None):
        authorize(actor, Action.VIEW_REPORTS)
        self.user = user
        self.as_of = as_of
        self._policies_as_of = None

    def filters(self) -> list[tuple[str, str]]:
        return [("User", self.user.label)] + self.as_of_filter()

    def _policies(self):
        """The policies the user can (at `as_of`: could) request, unordered. At a moment the query
        names the tables `as_of` puts that moment's rows under: it runs inside the report's own
        query, or through `as_of`."""
        if self.as_of is None:
            return requestable_policies(self.user).order_by()
        # The user and organization as they were at a past moment do not change: looked up once.
        if self._policies_as_of is None:
            self._policies_as_of = requestable_policies(self.user, self.as_of).order_by()
        return self._policies_as_of.clone()

    def query(self):
        package = self._package
        return (
            package.select(
                package.id, package.display_name, package.description, Catalog.display_name.alias("catalog_name")
            )
            .join(Catalog, on=package.catalog == Catalog.id)
            .where(in_subquery(package.id, self._policies().select(AssignmentPolicy.access_package)))
            .namedtuples()
        )

    def sort_expressions(self) -> dict:
        package = self._package
        of_package = AssignmentPolicy.access_package == package.id
        return {
            "access_package": package.display_name_key,
            "catalog": Catalog.display_name,
            "description": package.description,
            "policies": self._policies().select(fn.MIN(AssignmentPolicy.display_name)).where(of_package),
            # MIN over 0/1, not over the boolean: PostgreSQL has no MIN(boolean).
            "approval_required": self._policies()
            .select(fn.MIN(Case(None, [(AssignmentPolicy.is_approval_required_for_add, 1)], 0)))
            .where(of_package),
            "resource_roles": first_role_resource(package.id),
            "access_package_id": package.id,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(self._package.display_name_key, False), (self._package.id, False)]

    def unique_key(self):
        return self._package.id

    def rows(self, records: list) -> list[tuple]:
        ids = [r.id for r in records]
        policies = self._policies_of(ids)
        roles = roles_of_packages(ids, self.as_of)
        return [
            (
                r.display_name,
                r.catalog_name,
                r.description,
                joined(name for name, _, _ in policies[r.id]),
                all(required for _, required, _ in policies[r.id]),
                joined(role_label(resource, role) for resource, _, role in roles[r.id]),
                r.id,
            )
            for r in records
        ]

    def details(self, row: tuple, column_key: str) -> list[tuple]:
        package_id = row[self.column_index("access_package_id")]
        if column_key == "policies":
            return self._policies_of([package_id])[package_id]
        if column_key == "resource_roles":
            return roles_of_packages([package_id], self.as_of)[package_id]
        raise KeyError(column_key)

    def _policies_of(self, package_ids) -> dict[str, list[tuple]]:
        """package id -> (policy, approval required, policy id) of the policies the user can use."""
        query = (
            self._policies()
            .select(
                AssignmentPolicy.access_package,
                AssignmentPolicy.display_name,
                AssignmentPolicy.is_approval_required_for_add,
                AssignmentPolicy.id,
            )
            .where(AssignmentPolicy.access_package.in_(package_ids))
            .order_by(AssignmentPolicy.display_name, AssignmentPolicy.id)
            .tuples()
        )
        policies = defaultdict(list)
        for package_id, name, required, policy_id in as_of(query, self.as_of):
            policies[package_id].append((name, required, policy_id))
        return policies


class AssignedPackagesReport(QueryReport):
    """The access packages assigned to `user` now (or at `as_of`), one row per assignment."""

    name = "Assigned"
    columns = (
        Column("access_package", "Access package"),
        Column("catalog", "Catalog"),
        Column("policy", "Policy"),
        Column("state", "State"),
        Column("start", "Start", ColumnType.DATETIME),
        Column("end", "End", ColumnType.DATETIME),
        Column("resource_roles", "Resource roles"),
        Column("assignment_id", "Assignment ID"),
        Column("access_package_id", "Access package ID"),
    )
    detail_columns = {"resource_roles": ROLE_DETAIL_COLUMNS}

    def __init__(self, user: User, *, actor: User | None = None, as_of: datetime | None = None):
        authorize(actor, Action.VIEW_REPORTS)
        self.user = user
        self.as_of = as_of

    def filters(self) -> list[tuple[str, str]]:
        return [("User", self.user.label)] + self.as_of_filter()

    def query(self):
        return (
            Assignment.select(
                Assignment.id,
                Assignment.state,
                Assignment.schedule_start,
                Assignment.schedule_end,
                AccessPackage.id.alias("package_id"),
                AccessPackage.display_name.alias("package_name"),
                Catalog.display_name.alias("catalog_name"),
                AssignmentPolicy.display_name.alias("policy_name"),
            )
            .join(AccessPackage, on=Assignment.access_package == AccessPackage.id)
            .join(Catalog, on=AccessPackage.catalog == Catalog.id)
            .switch(Assignment)
            .join(AssignmentPolicy, on=Assignment.assignment_policy == AssignmentPolicy.id)
            .where(
                (Assignment.target == self.user.id)
                & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
                & current(Assignment)
                & current(AccessPackage)
            )
            .namedtuples()
        )

    def sort_expressions(self) -> dict:
        return {
            "access_package": AccessPackage.display_name_key,
            "catalog": Catalog.display_name,
            "policy": AssignmentPolicy.display_name,
            "state": Assignment.state,
            "start": Assignment.schedule_start,
            "end": Assignment.schedule_end,
            "resource_roles": first_role_resource(AccessPackage.id),
            "assignment_id": Assignment.id,
            "access_package_id": AccessPackage.id,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(AccessPackage.display_name_key, False), (Assignment.id, False)]

    def unique_key(self):
        return Assignment.id

    def rows(self, records: list) -> list[tuple]:
        roles = roles_of_packages({r.package_id for r in records}, self.as_of)
        return [
            (
                r.package_name,
                r.catalog_name,
                r.policy_name,
                r.state,
                r.schedule_start,
                r.schedule_end,
                joined(role_label(resource, role) for resource, _, role in roles[r.package_id]),
                r.id,
                r.package_id,
            )
            for r in records
        ]

    def details(self, row: tuple, column_key: str) -> list[tuple]:
        if column_key != "resource_roles":
            raise KeyError(column_key)
        package_id = row[self.column_index("access_package_id")]
        return roles_of_packages([package_id], self.as_of)[package_id]


def user_package_reports(user: User, *, actor: User | None = None, as_of: datetime | None = None) -> list[QueryReport]:
    """Both tabs of "Access packages for a user", in the admin center's order, now or at `as_of`."""
    return [CanRequestReport(user, actor=actor, as_of=as_of), AssignedPackagesReport(user, actor=actor, as_of=as_of)]
