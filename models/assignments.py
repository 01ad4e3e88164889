"""Access package assignments and the resource roles each one grants."""

from peewee import CharField, ForeignKeyField

from models.base import GraphModel, UtcDateTimeField
from models.catalog import AccessPackage, ResourceRole, ResourceScope
from models.directory import User
from models.policy import AssignmentPolicy

# Graph `accessPackageAssignmentState` values.
ASSIGNMENT_STATES = ("delivering", "partiallyDelivered", "delivered", "expired", "deliveryFailed")


class Assignment(GraphModel):
    """Graph `accessPackageAssignment`. `status` keeps Graph's free-text status
    (`Delivering`, `Delivered`, `Expired`, ...) beside the enumerated `state`."""

    access_package = ForeignKeyField(AccessPackage, backref="assignments", on_delete="CASCADE", index=False)
    assignment_policy = ForeignKeyField(AssignmentPolicy, backref="assignments", on_delete="CASCADE")
    target = ForeignKeyField(User, backref="assignments", on_delete="CASCADE", index=False)
    state = CharField(max_length=24)
    status = CharField(max_length=32)
    schedule_start = UtcDateTimeField(null=True)
    schedule_end = UtcDateTimeField(null=True)
    expired_date_time = UtcDateTimeField(null=True)
    created_date_time = UtcDateTimeField(null=True)
    # When the object was first seen gone from the tenant (models.deletion); never removed.
    deleted_date_time = UtcDateTimeField(null=True)

    class Meta:
        indexes = (
            (("access_package", "state"), False),
            (("target", "state"), False),
            (("state", "schedule_end"), False),
        )


class ResourceRoleAssignment(GraphModel):
    """Graph `accessPackageAssignmentResourceRole`: one role of the package, held by the target
    through one assignment."""

    assignment = ForeignKeyField(Assignment, backref="resource_roles", on_delete="CASCADE")
    role = ForeignKeyField(ResourceRole, on_delete="CASCADE")
    scope = ForeignKeyField(ResourceScope, on_delete="CASCADE")
    target = ForeignKeyField(User, backref="resource_role_assignments", on_delete="CASCADE", index=False)
    status = CharField(max_length=24)  # PendingFulfillment | Fulfilled | PendingRemoval | Removed
    created_date_time = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("target", "status"), False),)
