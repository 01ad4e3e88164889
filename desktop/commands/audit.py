import sys

from desktop.audit_anchor import verify_anchor, write_anchor
from desktop.audit_chain import verify


def register(subparsers) -> None:
    parser = subparsers.add_parser("audit", help="check the audit log; anchor it outside the database")
    actions = parser.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "verify", help="check the audit chain; names the first record changed, removed or inserted"
    )
    check.add_argument(
        "--anchor",
        metavar="FILE",
        help="also check against an anchor from `audit anchor`: catches truncation and a "
        "chain recomputed after records were changed",
    )
    check.set_defaults(handler=run_verify)
    anchor = actions.add_parser(
        "anchor",
        help="write the record count and chain head, signed with your key, to keep outside the database",
        description="The key is made on first use in your config folder, readable by you only. Keep the "
        "anchor file where those who can write the database cannot.",
    )
    anchor.add_argument("-o", "--output", required=True, metavar="FILE")
    anchor.set_defaults(handler=run_anchor)


def run_verify(args) -> int:
    report = verify()
    anchored = verify_anchor(args.anchor) if args.anchor else None
    problems = [problem.message for problem in report.problems] + (anchored.problems if anchored else [])
    if anchored:
        owner = "your key" if anchored.own_key else "NOT your key: compare the fingerprint with the signer's"
        print(
            f"Anchor of {anchored.anchor['anchoredAt']}: {anchored.anchor['records']:,} records, signed by "
            f"{anchored.key_fingerprint} ({owner})."
        )
    if not problems:
        since = (
            f"; the first {anchored.anchor['records']:,} match the anchor, "
            f"{report.checked - anchored.anchor['records']:,} written since"
            if anchored
            else ""
        )
        print(f"Audit log intact: {report.checked:,} records, chain verified{since}.")
        return 0
    for message in problems:
        print(message, file=sys.stderr)
    print(f"Audit log NOT intact: {len(problems)} problem(s) in {report.checked:,} records.", file=sys.stderr)
    return 1


def run_anchor(args) -> int:
    anchor = write_anchor(args.output)
    print(
        f"Anchored {anchor['records']:,} records (chain head {anchor['chainHead'][:16]}…) in {args.output}. "
        "Keep it outside the database; check later with: audit verify --anchor FILE"
    )
    return 0
