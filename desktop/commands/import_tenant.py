"""`import FILE...`: load Graph JSON and Entra audit-log downloads into the database."""

from pathlib import Path

from desktop.import_guard import guarded_import
from desktop.importers import import_files
from desktop.session import resolve_actor


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import Graph JSON (list responses or arrays) and Entra audit-log CSV/JSON downloads",
        description="Import files in one transaction: all of them, or nothing when one has an error (every "
        "problem of every file is listed, up to 200). "
        "Importing the same files again changes nothing.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a .json or .csv file")
    parser.add_argument(
        "--as",
        dest="acting",
        metavar="UPN",
        help="the acting Identity Governance or Global Administrator (default: the user the "
        "database login is bound to; none: the operator of a local file)",
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid records and list the others (still one transaction); without it "
        "one invalid record stops the import, and every problem found is listed",
    )
    parser.set_defaults(handler=run)


def run(args) -> int:
    actor = resolve_actor(args.acting)
    summary = guarded_import(
        actor,
        [Path(name).name for name in args.files],
        lambda: import_files(args.files, skip_invalid=args.skip_invalid),
    )
    print("\n".join(summary.lines()))
    return 0
