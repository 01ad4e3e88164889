"""The SQL of the lifecycle's transitions, each statement generated once per database
(`Prepared`): a transition runs a dozen small statements, and peewee's query builder costs
more than SQLite running them."""

import peewee

from models import (
    AccessPackage,
    Application,
    AppRole,
    AppRoleAssignment,
    ApprovalDecision,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    AuditEvent,
    Group,
    GroupMember,
    IncompatibleAccessPackage,
    RequestApprover,
    Resource,
    ResourceRole,
    ResourceRoleAssignment,
    ResourceRoleScope,
    User,
)
from models.configuration_version import ConfigurationVersion
from models.deletion import current
from models.prepared import Parameter, Prepared

from desktop.states import ACTIVE_ASSIGNMENT_STATES, PENDING_REQUEST_STATES

REQUEST = Prepared(lambda: AssignmentRequest.select().where(AssignmentRequest.id == Parameter("id")))
ASSIGNMENT = Prepared(lambda: Assignment.select().where(Assignment.id == Parameter("id")))
USER = Prepared(lambda: User.select().where(User.id == Parameter("id")))
# The newest audit record of a request (its correlation id), or of an assignment's requests.
NEWEST_RECORD_OF_REQUEST = Prepared(
    lambda: AuditEvent.select(peewee.fn.MAX(AuditEvent.activity_date_time)).where(
        AuditEvent.correlation_id == Parameter("request", AuditEvent.correlation_id)
    )
)
NEWEST_RECORD_OF_ASSIGNMENT = Prepared(
    lambda: AuditEvent.select(peewee.fn.MAX(AuditEvent.activity_date_time)).where(
        AuditEvent.correlation_id.in_(
            AssignmentRequest.select(AssignmentRequest.id).where(
                AssignmentRequest.assignment == Parameter("assignment", AssignmentRequest.assignment)
            )
        )
    )
)
ACTIVE_ASSIGNMENT_EXISTS = Prepared(
    lambda: (
        Assignment.select(Assignment.id)
        .where(
            (Assignment.target == Parameter("target"))
            & (Assignment.access_package == Parameter("package"))
            & (Assignment.assignment_policy == Parameter("policy"))
            & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES)
            & current(Assignment)
        )
        .limit(1)
    )
)
PENDING_REQUEST_EXISTS = Prepared(
    lambda: (
        AssignmentRequest.select(AssignmentRequest.id)
        .where(
            (AssignmentRequest.target == Parameter("target"))
            & (AssignmentRequest.access_package == Parameter("package"))
            & (AssignmentRequest.assignment_policy == Parameter("policy"))
            & AssignmentRequest.state.in_(PENDING_REQUEST_STATES)
        )
        .limit(1)
    )
)
STAGES_ASKED = Prepared(
    lambda: RequestApprover.select(RequestApprover.stage_number).where(
        (RequestApprover.request == Parameter("request")) & (RequestApprover.approver == Parameter("approver"))
    )
)
ROLES_HELD = Prepared(
    lambda: (
        ResourceRoleAssignment.select(Resource.origin_system, Resource.origin_id, ResourceRole.origin_id)
        .join(Assignment)
        .switch(ResourceRoleAssignment)
        .join(ResourceRole)
        .join(Resource)
        .where((ResourceRoleAssignment.target == Parameter("target")) & Assignment.state.in_(ACTIVE_ASSIGNMENT_STATES))
    )
)
INSERT_REQUEST = Prepared.insert(AssignmentRequest)
INSERT_REQUEST_APPROVER = Prepared.insert(RequestApprover)
INSERT_DECISION = Prepared.insert(ApprovalDecision)
INSERT_ASSIGNMENT = Prepared.insert(Assignment)
INSERT_ROLE_ASSIGNMENT = Prepared.insert(ResourceRoleAssignment)
ADD_GROUP_MEMBER = Prepared.insert(GroupMember, ignore_conflict=True)
ADD_APP_ROLE_ASSIGNMENT = Prepared.insert(AppRoleAssignment, ignore_conflict=True)
END_ASSIGNMENT = Prepared(
    lambda: Assignment.update(
        state="expired",
        status=Parameter("status", Assignment.status),
        expired_date_time=Parameter("ended", Assignment.expired_date_time),
    ).where(Assignment.id == Parameter("id"))
)
REMOVE_ROLE_ASSIGNMENTS = Prepared(
    lambda: ResourceRoleAssignment.update(status="Removed").where(
        ResourceRoleAssignment.assignment == Parameter("assignment")
    )
)
REMOVE_GROUP_MEMBER = Prepared(
    lambda: GroupMember.delete().where(
        (GroupMember.group == Parameter("group")) & (GroupMember.member == Parameter("member"))
    )
)
REMOVE_APP_ROLE_ASSIGNMENT = Prepared(
    lambda: AppRoleAssignment.delete().where(
        (AppRoleAssignment.principal == Parameter("principal"))
        & (AppRoleAssignment.application == Parameter("application"))
        & (AppRoleAssignment.app_role == Parameter("app_role"))
    )
)
REMOVE_DEFAULT_APP_ROLE_ASSIGNMENT = Prepared(
    lambda: AppRoleAssignment.delete().where(
        (AppRoleAssignment.principal == Parameter("principal"))
        & (AppRoleAssignment.application == Parameter("application"))
        & AppRoleAssignment.app_role.is_null()
    )
)
POLICY = Prepared(lambda: AssignmentPolicy.select().where(AssignmentPolicy.id == Parameter("id")))
ACCESS_PACKAGE = Prepared(lambda: AccessPackage.select().where(AccessPackage.id == Parameter("id")))
INCOMPATIBLE_PAIRS = Prepared(
    lambda: IncompatibleAccessPackage.select(
        IncompatibleAccessPackage.access_package, IncompatibleAccessPackage.incompatible_with
    ).where(
        (IncompatibleAccessPackage.access_package == Parameter("package"))
        | (IncompatibleAccessPackage.incompatible_with == Parameter("package"))
    )
)
PACKAGE_ROLES = Prepared(
    lambda: (
        ResourceRoleScope.select(
            ResourceRoleScope.role,
            ResourceRoleScope.scope,
            ResourceRole.origin_id,
            ResourceRole.display_name,
            Resource.origin_system,
            Resource.origin_id,
            Resource.display_name,
        )
        .join(ResourceRole)
        .join(Resource)
        .where(ResourceRoleScope.access_package == Parameter("package"))
        .order_by(Resource.display_name, ResourceRole.display_name, ResourceRoleScope.id)
    )
)
GROUP_EXISTS = Prepared(lambda: Group.select(Group.id).where(Group.id == Parameter("id")))
APPLICATION_EXISTS = Prepared(lambda: Application.select(Application.id).where(Application.id == Parameter("id")))
APP_ROLE_VALUE = Prepared(lambda: AppRole.select(AppRole.value).where(AppRole.id == Parameter("id")))
# Read first in every transaction: the configuration read before is kept while this is unchanged.
CONFIGURATION_VERSION = Prepared(lambda: ConfigurationVersion.select(ConfigurationVersion.version))
# UPDATEs of a request's changed fields, by the names of those fields.
_REQUEST_UPDATES: dict[tuple[str, ...], Prepared] = {}


def insert_request(request: AssignmentRequest) -> None:
    INSERT_REQUEST.execute(**request.__data__)
    request._dirty.clear()


def save_changes(request: AssignmentRequest) -> None:
    """UPDATE the fields of `request` changed since it was read (what `save(only=dirty)` does)."""
    changed = tuple(sorted(field.name for field in request.dirty_fields))
    if changed not in _REQUEST_UPDATES:
        _REQUEST_UPDATES[changed] = Prepared(
            lambda: AssignmentRequest.update(
                {
                    AssignmentRequest._meta.fields[name]: Parameter(name, AssignmentRequest._meta.fields[name])
                    for name in changed
                }
            ).where(AssignmentRequest.id == Parameter("id"))
        )
    _REQUEST_UPDATES[changed].execute(**request.__data__)
    request._dirty.clear()
