"""Directory objects: connected organizations, users, groups, directory roles, applications
and app roles."""

from peewee import BooleanField, CharField, CompositeKey, ForeignKeyField, TextField

from models.base import BaseModel, GraphModel, GuidField, JSONField, UtcDateTimeField, new_id
from models.keys import SearchKeyField

CONNECTED_ORGANIZATION_STATES = ("configured", "proposed")


class ConnectedOrganization(GraphModel):
    """Graph `connectedOrganization`.

    `identity_sources` keeps Graph's list as is: objects with `@odata.type`
    `#microsoft.graph.azureActiveDirectoryTenant` (tenantId, displayName),
    `#microsoft.graph.domainIdentitySource` (domainName, displayName),
    `#microsoft.graph.externalDomainFederation` or `#microsoft.graph.crossCloudAzureActiveDirectoryTenant`.
    """

    display_name = CharField(max_length=256, index=True)
    description = TextField(null=True)
    state = CharField(max_length=16, default="configured")
    identity_sources = JSONField(default=list)
    created_by = CharField(max_length=320, null=True)
    created_date_time = UtcDateTimeField(null=True)
    modified_by = CharField(max_length=320, null=True)
    modified_date_time = UtcDateTimeField(null=True)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)


class User(GraphModel):
    """A directory user (Graph `user`; as a requestor or target, an `accessPackageSubject`).

    The `*_key` columns hold the search keys (models.keys, filled by the model): indexed
    prefix ranges on them give case-insensitive search that is fast on SQLite and PostgreSQL
    alike.
    """

    # Graph leaves it out under `$select`, in delta and member-cast answers and for some guests.
    user_principal_name = CharField(max_length=320, null=True)
    upn_key = SearchKeyField("user_principal_name", max_length=320, null=True, unique=True)
    display_name = CharField(max_length=256)
    display_name_key = SearchKeyField("display_name", max_length=256, index=True)
    mail = CharField(max_length=320, null=True)
    mail_key = SearchKeyField("mail", max_length=320, null=True, index=True)
    given_name = CharField(max_length=64, null=True)
    surname = CharField(max_length=64, null=True)
    user_type = CharField(max_length=16, default="Member")  # Graph: Member | Guest
    department = CharField(max_length=64, null=True)
    job_title = CharField(max_length=128, null=True)
    company_name = CharField(max_length=64, null=True)
    account_enabled = BooleanField(default=True)
    manager = ForeignKeyField("self", null=True, backref="reports", on_delete="SET NULL")
    # Set for guests who came in through a connected organization (accessPackageSubject).
    connected_organization = ForeignKeyField(ConnectedOrganization, null=True, backref="users", on_delete="SET NULL")
    created_date_time = UtcDateTimeField(null=True)
    # True when the row only stands in for an object referenced by imported data.
    is_reference = BooleanField(default=False)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)

    @property
    def principal_name(self) -> str:
        """The name the user signs in with, for one-word mentions: the UPN, else the mail, else
        the display name; never blank."""
        return self.user_principal_name or self.mail or self.display_name

    @property
    def label(self) -> str:
        """The display name and, in brackets, the UPN (else the mail) when there is one."""
        other = self.user_principal_name or self.mail
        return f"{self.display_name} ({other})" if other and other != self.display_name else self.display_name


class Group(GraphModel):
    display_name = CharField(max_length=256)
    display_name_key = SearchKeyField("display_name", max_length=256, index=True)
    description = TextField(null=True)
    mail = CharField(max_length=320, null=True)
    security_enabled = BooleanField(default=True)
    mail_enabled = BooleanField(default=False)
    group_types = JSONField(default=list)
    created_date_time = UtcDateTimeField(null=True)
    is_reference = BooleanField(default=False)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)


class GroupMember(BaseModel):
    group = ForeignKeyField(Group, backref="memberships", on_delete="CASCADE", index=False)
    member = ForeignKeyField(User, backref="group_memberships", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("group", "member")
        indexes = ((("member",), False),)


class DirectoryRole(GraphModel):
    """An activated directory role; `role_template_id` is the same in every tenant."""

    display_name = CharField(max_length=128, unique=True)
    role_template_id = GuidField(unique=True)
    description = TextField(null=True)


class DirectoryRoleAssignment(BaseModel):
    role = ForeignKeyField(DirectoryRole, backref="assignments", on_delete="CASCADE", index=False)
    principal = ForeignKeyField(User, backref="directory_roles", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("role", "principal")
        indexes = ((("principal",), False),)


class Application(GraphModel):
    """An enterprise application; `id` is its service principal's object id."""

    app_id = GuidField(index=True)
    display_name = CharField(max_length=256, index=True)
    is_reference = BooleanField(default=False)


class AppRole(GraphModel):
    application = ForeignKeyField(Application, backref="app_roles", on_delete="CASCADE")
    display_name = CharField(max_length=256)
    value = CharField(max_length=256, null=True)
    description = TextField(null=True)


class AppRoleAssignment(GraphModel):
    """The directory side of an application role: a user holds an app role. Graph's ids of
    these are text (`41W1zT6z1U-kJxf62svfp1HFE8pMZhxDun-ThPczmJE`), not GUIDs."""

    id = CharField(max_length=128, primary_key=True, default=new_id)
    principal = ForeignKeyField(User, backref="app_role_assignments", on_delete="CASCADE", index=False)
    application = ForeignKeyField(Application, backref="role_assignments", on_delete="CASCADE")
    app_role = ForeignKeyField(AppRole, null=True, on_delete="SET NULL")
    created_date_time = UtcDateTimeField()

    class Meta:
        indexes = ((("principal", "application", "app_role"), True),)
