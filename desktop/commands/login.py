from desktop.lookup import find_user
from desktop.session import bind_login, bindings, database_login, resolve_actor, unbind_login


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "login", help="bind shared-database logins to directory users (Global Administrator)"
    )
    actions = parser.add_subparsers(dest="login_action", required=True, metavar="ACTION")
    bind = actions.add_parser("bind", help="make a database login act as a directory user")
    bind.add_argument("role", help="the PostgreSQL login (role) name")
    bind.add_argument("--user", required=True, metavar="UPN")
    bind.add_argument("--as", dest="acting", metavar="UPN", help="the acting Global Administrator")
    bind.set_defaults(handler=run_bind)
    unbind = actions.add_parser("unbind", help="remove a login's binding")
    unbind.add_argument("role")
    unbind.add_argument("--as", dest="acting", metavar="UPN")
    unbind.set_defaults(handler=run_unbind)
    actions.add_parser("list", help="every binding").set_defaults(handler=run_list)
    actions.add_parser("whoami", help="this connection's login and who it acts as").set_defaults(handler=run_whoami)


def run_bind(args) -> int:
    user = find_user(args.user)
    bind_login(resolve_actor(args.acting), args.role, user)
    print(f"{args.role} now acts as {user.label}.")
    return 0


def run_unbind(args) -> int:
    unbind_login(resolve_actor(args.acting), args.role)
    print(f"{args.role} is no longer bound.")
    return 0


def run_list(args) -> int:
    for binding in bindings():
        print(f"{binding.role_name}\t{binding.user.principal_name}")
    return 0


def run_whoami(args) -> int:
    login = database_login()
    actor = resolve_actor(None)
    print(f"login  {login or '(local file)'}")
    print(f"acts as {actor.principal_name if actor else '(anyone: choose with --as)'}")
    return 0
