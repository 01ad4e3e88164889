"""Lifecycle subcommands: `request …`, `assignment remove` and `process`.

Write commands act as `--as UPN` at `--at ISO-8601` (default: now) and print the request id,
its new state and, once delivered, the assignment id, separated by tabs. On a shared database
with bound logins the login decides who acts: `--as` may only name its own user.
"""

import sys
from datetime import datetime, timezone

from desktop.clock import FixedClock, SystemClock
from desktop.errors import InvalidInput, NotFound, Refused
from desktop.lifecycle import Lifecycle
from desktop.lookup import find_access_package, find_policy, find_user
from desktop.session import resolve_actor
from models import AccessPackage, AssignmentPolicy, AssignmentRequest, User
from models.requests import REQUEST_STATES


def register(subparsers) -> None:
    request = subparsers.add_parser("request", help="submit, assign, approve, deny, cancel and list requests")
    actions = request.add_subparsers(dest="action", required=True, metavar="ACTION")

    submit = _writer(actions, "submit", "a user requests an access package for themselves", run_submit)
    submit.add_argument("--user", required=True, metavar="UPN", help="the user who requests (the target)")
    submit.add_argument("--package", required=True, metavar="NAME|ID")
    submit.add_argument("--policy", metavar="NAME|ID", help="needed when the user can request through several")
    submit.add_argument("--justification", metavar="TEXT")

    assign = _writer(actions, "assign", "an administrator assigns an access package directly", run_assign)
    assign.add_argument("--user", required=True, metavar="UPN", help="the user who gets access")
    assign.add_argument("--package", required=True, metavar="NAME|ID")
    assign.add_argument("--policy", metavar="NAME|ID", help="needed when the package has several policies")
    assign.add_argument("--start", metavar="ISO-8601", help="when access starts (default: --at)")
    assign.add_argument("--end", metavar="ISO-8601", help="when access ends (default: the policy's expiration)")
    assign.add_argument("--justification", metavar="TEXT")

    for name, verb in (("approve", "approves"), ("deny", "denies")):
        decide = _writer(actions, name, f"an approver {verb} the current stage of a request", run_decide)
        decide.add_argument("request_id", metavar="REQUEST_ID")
        decide.add_argument("--justification", metavar="TEXT")
        decide.set_defaults(approve=name == "approve")

    cancel = _writer(actions, "cancel", "the requestor cancels a pending request", run_cancel)
    cancel.add_argument("request_id", metavar="REQUEST_ID")

    listing = actions.add_parser("list", help="requests, newest first")
    listing.add_argument("--state", choices=REQUEST_STATES)
    listing.add_argument("--user", metavar="UPN", help="only requests for this user")
    listing.set_defaults(handler=run_list)

    assignment = subparsers.add_parser("assignment", help="end an access package assignment")
    assignment_actions = assignment.add_subparsers(dest="action", required=True, metavar="ACTION")
    remove = _writer(
        assignment_actions, "remove", "the user gives up an assignment, or an administrator removes it", run_remove
    )
    remove.add_argument("assignment_id", metavar="ASSIGNMENT_ID")

    process = subparsers.add_parser("process", help="time out undecided stages and end expired assignments")
    process.add_argument(
        "--as",
        dest="acting",
        metavar="UPN",
        help="the acting administrator (default: the user the database login is bound to)",
    )
    process.add_argument("--at", metavar="ISO-8601", help="the time to process up to (default: now)")
    process.set_defaults(handler=run_process)


def _writer(actions, name: str, text: str, handler):
    parser = actions.add_parser(name, help=text, description=text)
    parser.add_argument("--as", dest="acting", metavar="UPN", help="the acting user")
    parser.add_argument("--at", metavar="ISO-8601", help="when it happens (default: now)")
    parser.set_defaults(handler=handler)
    return parser


def run_submit(args) -> int:
    user = find_user(args.user)
    if resolve_actor(args.acting or user).id != user.id:
        raise Refused(
            "A user requests access for themselves; to give another user access, "
            "an administrator uses `request assign`."
        )
    package = find_access_package(args.package)
    policy = find_policy(package, args.policy) if args.policy else None
    request = _lifecycle(args).submit(user, package, policy, args.justification)
    return _show(request)


