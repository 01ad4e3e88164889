"""`export REPORT … -o FILE`: any report to .xlsx, .csv or .json, as the GUI saves it.

With `--as UPN` the export runs as that administrator, with the GUI's permission checks;
without it the CLI acts as the operator of the local database file (no role check).
"""

import argparse
from datetime import date, datetime, time, timedelta, timezone

from desktop.change_runs import last_runs
from desktop.clock import SystemClock
from desktop.errors import InvalidInput, NotFound
from desktop.export import FORMATS, export
from desktop.export.delimited import ENTRA_LAYOUT
from desktop.lookup import find_access_package, find_user
from desktop.reports.app_role_activity import AppRoleActivityReport, find_application
from desktop.reports.assignments import STATE_FILTERS, AssignmentsReport
from desktop.reports.audit import AuditLogReport
from desktop.reports.changes import ChangesReport
from desktop.reports.connected_organizations import ConnectedOrganizationsReport
from desktop.reports.package_activity import PackageActivityReport, packages_with_activity
from desktop.reports.request_history import request_history_reports
from desktop.reports.user_packages import user_package_reports
from desktop.reports.user_resources import ResourceAssignmentsReport
from desktop.reports.workbook import RANGES
from desktop.session import resolve_actor
from models.database import resolve_location


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="save a report as .xlsx, .csv or .json",
        description="Save a report to a file. The format follows the file extension unless --format "
        "names it. Without --as the export acts as the operator of the local database "
        "(no role check).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    common.add_argument("--format", choices=FORMATS, help="default: from the file extension")
    common.add_argument(
        "--layout",
        choices=[ENTRA_LAYOUT],
        help="CSV layout: 'entra' writes audit records as the admin center downloads them",
    )
    common.add_argument(
        "--csv-raw",
        action="store_true",
        help="write CSV cells as they are; by default text starting with = + - @ "
        "tab or CR gets a leading ' so spreadsheets do not run it as a formula",
    )
    common.add_argument(
        "--as", dest="acting_upn", metavar="UPN", help="act as this administrator (their roles are checked)"
    )
    reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")

    add = reports.add_parser("assignments", parents=[common], help="users assigned to an access package")
    which = add.add_mutually_exclusive_group(required=True)
    which.add_argument("--package", metavar="NAME|ID")
    which.add_argument("--all-packages", action="store_true", help="every access package")
    add.add_argument("--state", choices=list(STATE_FILTERS), default="all")
    add.add_argument("--as-of", metavar="DATE|TIME", help=AS_OF_HELP)
    add.set_defaults(handler=run, build=_assignments)

    add = reports.add_parser(
        "user-packages", parents=[common], help="access packages a user can request and has (two sheets)"
    )
    add.add_argument("--user", required=True, metavar="UPN")
    add.add_argument("--as-of", metavar="DATE|TIME", help=AS_OF_HELP)
    add.set_defaults(
        handler=run,
        build=lambda args, actor: user_package_reports(
            find_user(args.user, _as_of(args)), actor=actor, as_of=_as_of(args)
        ),
    )

    add = reports.add_parser("user-resources", parents=[common], help="resource roles a user holds")
    add.add_argument("--user", required=True, metavar="UPN")
    add.add_argument("--as-of", metavar="DATE|TIME", help=AS_OF_HELP)
    add.set_defaults(
        handler=run,
        build=lambda args, actor: [
            ResourceAssignmentsReport(find_user(args.user, _as_of(args)), actor=actor, as_of=_as_of(args))
        ],
    )

    add = reports.add_parser(
        "changes", parents=[common], help="changes of access between two moments, or made by the last import or sync"
    )
    add.add_argument("--since", metavar="DATE|TIME", help="UTC; a date means its midnight")
    add.add_argument("--until", metavar="DATE|TIME", help="UTC, not included; a date includes that whole day")
    add.add_argument("--package", metavar="NAME|ID")
    add.add_argument("--user", metavar="UPN", help="only this user's assignments")
    add.add_argument("--last-run", action="store_true", help="only the changes the latest import or sync brought in")
    add.set_defaults(handler=run, build=_changes)

    add = reports.add_parser("audit", parents=[common], help="the audit log")
    add.add_argument("--since", metavar="DATE|TIME", help="UTC; a date means its midnight")
    add.add_argument("--until", metavar="DATE|TIME", help="UTC, not included; a date includes that whole day")
    add.add_argument("--category")
    add.add_argument("--activity")
    add.add_argument("--result", choices=["success", "failure", "timeout"])
    add.add_argument("--initiated-by", metavar="TEXT", help="UPN or display name, starting with TEXT")
    add.add_argument("--target", metavar="TEXT", help="UPN or display name, starting with TEXT")
    add.add_argument("--correlation-id", metavar="ID")
    add.add_argument("--package", metavar="NAME|ID")
    add.set_defaults(handler=run, build=_audit)

    add = reports.add_parser("connected-organizations", parents=[common], help="connected organizations")
    add.set_defaults(handler=run, build=lambda args, actor: [ConnectedOrganizationsReport(actor=actor)])

    add = reports.add_parser("package-activity", parents=[common], help="the Access package activity workbook")
    add.add_argument("--package", required=True, metavar="NAME|ID")
    add.add_argument("--range", choices=list(RANGES), default="all")
    add.set_defaults(handler=run, build=_package_activity)

    add = reports.add_parser(
        "app-role-activity", parents=[common], help="the Application role assignment activity workbook"
    )
    add.add_argument("--application", metavar="NAME|ID", help="default: every application")
    add.add_argument("--omit-entitlement", action="store_true", help="leave out changes made by entitlement management")
    add.add_argument("--range", choices=list(RANGES), default="all")
    add.set_defaults(handler=run, build=_app_role_activity)

    add = reports.add_parser(
        "request-history", parents=[common], help="one request's audit records, approvers and decisions"
    )
    add.add_argument("request_id", metavar="REQUEST_ID")
    add.set_defaults(handler=run, build=lambda args, actor: request_history_reports(args.request_id, actor=actor))


