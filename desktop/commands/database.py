"""`database setup`: least-privilege roles, grants and the audit log's trigger on a shared
PostgreSQL database (see desktop.database_setup)."""

from desktop.database_setup import APP_ROLE, OWNER_ROLE, setup_database


def register(subparsers) -> None:
    parser = subparsers.add_parser("database", help="set up a shared PostgreSQL database for least privilege")
    actions = parser.add_subparsers(dest="database_action", required=True, metavar="ACTION")
    setup = actions.add_parser(
        "setup",
        help="owner and application roles, grants, an append-only audit log (run as a superuser)",
        description="Run as a PostgreSQL superuser, once and again after each upgrade. The tables move to an "
        f"owner role nobody logs in as ({OWNER_ROLE}); people's logins get the application role "
        f"({APP_ROLE}): they may append to the audit log but not change or remove it, and may bind "
        "logins only through the database's checked functions.",
    )
    setup.add_argument(
        "--login",
        action="append",
        default=[],
        metavar="NAME",
        help="a person's login to create (if missing) and give the application role; repeatable",
    )
    setup.add_argument("--owner-role", default=OWNER_ROLE, metavar="NAME")
    setup.add_argument("--app-role", default=APP_ROLE, metavar="NAME")
    setup.set_defaults(handler=run_setup)


def run_setup(args) -> int:
    report = setup_database(args.login, owner_role=args.owner_role, app_role=args.app_role)
    print("\n".join(report.lines()))
    return 0
