import sys

from desktop.audit_chain import verify


def register(subparsers) -> None:
    parser = subparsers.add_parser("audit", help="check the audit log")
    actions = parser.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "verify", help="check the audit chain; names the first record changed, removed or inserted")
    check.set_defaults(handler=run_verify)


def run_verify(args) -> int:
    report = verify()
    if report.intact:
        print(f"Audit log intact: {report.checked:,} records, chain verified.")
        return 0
    for problem in report.problems:
        print(problem.message, file=sys.stderr)
    print(f"Audit log NOT intact: {len(report.problems)} problem(s) in {report.checked:,} records.",
          file=sys.stderr)
    return 1
