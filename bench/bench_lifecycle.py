"""Full approval-path lifecycles per second on SQLite: submit, manager approves, delivered
(with a group and an app role granted), then removed by the user. Goal: >= 300 per second.

Measured twice: each transition its own transaction (as the GUI and CLI run them), and in
batches of 100 lifecycles per transaction (as the demo history runs them). The rate is given
by wall time and by the process's CPU time: on a shared machine the wall rate swings with the
other jobs, and one transaction per transition also waits on the disk (WAL checkpoints).

Run: python -m bench.bench_lifecycle [--lifecycles N]
"""

import argparse
import contextlib
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop.clock import FixedClock
from desktop.lifecycle import Lifecycle
from models import (
    AccessPackage,
    Application,
    AppRole,
    ApprovalStage,
    ApprovalStageApprover,
    AssignmentPolicy,
    AuditEvent,
    Catalog,
    Group,
    Resource,
    ResourceRole,
    ResourceRoleScope,
    ResourceScope,
    User,
)
from models.database import close_database, open_database

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def build_tenant(users: int) -> tuple[list[User], User, AccessPackage, AssignmentPolicy]:
    """People reporting to one manager, and a package (a group and an app role) whose policy
    the manager approves."""
    manager = _user("Manager", None)
    people = [_user(f"Person {n}", manager) for n in range(users)]
    catalog = Catalog.create(display_name="Bench")
    group = Group.create(display_name="Bench group")
    application = Application.create(app_id="11111111-1111-1111-1111-111111111111", display_name="Bench app")
    app_role = AppRole.create(application=application, display_name="User", value="user")
    package = AccessPackage.create(catalog=catalog, display_name="Bench")
    for origin_system, origin_id, role_origin in (
        ("AadGroup", group.id, f"Member_{group.id}"),
        ("AadApplication", application.id, app_role.id),
    ):
        resource = Resource.create(
            catalog=catalog, origin_id=origin_id, origin_system=origin_system, display_name=origin_system
        )
        scope = ResourceScope.create(resource=resource, origin_id=origin_id, origin_system=origin_system)
        role = ResourceRole.create(
            resource=resource, origin_id=role_origin, origin_system=origin_system, display_name="Member"
        )
        ResourceRoleScope.create(access_package=package, role=role, scope=scope)
    policy = AssignmentPolicy.create(
        access_package=package,
        display_name="Manager approves",
        allowed_target_scope="allMemberUsers",
        is_approval_required_for_add=True,
    )
    stage = ApprovalStage.create(policy=policy, stage_number=1)
    ApprovalStageApprover.create(stage=stage, subject_set_type="requestorManager")
    return people, manager, package, policy


def _user(name: str, manager: User | None) -> User:
    upn = f"{name.lower().replace(' ', '.')}@bench.example"
    return User.create(user_principal_name=upn, display_name=name, manager=manager)


def run(lifecycles: int, batch_size: int | None = None) -> float:
    with tempfile.TemporaryDirectory() as folder:
        open_database(Path(folder) / "bench.db")
        try:
            people, manager, package, policy = build_tenant(lifecycles)
            clock = FixedClock(START)
            lifecycle = Lifecycle(clock)
            began, began_cpu = time.perf_counter(), time.process_time()
            step = batch_size or 1
            for first in range(0, len(people), step):
                with lifecycle.batch() if batch_size else contextlib.nullcontext():
                    for person in people[first : first + step]:
                        request = lifecycle.submit(person, package, policy)
                        clock.advance(timedelta(minutes=5))
                        delivered = lifecycle.approve(manager, request.id)
                        lifecycle.remove_assignment(person, delivered.assignment_id)
            elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
            records = AuditEvent.select().count()
        finally:
            close_database()
    rate = lifecycles / elapsed
    mode = f"batches of {batch_size}" if batch_size else "one transaction per transition"
    print(
        f"{mode}: {lifecycles} lifecycles (submit, approve, deliver, remove; {records} audit records) "
        f"in {elapsed:.2f} s: {rate:.0f} lifecycles/s (goal >= 300/s); by CPU time {lifecycles / cpu:.0f}/s"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycles", type=int, default=2000)
    lifecycles = parser.parse_args().lifecycles
    run(lifecycles)
    run(lifecycles, batch_size=100)


if __name__ == "__main__":
    main()
