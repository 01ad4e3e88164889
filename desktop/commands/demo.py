import sys
import time

from desktop.demo import SIZES, build_demo


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="fill a new database with the demo tenant")
    parser.add_argument("--size", choices=sorted(SIZES), default="small",
                        help="small: about 500 users and 40 packages; large: Entra's limits")
    parser.add_argument("--seed", type=int, default=7, help="the same seed builds the same tenant")
    parser.set_defaults(handler=run)


def run(args) -> int:
    started = time.monotonic()
    build_demo(args.size, args.seed, progress=_progress_bar())
    print(f"\rDemo tenant ({args.size}, seed {args.seed}) built in {time.monotonic() - started:.1f} s."
          + " " * 30, file=sys.stderr)
    return 0


def _progress_bar():
    last = [0.0]

    def show(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        filled = int(30 * done / total) if total else 30
        print(f"\r{phase:<28} [{'#' * filled}{'.' * (30 - filled)}] {done:>7,}/{total:,}",
              end="", file=sys.stderr, flush=True)

    return show
