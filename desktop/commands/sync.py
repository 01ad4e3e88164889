"""`sync`: sign in to Microsoft Entra and bring the tenant in from Microsoft Graph; `sync --history`,
`sign-out`."""

import sys

from desktop.graph.clouds import CLOUDS
from desktop.graph.connection import open_client, sign_in_settings
from desktop.graph.sync import WRITING, Sync, history, parse_kinds
from desktop.graph.tokens import ENVIRONMENT_TOKEN, UserToken, token_cache


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="sign in to Microsoft Entra and sync the tenant from Microsoft Graph",
        description="Fetch the tenant from Microsoft Graph and import it in one transaction: all of it, or nothing "
        "when anything fails or you interrupt it. The next sync asks only for what changed. "
        f"A token in ${ENVIRONMENT_TOKEN} is used as is, without signing in.",
    )
    parser.add_argument("--graph-url", metavar="URL", help="the Graph endpoint root (default: the cloud's)")
    parser.add_argument("--cloud", choices=sorted(CLOUDS), help="sign-in authority and Graph (default: global)")
    parser.add_argument("--tenant", metavar="T", help="tenant id or domain (default: the account's home tenant)")
    parser.add_argument("--client-id", metavar="C", help="the application (client) id to sign in with")
    parser.add_argument(
        "--certificate",
        metavar="PEM",
        help="app-only sign-in: a PEM file with the app's private key and certificate (needs --tenant and --client-id)",
    )
    parser.add_argument("--device-code", action="store_true", help="sign in with a code on another device")
    parser.add_argument("--only", metavar="KIND,…", help="sync only these kinds (for example user,group)")
    parser.add_argument("--full", action="store_true", help="ignore the stored delta links: fetch everything")
    parser.add_argument("--history", action="store_true", help="list the syncs of this database and stop")
    parser.set_defaults(handler=run)
    sign_out = subparsers.add_parser("sign-out", help="forget the signed-in account and its cached tokens")
    sign_out.add_argument("--tenant", metavar="T")
    sign_out.add_argument("--client-id", metavar="C")
    sign_out.set_defaults(handler=run_sign_out)


def run(args) -> int:
    if args.history:
        print_history()
        return 0
    only = parse_kinds(args.only)
    settings = sign_in_settings(
        cloud=args.cloud,
        graph_url=args.graph_url,
        tenant=args.tenant,
        client_id=args.client_id,
        certificate=args.certificate,
        device_code=args.device_code,
    )
    cache = token_cache()
    client, provider = open_client(settings, cache=cache, show_device_code=lambda text: print(text, file=sys.stderr))
    if isinstance(provider, UserToken) and not cache.persisted:
        print(f"entitlement-desk-cli: {cache.note}", file=sys.stderr)
    reporter = _Reporter()
    with client:
        outcome = Sync(
            client,
            only=only,
            full=args.full,
            progress=reporter,
            cloud=settings.cloud.name,
            client_id=settings.client_id,
        ).run()
    reporter.done()
    print(
        f"Synced {outcome.identity.tenant_name or outcome.identity.tenant_id} as {outcome.identity.describe()} "
        f"({outcome.run.mode})."
    )
    print(_counts_line(outcome.run.counts))
    for line in outcome.summary.lines()[1:]:
        print(line)
    return 0


def run_sign_out(args) -> int:
    settings = sign_in_settings(tenant=args.tenant, client_id=args.client_id)
    cache = token_cache()
    UserToken(settings, cache).sign_out()
    print(
        "Signed out: the cached tokens are gone."
        if cache.persisted
        else "Signed out (tokens were only ever kept in memory)."
    )
    return 0


def print_history() -> None:
    runs = history()
    if not runs:
        print("No sync yet.")
        return
    for run in runs:
        finished = run.finished_at.strftime("%Y-%m-%d %H:%M:%SZ") if run.finished_at else "—"
        print(
            f"#{run.id}  {run.started_at:%Y-%m-%d %H:%M:%SZ} → {finished}  {run.result:<9}  {run.mode:<11}  "
            f"{run.signed_in or '—'}  {run.endpoint}"
        )
        if run.counts:
            print(f"    {_counts_line(run.counts)}")
        if run.message:
            print(f"    {run.message}")


def _counts_line(counts: dict | None) -> str:
    parts = []
    for kind, numbers in sorted((counts or {}).items()):
        deleted = numbers.get("deleted", 0)
        parts.append(f"{kind} {numbers.get('fetched', 0):,}" + (f" ({deleted:,} deleted)" if deleted else ""))
    return "fetched: " + ", ".join(parts) if parts else "fetched nothing"


class _Reporter:
    """Progress on stderr: one line per kind, rewritten as its records come in."""

    def __init__(self):
        self.kind = None
        self.interactive = sys.stderr.isatty()

    def __call__(self, kind: str, records: int, total: int) -> None:
        if kind == WRITING:
            if self.kind != WRITING:
                self.done()
                print("  writing to the database…", file=sys.stderr, flush=True)
                self.kind = WRITING
            return
        if self.interactive:
            new_line = "\n" if kind != self.kind and self.kind is not None else ""
            print(f"{new_line}\r  {kind}: {records:,} records", end="", file=sys.stderr, flush=True)
        elif kind != self.kind:
            print(f"  {kind}…", file=sys.stderr)
        self.kind = kind

    def done(self) -> None:
        if self.interactive and self.kind not in (None, WRITING):
            print(file=sys.stderr)
