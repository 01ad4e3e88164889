"""Catalogs, their resources (with roles and scopes) and access packages."""

from peewee import BooleanField, CharField, CompositeKey, ForeignKeyField, TextField

from models.base import BaseModel, GraphModel, UtcDateTimeField, new_id
from models.keys import SearchKeyField

ORIGIN_SYSTEMS = ("AadGroup", "AadApplication", "SharePointOnline")


class Catalog(GraphModel):
    """Graph `accessPackageCatalog`."""

    display_name = CharField(max_length=256, index=True)
    description = TextField(null=True)
    catalog_type = CharField(max_length=16, default="userManaged")  # userManaged | serviceDefault | serviceManaged
    state = CharField(max_length=16, default="published")  # published | unpublished
    is_externally_visible = BooleanField(default=False)
    created_date_time = UtcDateTimeField(null=True)
    modified_date_time = UtcDateTimeField(null=True)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)


class Resource(GraphModel):
    """Graph `accessPackageResource`: a group, an application or a SharePoint site in a catalog.

    `origin_id` is the object's id in its own system (the group or service principal id, the
    site URL); for an application it matches `Application.id`.
    """

    catalog = ForeignKeyField(Catalog, backref="resources", on_delete="CASCADE")
    origin_id = CharField(max_length=512, index=True)
    origin_system = CharField(max_length=32)
    display_name = CharField(max_length=256)
    description = TextField(null=True)
    url = CharField(max_length=1024, null=True)
    created_date_time = UtcDateTimeField(null=True)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)


class ResourceRole(GraphModel):
    """Graph `accessPackageResourceRole`: Member/Owner of a group, an app role, a site role."""

    resource = ForeignKeyField(Resource, backref="roles", on_delete="CASCADE")
    origin_id = CharField(max_length=512)
    origin_system = CharField(max_length=32)
    display_name = CharField(max_length=256)
    description = TextField(null=True)


class ResourceScope(GraphModel):
    """Graph `accessPackageResourceScope`; most resources have one root scope."""

    resource = ForeignKeyField(Resource, backref="scopes", on_delete="CASCADE")
    origin_id = CharField(max_length=512)
    origin_system = CharField(max_length=32)
    display_name = CharField(max_length=256, null=True)
    is_root_scope = BooleanField(default=True)


class AccessPackage(GraphModel):
    """Graph `accessPackage`."""

    catalog = ForeignKeyField(Catalog, backref="access_packages", on_delete="CASCADE")
    display_name = CharField(max_length=256)
    display_name_key = SearchKeyField("display_name", max_length=256, index=True)
    description = TextField(null=True)
    is_hidden = BooleanField(default=False)
    created_date_time = UtcDateTimeField(null=True)
    modified_date_time = UtcDateTimeField(null=True)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)


class ResourceRoleScope(GraphModel):
    """Graph `accessPackageResourceRoleScope`: one resource role an access package grants.

    Graph's id (`<roleId>_<scopeId>`) is unique only within its access package, so the row's
    id is `<accessPackageId>:<Graph id>`."""

    id = CharField(max_length=160, primary_key=True, default=new_id)
    access_package = ForeignKeyField(AccessPackage, backref="resource_role_scopes", on_delete="CASCADE", index=False)
    role = ForeignKeyField(ResourceRole, backref="role_scopes", on_delete="CASCADE")
    scope = ForeignKeyField(ResourceScope, backref="role_scopes", on_delete="CASCADE")
    created_date_time = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("access_package", "role", "scope"), True),)


class IncompatibleAccessPackage(BaseModel):
    """Separation of duties: holding `incompatible_with` blocks `access_package`, and back."""

    access_package = ForeignKeyField(AccessPackage, backref="incompatibilities", on_delete="CASCADE", index=False)
    incompatible_with = ForeignKeyField(AccessPackage, backref="incompatible_from", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("access_package", "incompatible_with")
        indexes = ((("incompatible_with",), False),)