def run_assign(args) -> int:
    admin = _acting(args)
    package = find_access_package(args.package)
    request = _lifecycle(args).assign(
        admin,
        find_user(args.user),
        package,
        _policy_for_assignment(package, args.policy),
        start=_time(args.start, "--start"),
        end=_time(args.end, "--end"),
        justification=args.justification,
    )
    return _show(request)


def run_decide(args) -> int:
    lifecycle = _lifecycle(args)
    decide = lifecycle.approve if args.approve else lifecycle.deny
    return _show(decide(_acting(args), args.request_id, args.justification))


def run_cancel(args) -> int:
    return _show(_lifecycle(args).cancel(_acting(args), args.request_id))


def run_remove(args) -> int:
    return _show(_lifecycle(args).remove_assignment(_acting(args), args.assignment_id))


def run_process(args) -> int:
    lifecycle = _lifecycle(args)
    processed = lifecycle.process_due(_acting(args))
    print(f"timed out\t{processed.timed_out}")
    print(f"expired\t{processed.expired}")
    for problem in processed.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    # Everything else was processed; the exit status still tells a script that some was not.
    return 2 if processed.skipped else 0


def run_list(args) -> int:
    query = (
        AssignmentRequest.select(AssignmentRequest, User, AccessPackage)
        .join(User, on=AssignmentRequest.target == User.id)
        .switch(AssignmentRequest)
        .join(AccessPackage)
        .order_by(AssignmentRequest.created_date_time.desc(), AssignmentRequest.id)
    )
    if args.state:
        query = query.where(AssignmentRequest.state == args.state)
    if args.user:
        query = query.where(AssignmentRequest.target == find_user(args.user).id)
    for request in query.iterator():
        print(
            "\t".join(
                (
                    request.id,
                    request.state,
                    request.status,
                    request.request_type,
                    request.target.principal_name,
                    request.access_package.display_name,
                    request.created_date_time.isoformat(),
                )
            )
        )
    return 0


def _show(request: AssignmentRequest) -> int:
    fields = [request.id, request.state]
    if request.state == "delivered" and request.assignment_id:
        fields.append(request.assignment_id)
    print("\t".join(fields))
    return 0


def _lifecycle(args) -> Lifecycle:
    moment = _time(args.at, "--at")
    return Lifecycle(FixedClock(moment) if moment else SystemClock())


def _acting(args) -> User:
    """The acting user: `--as`, checked against the database login's binding, or the bound user."""
    actor = resolve_actor(args.acting)
    if actor is None:
        raise InvalidInput("Say who acts: --as UPN.")
    return actor


def _policy_for_assignment(package: AccessPackage, name_or_id: str | None) -> AssignmentPolicy:
    if name_or_id:
        return find_policy(package, name_or_id)
    policies = list(
        AssignmentPolicy.select()
        .where(AssignmentPolicy.access_package == package.id)
        .order_by(AssignmentPolicy.display_name)
    )
    if len(policies) == 1:
        return policies[0]
    if not policies:
        raise NotFound(f"Access package {package.display_name!r} has no assignment policy.")
    names = ", ".join(repr(policy.display_name) for policy in policies)
    raise InvalidInput(
        f"Access package {package.display_name!r} has several policies; choose one with --policy: {names}."
    )


# The times an action may happen at: room on both sides for the durations added to them.
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


def _time(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time; one without an offset is taken as UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    except ValueError:
        raise InvalidInput(f"{option} {text!r} is not an ISO 8601 time such as 2026-03-01T09:00:00Z.") from None
    except OverflowError:
        moment = None  # its offset takes it outside the calendar: far outside the range anyway
    if moment is None or not EARLIEST <= moment < LATEST:
        raise InvalidInput(
            f"{option} {text!r} is out of range: use a time from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d} (UTC)."
        )
    return moment
