"""History (issue 18): a `<table>_history` of every tracked table, written by triggers, the
change context they read and the record of import and sync runs. Each row already there
becomes its first version, valid from its creation time."""

from datetime import datetime, timezone

from models.assignments import Assignment, ResourceRoleAssignment
from models.catalog import AccessPackage, Resource, ResourceRole, ResourceRoleScope
from models.directory import Group, GroupMember, User
from models.history import backfill_history, install_history
from models.policy import ApprovalStage, ApprovalStageApprover, AssignmentPolicy, PolicyAllowedTarget
from models.requests import AssignmentRequest

# The tables tracked at version 9 (a later version tracks more, and adds their history itself).
TRACKED_AT_VERSION_9 = (
    User,
    Group,
    GroupMember,
    AccessPackage,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    AssignmentPolicy,
    PolicyAllowedTarget,
    ApprovalStage,
    ApprovalStageApprover,
    Assignment,
    AssignmentRequest,
    ResourceRoleAssignment,
)


def upgrade(database) -> None:
    install_history(database, TRACKED_AT_VERSION_9)
    backfill_history(database, datetime.now(timezone.utc), TRACKED_AT_VERSION_9)
