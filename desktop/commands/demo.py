"""`demo`: fill a new database with the demo tenant, all or nothing.

On SQLite the tenant is built in a hidden file beside the database and renamed over it when
complete, so Ctrl-C or a kill leaves the database as it was (the next build removes what a
killed one left); on PostgreSQL the whole build is one transaction."""

import os
import re
import sys
import time
from pathlib import Path

from desktop.demo import SIZES, build_demo
from desktop.errors import Refused
from desktop.export.atomic import process_alive
from models import User, db
from models.database import close_database, current_location, open_database

_PARTIAL = re.compile(r"^\.(?P<name>.+)\.demo-(?P<pid>\d+)\.partial$")


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="fill a new database with the demo tenant")
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        default="small",
        help="small: about 500 users and 40 packages; large: Entra's limits",
    )
    parser.add_argument("--seed", type=int, default=7, help="the same seed builds the same tenant")
    parser.set_defaults(handler=run)


def run(args) -> int:
    started = time.monotonic()
    build = lambda: build_demo(args.size, args.seed, progress=_progress_bar())  # noqa: E731
    location = current_location()
    if location.kind == "sqlite":
        _build_beside(location.path, build)
    else:
        with db.atomic():
            build()
    print(
        f"\rDemo tenant ({args.size}, seed {args.seed}) built in {time.monotonic() - started:.1f} s." + " " * 30,
        file=sys.stderr,
    )
    return 0


def _build_beside(target: Path, build) -> None:
    if User.select().exists():
        raise Refused("The database already holds a tenant; build the demo into a new database file.")
    close_database()
    if target.with_name(target.name + "-wal").exists():
        open_database(target)
        raise Refused(f"{target} is open in another program; close it and build the demo again.")
    _remove_stale_partials(target.parent)
    partial = target.with_name(f".{target.name}.demo-{os.getpid()}.partial")
    try:
        open_database(partial)
        build()
        close_database()
        os.replace(partial, target)
    finally:
        close_database()
        _remove_files(partial)
        open_database(target)


def _remove_stale_partials(folder: Path) -> None:
    for path in folder.iterdir():
        match = _PARTIAL.match(path.name)
        if match and not process_alive(int(match.group("pid"))):
            _remove_files(path)


def _remove_files(database: Path) -> None:
    for path in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
        database.with_name(database.name + "-journal"),
    ):
        path.unlink(missing_ok=True)


def _progress_bar():
    last = [0.0]

    def show(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        filled = int(30 * done / total) if total else 30
        print(
            f"\r{phase:<28} [{'#' * filled}{'.' * (30 - filled)}] {done:>7,}/{total:,}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show
