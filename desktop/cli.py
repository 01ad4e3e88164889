"""`entitlement-desk-cli`: every report and lifecycle action, headless.

Each module in `desktop/commands/` adds its own subcommands through `register(subparsers)`;
a subcommand's handler takes the parsed arguments and returns the exit code. Errors the
user can act on go to stderr with exit code 2.
"""

import argparse
import importlib
import pkgutil
import sys

from desktop import commands
from desktop.errors import DeskError
from models.database import (
    ENV_VARIABLE,
    RECOVERABLE_ERRORS,
    close_database,
    explain_failure,
    open_database,
)

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="entitlement-desk-cli",
        description="Entitlement Desk without a window: reports, exports, imports and the request lifecycle.",
    )
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help=f"database file or URL (sqlite:///PATH, postgresql://USER@HOST/DB); default: ${ENV_VARIABLE}, "
        "else a file in the user data folder",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        importlib.import_module(f"{commands.__name__}.{info.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        open_database(args.db)
        return args.handler(args) or 0
    except DeskError as error:
        print(f"entitlement-desk-cli: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except RECOVERABLE_ERRORS as error:
        print(f"entitlement-desk-cli: {explain_failure(error)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("entitlement-desk-cli: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    finally:
        close_database()


def run() -> None:
    sys.exit(main())
