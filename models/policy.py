"""Assignment policies: who may request, how long access lasts, and the approval stages."""

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from models.base import BaseModel, GraphModel, UtcDateTimeField
from models.catalog import AccessPackage
from models.directory import ConnectedOrganization, Group, User

# Graph `allowedTargetScope` values.
ALLOWED_TARGET_SCOPES = (
    "notSpecified",
    "specificDirectoryUsers",
    "specificConnectedOrganizationUsers",
    "specificDirectoryServicePrincipals",
    "allMemberUsers",
    "allDirectoryUsers",
    "allDirectoryServicePrincipals",
    "allConfiguredConnectedOrganizationUsers",
    "allExternalUsers",
)
# Graph `expirationPatternType` values.
EXPIRATION_TYPES = ("notSpecified", "noExpiration", "afterDateTime", "afterDuration")
# Graph `subjectSet` types (the `@odata.type` without the namespace).
SUBJECT_SET_TYPES = (
    "singleUser",
    "groupMembers",
    "connectedOrganizationMembers",
    "requestorManager",
    "internalSponsors",
    "externalSponsors",
    "allInternalUsers",
)


class AssignmentPolicy(GraphModel):
    """Graph `accessPackageAssignmentPolicy` (requestorSettings, requestApprovalSettings and
    expiration flattened into columns; approval stages and allowed targets in their own tables)."""

    access_package = ForeignKeyField(AccessPackage, backref="policies", on_delete="CASCADE")
    display_name = CharField(max_length=256)
    description = TextField(null=True)
    allowed_target_scope = CharField(max_length=48, default="notSpecified")
    # requestorSettings
    enable_targets_to_self_add_access = BooleanField(default=True)
    enable_targets_to_self_update_access = BooleanField(default=False)
    enable_targets_to_self_remove_access = BooleanField(default=True)
    allow_custom_assignment_schedule = BooleanField(default=False)
    enable_on_behalf_requestors_to_add_access = BooleanField(default=False)
    # requestApprovalSettings
    is_approval_required_for_add = BooleanField(default=False)
    is_approval_required_for_update = BooleanField(default=False)
    is_requestor_justification_required = BooleanField(default=False)
    # expiration
    expiration_type = CharField(max_length=16, default="noExpiration")
    expiration_duration = CharField(max_length=32, null=True)  # ISO 8601, e.g. P365D
    expiration_end_date_time = UtcDateTimeField(null=True)
    created_date_time = UtcDateTimeField(null=True)
    modified_date_time = UtcDateTimeField(null=True)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)


class PolicyAllowedTarget(BaseModel):
    """One entry of `specificAllowedTargets`: a user, a group's members or a connected
    organization's members."""

    policy = ForeignKeyField(AssignmentPolicy, backref="allowed_targets", on_delete="CASCADE")
    subject_set_type = CharField(max_length=40)
    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    group = ForeignKeyField(Group, null=True, on_delete="CASCADE")
    connected_organization = ForeignKeyField(ConnectedOrganization, null=True, on_delete="CASCADE")


class ApprovalStage(BaseModel):
    """Graph `accessPackageApprovalStage`; `stage_number` counts from 1 (at most 3)."""

    policy = ForeignKeyField(AssignmentPolicy, backref="approval_stages", on_delete="CASCADE", index=False)
    stage_number = IntegerField()
    duration_before_automatic_denial = CharField(max_length=32, default="P14D")
    is_approver_justification_required = BooleanField(default=False)
    is_escalation_enabled = BooleanField(default=False)
    duration_before_escalation = CharField(max_length=32, null=True)

    class Meta:
        indexes = ((("policy", "stage_number"), True),)


class ApprovalStageApprover(BaseModel):
    """A subject set of a stage's `primaryApprovers` (or `fallbackPrimaryApprovers`)."""

    stage = ForeignKeyField(ApprovalStage, backref="approvers", on_delete="CASCADE")
    subject_set_type = CharField(max_length=40)
    is_fallback = BooleanField(default=False)
    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    group = ForeignKeyField(Group, null=True, on_delete="CASCADE")
    manager_level = IntegerField(default=1)
