"""The access packages list: name, catalog, description, assignment and policy counts.

The counts are correlated subqueries on indexed foreign keys, so a page of 200 packages
costs 400 index lookups whatever the tenant's size.
"""

from peewee import fn

from desktop.lookup import search_key
from desktop.permissions import Action
from desktop.states import ACTIVE_ASSIGNMENT_STATES
from desktop.reports.base import Column, ColumnType, QueryReport, authorize
from models import AccessPackage, Assignment, AssignmentPolicy, Catalog, User
from models.deletion import current
from models.keys import contains, folded

# Assignments that give access now (or are about to): what the admin center counts.


def _assignment_count():
    return Assignment.select(fn.COUNT(Assignment.id)).where(
        (Assignment.access_package == AccessPackage.id)
        & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
        & current(Assignment)
    )


def _policy_count():
    return AssignmentPolicy.select(fn.COUNT(AssignmentPolicy.id)).where(
        (AssignmentPolicy.access_package == AccessPackage.id) & current(AssignmentPolicy)
    )


class AccessPackagesReport(QueryReport):
    """Every access package, optionally narrowed to names or catalogs containing `search`."""

    name = "Access packages"
    graph_type = None
    columns = (
        Column("display_name", "Name"),
        Column("catalog", "Catalog"),
        Column("description", "Description"),
        Column("assignments", "Assignments", ColumnType.NUMBER),
        Column("policies", "Policies", ColumnType.NUMBER),
        Column("is_hidden", "Hidden", ColumnType.BOOLEAN),
        Column("created", "Created", ColumnType.DATETIME),
        Column("modified", "Modified", ColumnType.DATETIME),
        Column("id", "Object ID"),
    )

    def __init__(self, search: str = "", *, actor: User | None = None):
        authorize(actor, Action.VIEW_ACCESS_PACKAGES)
        self.search = search.strip()

    def filters(self) -> list[tuple[str, str]]:
        return [("Name or catalog contains", self.search)] if self.search else []

    def query(self):
        query = (
            AccessPackage.select(
                AccessPackage.id,
                AccessPackage.display_name,
                AccessPackage.description,
                AccessPackage.is_hidden,
                AccessPackage.created_date_time,
                AccessPackage.modified_date_time,
                Catalog.display_name.alias("catalog_name"),
                _assignment_count().alias("assignment_count"),
                _policy_count().alias("policy_count"),
            )
            .join(Catalog, on=AccessPackage.catalog == Catalog.id)
            .where(current(AccessPackage))
            .namedtuples()
        )
        if self.search:
            key = search_key(self.search)
            query = query.where(
                contains(AccessPackage.display_name_key, key) | contains(folded(Catalog.display_name), key)
            )
        return query

    def sort_expressions(self) -> dict:
        return {
            "display_name": AccessPackage.display_name_key,
            "catalog": Catalog.display_name,
            "description": AccessPackage.description,
            "assignments": _assignment_count(),
            "policies": _policy_count(),
            "is_hidden": AccessPackage.is_hidden,
            "created": AccessPackage.created_date_time,
            "modified": AccessPackage.modified_date_time,
            "id": AccessPackage.id,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(AccessPackage.display_name_key, False), (AccessPackage.id, False)]

    def unique_key(self):
        return AccessPackage.id

    def rows(self, records: list) -> list[tuple]:
        return [
            (
                r.display_name,
                r.catalog_name,
                r.description,
                r.assignment_count,
                r.policy_count,
                r.is_hidden,
                r.created_date_time,
                r.modified_date_time,
                r.id,
            )
            for r in records
        ]
