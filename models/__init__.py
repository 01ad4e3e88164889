"""Peewee schema of Entitlement Desk: Microsoft Graph entitlement-management resources.

No business logic lives here; `desktop/` owns every change of state.
"""

from models.base import BaseModel, db, new_id, utc_now
from models.directory import (
    Application,
    AppRole,
    AppRoleAssignment,
    ConnectedOrganization,
    DirectoryRole,
    DirectoryRoleAssignment,
    Group,
    GroupMember,
    User,
)
from models.organizations import ConnectedOrganizationSponsor
from models.catalog import (
    AccessPackage,
    Catalog,
    IncompatibleAccessPackage,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    ResourceScope,
)
from models.policy import (
    ApprovalStage,
    ApprovalStageApprover,
    AssignmentPolicy,
    PolicyAllowedTarget,
)
from models.requests import ApprovalDecision, AssignmentRequest, RequestApprover
from models.assignments import Assignment, ResourceRoleAssignment
from models.audit import AuditEvent
from models.meta import DatabaseLogin, SchemaInfo
from models.sync import DeltaLink, SyncRun, TenantConnection

# Creation order: every table after the tables it references.
ALL_MODELS = (
    SchemaInfo,
    ConnectedOrganization,
    User,
    Group,
    GroupMember,
    DirectoryRole,
    DirectoryRoleAssignment,
    Application,
    AppRole,
    AppRoleAssignment,
    ConnectedOrganizationSponsor,
    Catalog,
    Resource,
    ResourceRole,
    ResourceScope,
    AccessPackage,
    ResourceRoleScope,
    IncompatibleAccessPackage,
    AssignmentPolicy,
    PolicyAllowedTarget,
    ApprovalStage,
    ApprovalStageApprover,
    Assignment,
    AssignmentRequest,
    RequestApprover,
    ApprovalDecision,
    ResourceRoleAssignment,
    AuditEvent,
    DatabaseLogin,
    TenantConnection,
    DeltaLink,
    SyncRun,
)

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "BaseModel", "db", "new_id", "utc_now"]
