"""Writing catalogs, their resources (roles, scopes) and access packages with their role scopes."""

import uuid

from desktop.importers import kinds
from desktop.importers.fields import (
    RESOURCE_FIELDS,
    ROLE_FIELDS,
    SCOPE_FIELDS,
    UNKNOWN_CATALOG_ID,
    UNKNOWN_CATALOG_NAME,
    catalog_row,
    fields_of,
    inside,
    package_row,
)
from desktop.importers.upsert import changed
from desktop.importers.summary import UNCHANGED
from desktop.importers.values import FieldError, graph_id, guid, listing, nested, present, raw, text, timestamp
from models import (
    AccessPackage,
    Catalog,
    IncompatibleAccessPackage,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    ResourceScope,
)


# Ids of the resources stood in for by the origin a role scope names (stable, so a second
# import finds the same row).
STAND_IN_RESOURCES = uuid.UUID("2d6f0b8e-4c1a-4e7b-9a53-8f1e2c3d4b5a")


class CatalogWriter:
    """The catalog family of GraphWriter (a mixin over UpsertEngine)."""

    def _catalog(self, record: dict, context, pk: str) -> str:
        return self._upsert(Catalog, catalog_row(record, pk), defaults={"display_name": pk})

    def _catalog_of(self, record: dict, context: str | None = None) -> str | None:
        """The catalog a record names: `catalog` expanded, `catalogId`, or the page's context."""
        if "catalog" in record:
            with inside("catalog"):
                catalog = nested(record, "catalog")
                if catalog is not None:
                    pk = guid(catalog, "id", required=True)
                    return self._stand_in(Catalog, {"display_name": pk, **catalog_row(catalog, pk)})
        pk = guid(record, "catalogId", "accessPackageCatalogId") or kinds.context_catalog(context)
        return self._stand_in(Catalog, {"id": pk, "display_name": pk}) if pk else None

    def _resource(self, record: dict, context, pk: str) -> str:
        row = {"id": pk, **fields_of(Resource, record, RESOURCE_FIELDS)}
        catalog = self._catalog_of(record, context)
        if catalog:
            row["catalog"] = catalog
        elif not self._exists(Resource, pk):  # listed outside a `catalogs('…')/resources` context
            row["catalog"] = self._unknown_catalog()
        for column, field in (("origin_id", "originId"), ("origin_system", "originSystem")):
            if field in record:
                row[column] = text(record, field, required=True)
        if "origin_system" not in row:
            # Some answers leave it out of the resource; its roles and scopes still carry it.
            derived = _origin_system_of_parts(record)
            if derived:
                row["origin_system"] = derived
        outcome = self._upsert(
            Resource,
            row,
            defaults={"display_name": row.get("origin_id")},
            required={"catalog": "catalog", "origin_id": "originId", "origin_system": "originSystem"},
        )
        resource = Resource.get_by_id(pk)
        parts_changed = False
        for field, model, spec in (("roles", ResourceRole, ROLE_FIELDS), ("scopes", ResourceScope, SCOPE_FIELDS)):
            for position, item in enumerate(listing(record, field) or []):
                with inside(f"{field}[{position}]"):
                    parts_changed |= self._resource_part(model, spec, item, resource) != UNCHANGED
        return changed(outcome, parts_changed)

    def _resource_part(self, model, spec, data: dict, resource: Resource) -> str:
        """Upsert a role or scope of `resource`."""
        pk = guid(data, "id", required=True)
        row = {"id": pk, "resource": resource.id, **fields_of(model, data, spec)}
        for column, field in (("origin_id", "originId"), ("origin_system", "originSystem")):
            if raw(data, field) is not None:
                row[column] = text(data, field)
        return self._upsert(
            model,
            row,
            defaults={"origin_system": resource.origin_system, "display_name": row.get("origin_id")},
            required={"origin_id": "originId"},
        )

    # --- access packages and policies ---------------------------------------------------

    def _access_package(self, record: dict, context, pk: str) -> str:
        row = package_row(record, pk)
        catalog = self._catalog_of(record)
        if catalog:
            row["catalog"] = catalog
        elif not self._exists(AccessPackage, pk):
            row["catalog"] = self._unknown_catalog()
        outcome = self._upsert(AccessPackage, row, defaults={"display_name": pk, "display_name_key": pk})
        policies = listing(record, "assignmentPolicies", "accessPackageAssignmentPolicies") or []
        for position, policy in enumerate(policies):
            with inside(f"assignmentPolicies[{position}]"):
                policy_id = guid(policy, "id", required=True)
                self.summary.count(kinds.POLICY, self._policy(policy, None, policy_id, package_id=pk))
        if present(record, "resourceRoleScopes", "accessPackageResourceRoleScopes"):
            outcome = changed(outcome, self._role_scopes(record, pk, row.get("catalog")))
        if "incompatibleAccessPackages" in record:
            wanted = set()
            for position, other in enumerate(listing(record, "incompatibleAccessPackages") or []):
                with inside(f"incompatibleAccessPackages[{position}]"):
                    wanted.add(self._package_stand_in(other))
            outcome = changed(
                outcome,
                self._replace_links(
                    IncompatibleAccessPackage.access_package, pk, IncompatibleAccessPackage.incompatible_with, wanted
                ),
            )
        return outcome

    def _unknown_catalog(self) -> str:
        return self._stand_in(
            Catalog,
            {
                "id": UNKNOWN_CATALOG_ID,
                "display_name": UNKNOWN_CATALOG_NAME,
                "description": "Holds access packages imported without their catalog.",
            },
        )

    def _package_stand_in(self, data: dict) -> str:
        pk = guid(data, "id", required=True)
        if self._exists(AccessPackage, pk):
            return pk
        row = {"display_name": pk, "display_name_key": pk, **package_row(data, pk)}
        row["catalog"] = self._catalog_of(data) or self._unknown_catalog()
        return self._stand_in(AccessPackage, row)

    def _role_scopes(self, record: dict, package_id: str, catalog_id: str | None) -> bool:
        """Replace the package's resource role scopes; True when they changed."""
        field = present(record, "resourceRoleScopes", "accessPackageResourceRoleScopes")
        catalog_id = catalog_id or AccessPackage.get_by_id(package_id).catalog_id
        wanted = {}
        for position, item in enumerate(listing(record, field) or []):
            with inside(f"{field}[{position}]"):
                pk = f"{package_id}:{graph_id(item, 'id', required=True)}"
                role = nested(item, "role", "accessPackageResourceRole")
                scope = nested(item, "scope", "accessPackageResourceScope")
                if role is None:
                    raise FieldError("role", "is missing (list with $expand=resourceRoleScopes($expand=role,scope))")
                if scope is None:
                    raise FieldError("scope", "is missing (list with $expand=resourceRoleScopes($expand=role,scope))")
                resource = self._resource_for(role, scope, catalog_id)
                with inside("role"):
                    role_id = guid(role, "id", required=True)
                    self._resource_part(ResourceRole, ROLE_FIELDS, role, resource)
                with inside("scope"):
                    scope_id = guid(scope, "id", required=True)
                    self._resource_part(ResourceScope, SCOPE_FIELDS, scope, resource)
                wanted[pk] = {
                    "id": pk,
                    "access_package": package_id,
                    "role": role_id,
                    "scope": scope_id,
                    "created_date_time": timestamp(item, "createdDateTime"),
                }
        stored = {
            row["id"]: row
            for row in ResourceRoleScope.select().where(ResourceRoleScope.access_package == package_id).dicts()
        }
        if stored == wanted:
            return False
        ResourceRoleScope.delete().where(ResourceRoleScope.access_package == package_id).execute()
        if wanted:
            ResourceRoleScope.insert_many(list(wanted.values())).execute()
        return True

    def _resource_for(self, role: dict, scope: dict, catalog_id: str) -> Resource:
        """The resource a role and scope belong to: expanded, known by role id, or the catalog's
        resource with the scope's origin."""
        for field, data in (("role", role), ("scope", scope)):
            with inside(f"{field}.resource"):
                expanded = nested(data, "resource", "accessPackageResource")
                if expanded is not None:
                    resource = Resource.get_or_none(Resource.id == guid(expanded, "id", required=True))
                    if resource is not None:
                        return resource
        role_id = raw(role, "id")
        if isinstance(role_id, str):
            known = ResourceRole.get_or_none(ResourceRole.id == role_id.lower())
            if known is not None:
                return known.resource
        origin = raw(scope, "originId")
        resource = Resource.get_or_none((Resource.catalog == catalog_id) & (Resource.origin_id == origin))
        if resource is None:
            resource = Resource.get_or_none(Resource.origin_id == origin)
        system = raw(scope, "originSystem") or raw(role, "originSystem")
        if resource is None and isinstance(origin, str) and origin and isinstance(system, str) and system:
            # The scope names its resource by origin: a stand-in until the catalog's resources come.
            pk = str(uuid.uuid5(STAND_IN_RESOURCES, f"{catalog_id}|{origin}"))
            self._stand_in(
                Resource,
                {
                    "id": pk,
                    "catalog": catalog_id,
                    "origin_id": origin,
                    "origin_system": system,
                    "display_name": raw(scope, "displayName") if origin.startswith("http") else origin,
                },
            )
            resource = Resource.get_by_id(pk)
        if resource is None:
            raise FieldError(
                "role",
                "belongs to a resource that is neither in the import nor in the database "
                "(import the catalog's resources with their roles and scopes)",
            )
        return resource


def _origin_system_of_parts(record: dict) -> str | None:
    """The originSystem the first of a resource's roles or scopes names."""
    for field in ("roles", "scopes"):
        parts = record.get(field)
        for part in parts if isinstance(parts, list) else ():
            if isinstance(part, dict) and isinstance(part.get("originSystem"), str) and part["originSystem"]:
                return part["originSystem"]
    return None