def run(args) -> int:
    actor = resolve_actor(args.acting_upn)
    reports = args.build(args, actor)
    result = export(
        args.output,
        reports,
        format=args.format,
        layout=args.layout,
        actor=actor,
        csv_raw=args.csv_raw,
        database=resolve_location(args.db).describe(),
    )
    print(f"Exported {result.rows:,} rows ({', '.join(r.name for r in reports)}) to {result.path}")
    return 0


def parse_moment(text: str, *, end_of_day: bool = False, option: str = "The time") -> datetime:
    """A UTC moment from a date or an ISO 8601 time (naive means UTC). With `end_of_day` a
    bare date means the midnight after it, so an exclusive end includes that day."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time(), timezone.utc)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)
    except ValueError as error:
        raise InvalidInput(
            f"{option} {text!r}: cannot read it as a date or time: use 2026-01-31 or 2026-01-31T09:00:00Z."
        ) from error
    except OverflowError as error:
        raise InvalidInput(
            f"{option} {text!r} is out of range: in UTC it falls outside the years 1 to 9999."
        ) from error


AS_OF_HELP = "the report as it was then (UTC; a date means its midnight); default now"


def _as_of(args) -> datetime | None:
    return parse_moment(args.as_of, option="--as-of") if args.as_of else None


def _assignments(args, actor):
    package = None if args.all_packages else find_access_package(args.package)
    return [AssignmentsReport(package, args.state, actor=actor, as_of=_as_of(args))]


def _changes(args, actor):
    since = parse_moment(args.since, option="--since") if args.since else None
    until = parse_moment(args.until, end_of_day=True, option="--until") if args.until else None
    if since and until and until <= since:
        raise InvalidInput("--until must come after --since.")
    run = None
    if args.last_run:
        runs = last_runs(1)
        if not runs:
            raise NotFound("No import or sync has been recorded in this database yet.")
        run = runs[0]
    return [
        ChangesReport(
            since,
            until,
            package=find_access_package(args.package) if args.package else None,
            user=find_user(args.user) if args.user else None,
            run=run,
            actor=actor,
        )
    ]


def _audit(args, actor):
    return [
        AuditLogReport(
            since=parse_moment(args.since, option="--since") if args.since else None,
            until=parse_moment(args.until, end_of_day=True, option="--until") if args.until else None,
            category=args.category,
            activity=args.activity,
            result=args.result,
            initiated_by=args.initiated_by,
            target=args.target,
            correlation_id=args.correlation_id,
            access_package_id=find_access_package(args.package).id if args.package else None,
            actor=actor,
        )
    ]


def _package_activity(args, actor):
    now = SystemClock().now()
    try:
        package_id = find_access_package(args.package).id
    except NotFound:
        # A package deleted since (or never imported) is known by the id in its records.
        known = dict(packages_with_activity("all", now))
        package_id = args.package.strip().lower()
        if package_id not in known:
            raise
    return [PackageActivityReport(package_id, args.range, now=now, actor=actor)]


def _app_role_activity(args, actor):
    now = SystemClock().now()
    application = find_application(args.application, "all", now) if args.application else None
    return [
        AppRoleActivityReport(
            application, omit_entitlement_management=args.omit_entitlement, range_key=args.range, now=now, actor=actor
        )
    ]
