"""Giving access and taking it away: the assignment and its resource role assignments, and
their directory side (group memberships, application role grants), which is logged as the
directory logs it, initiated by the Identity Governance application."""

from datetime import datetime

from desktop import audit_log as log
from desktop.lifecycle import statements as sql
from desktop.lifecycle.configuration import AAD_APPLICATION, AAD_GROUP, Grant
from desktop.lifecycle.records import Subject, request_record
from desktop.lifecycle.transactions import Step
from models import Assignment, AssignmentPolicy, AssignmentRequest, User


def mark_delivered(request: AssignmentRequest, now: datetime) -> None:
    request.state, request.status, request.completed_date_time = "delivered", "Delivered", now


def deliver(step: Step, subject: Subject, now: datetime, start: datetime, end: datetime | None) -> str:
    """Create the assignment of `subject`'s request and grant its resource roles; its id."""
    assignment_id = step.new_id()
    target = subject.target
    sql.INSERT_ASSIGNMENT.execute(
        id=assignment_id,
        access_package=subject.package.id,
        assignment_policy=subject.policy.id,
        target=target.id,
        state="delivered",
        status="Delivered",
        schedule_start=start,
        schedule_end=end,
        created_date_time=now,
    )
    grants = step.reader.configuration.grants(subject.package.id)
    for grant in grants:
        sql.INSERT_ROLE_ASSIGNMENT.execute(
            id=step.new_id(),
            assignment=assignment_id,
            role=grant.role_id,
            scope=grant.scope_id,
            target=target.id,
            status="Fulfilled",
            created_date_time=now,
        )
    request_record(
        step, log.FULFILL, subject, now, log.user_initiator(target), extra=(("AssignmentId", assignment_id),)
    )
    for grant in grants:
        _grant(step, grant, target, now, subject.request_id)
    return assignment_id


def end_assignment(
    step: Step,
    assignment: Assignment,
    policy: AssignmentPolicy,
    request_type: str,
    actor: User | None,
    now: datetime,
    status: str,
    ended: datetime,
) -> AssignmentRequest:
    """End `assignment` (removed by `actor`, or expired when there is none) with the remove
    request that records it, and take back what no other assignment still grants."""
    target = step.reader.user(assignment.target_id)
    subject = Subject(step.new_id(), request_type, policy.access_package, policy, target)
    request = AssignmentRequest(
        id=subject.request_id,
        access_package=assignment.access_package_id,
        assignment_policy=policy.id,
        request_type=request_type,
        requestor=actor.id if actor else None,
        target=target.id,
        created_date_time=now,
        assignment=assignment.id,
    )
    mark_delivered(request, now)
    sql.insert_request(request)
    sql.END_ASSIGNMENT.execute(id=assignment.id, status=status, ended=ended)
    sql.REMOVE_ROLE_ASSIGNMENTS.execute(assignment=assignment.id)
    initiator = log.user_initiator(actor) if actor else log.APP_INITIATOR
    request_record(step, log.REMOVE_ASSIGNMENT, subject, now, initiator, extra=(("AssignmentId", assignment.id),))
    grants = step.reader.configuration.grants(assignment.access_package_id)
    kept = _still_granted(target, grants)
    for grant in grants:
        # A group membership stays while any role of that group is still granted.
        still = (
            any(key[:2] == (AAD_GROUP, grant.resource_origin_id) for key in kept)
            if grant.origin_system == AAD_GROUP
            else (grant.origin_system, grant.resource_origin_id, grant.role_origin_id) in kept
        )
        if not still:
            _revoke(step, grant, target, now, subject.request_id)
    return request


def _grant(step: Step, grant: Grant, target: User, now: datetime, correlation_id: str) -> None:
    if not grant.in_directory:
        return
    if grant.origin_system == AAD_GROUP:
        if sql.ADD_GROUP_MEMBER.rowcount(group=grant.resource_origin_id, member=target.id):
            step.records.append(
                log.record(
                    log.ADD_GROUP_MEMBER,
                    at=now,
                    initiated_by=log.APP_INITIATOR,
                    correlation_id=correlation_id,
                    targets=log.group_targets(target, grant.resource_origin_id, grant.resource_name),
                    record_id=step.new_id(),
                )
            )
    elif grant.origin_system == AAD_APPLICATION:
        if sql.ADD_APP_ROLE_ASSIGNMENT.rowcount(
            id=step.new_id(),
            principal=target.id,
            application=grant.resource_origin_id,
            app_role=grant.app_role_id,
            created_date_time=now,
        ):
            step.records.append(
                _app_role_record(log.ADD_APP_ROLE_ASSIGNMENT, grant, target, now, correlation_id, step.new_id())
            )


def _revoke(step: Step, grant: Grant, target: User, now: datetime, correlation_id: str) -> None:
    if not grant.in_directory:
        return
    if grant.origin_system == AAD_GROUP:
        if sql.REMOVE_GROUP_MEMBER.rowcount(group=grant.resource_origin_id, member=target.id):
            step.records.append(
                log.record(
                    log.REMOVE_GROUP_MEMBER,
                    at=now,
                    initiated_by=log.APP_INITIATOR,
                    correlation_id=correlation_id,
                    targets=log.group_targets(target, grant.resource_origin_id, grant.resource_name),
                    record_id=step.new_id(),
                )
            )
    elif grant.origin_system == AAD_APPLICATION:
        delete = sql.REMOVE_APP_ROLE_ASSIGNMENT if grant.app_role_id else sql.REMOVE_DEFAULT_APP_ROLE_ASSIGNMENT
        if delete.rowcount(principal=target.id, application=grant.resource_origin_id, app_role=grant.app_role_id):
            step.records.append(
                _app_role_record(log.REMOVE_APP_ROLE_ASSIGNMENT, grant, target, now, correlation_id, step.new_id())
            )


def _app_role_record(
    activity, grant: Grant, target: User, now: datetime, correlation_id: str | None, record_id: str
) -> dict:
    return log.record(
        activity,
        at=now,
        initiated_by=log.APP_INITIATOR,
        correlation_id=correlation_id,
        record_id=record_id,
        targets=log.app_role_targets(
            target,
            application_id=grant.resource_origin_id,
            application_name=grant.resource_name,
            app_role_id=grant.app_role_id,
            app_role_value=grant.app_role_value,
            app_role_name=grant.role_name,
        ),
    )


def _still_granted(target: User, grants: tuple[Grant, ...]) -> set[tuple[str, str, str]]:
    """(origin system, resource origin id, role origin id) of the given grants' resources that
    another active assignment of `target` still grants (the ending one is already ended)."""
    resources = {grant.resource_origin_id for grant in grants if grant.in_directory}
    if not resources:
        return set()
    return {held for held in sql.ROLES_HELD.tuples(target=target.id) if held[1] in resources}
