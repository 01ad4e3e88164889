"""The resource roles an access package grants, shared by the user reports."""

from collections import defaultdict
from datetime import datetime

from peewee import fn

from desktop.reports.as_of import as_of
from desktop.reports.base import Column
from models import Resource, ResourceRole, ResourceRoleScope
from models.deletion import current

# Graph originSystem -> the resource type the admin center shows.
RESOURCE_TYPES = {
    "AadGroup": "Group",
    "AadApplication": "Application",
    "SharePointOnline": "SharePoint Online site",
}

ROLE_DETAIL_COLUMNS = (
    Column("resource", "Resource"),
    Column("resource_type", "Resource type"),
    Column("role", "Role"),
)


def resource_type(origin_system: str) -> str:
    return RESOURCE_TYPES.get(origin_system, origin_system)


def role_label(resource_name: str, role_name: str) -> str:
    """How one resource role reads in a joined cell."""
    return f"{resource_name} ({role_name})"


def roles_of_packages(package_ids, moment: datetime | None = None) -> dict[str, list[tuple]]:
    """package id -> its resource roles as (resource, resource type, role) rows, by name
    (at `moment`; None: now)."""
    query = (
        ResourceRoleScope.select(
            ResourceRoleScope.access_package, Resource.display_name, Resource.origin_system, ResourceRole.display_name
        )
        .join(ResourceRole)
        .join(Resource)
        .where(ResourceRoleScope.access_package.in_(list(package_ids)) & current(Resource))
        .order_by(Resource.display_name, ResourceRole.display_name)
        .tuples()
    )
    query = as_of(query, moment)
    roles = defaultdict(list)
    for package_id, resource, origin_system, role in query:
        roles[package_id].append((resource, resource_type(origin_system), role))
    return roles


def first_role_resource(package_field):
    """A correlated subquery: the first resource name among a package's roles (for sorting)."""
    return (
        ResourceRoleScope.select(fn.MIN(Resource.display_name))
        .join(ResourceRole)
        .join(Resource)
        .where((ResourceRoleScope.access_package == package_field) & current(Resource))
    )
