"""Importing directoryAudit records from one Graph JSON file and from the admin center's CSV
download, against bare scripts.

    python -m bench.bench_import [--records N] [--csv-rows N] [--runs N] [--data DIR]

The default sizes are short (20,000 records, 5,000 CSV rows); the issue's scale is
`--records 1000000 --csv-rows 250000` (a tenant at Entra's limits, and the admin center's
download limit), which `python -m bench` runs. The bare script streams the same file with
ijson's C backend and inserts the same rows (the same derived columns and chain hashes) with one
sqlite3 executemany; the importer adds what it is for: field checks and quirks, duplicate
detection, chunked writes, the summary. Goals: import CPU time at most 3 times a minimal store's
(issue 13: the same bare script into an audit table without secondary indexes) and, beside it,
at most 1.5 times the bare script's into the app's own schema (CPU time, as the machine is
shared; wall time is shown too); peak memory of the import process at most 300 MB. The CSV is
measured the same way against a minimal store that reads it with the csv module and maps a row
with the app's own layout function (desktop.importers.entra_csv.audit_document). Each
measurement runs in its own process, so ru_maxrss is its own peak; the databases of one format
end with identical audit rows, which the bench checks. The files and databases go to a
temporary directory, removed at the end, unless --data names one to keep them in (the file is
then generated once and reused).
"""

import argparse
import csv
import hashlib
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.harness import Figure, report, sampled

GOAL_RATIO = 1.5
GOAL_MINIMAL_RATIO = 3.0
GOAL_PEAK_MB = 300
EM, CORE = "Entitlement Management", "Core Directory"
GOVERNANCE_APP = ("Azure AD Identity Governance - User Management", "4f8a3a2c-6d1e-4a8b-9b47-0e2f6c1d5a93")
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
# (category, activity, operation type, service, who initiates, what it targets), in the
# proportions of a tenant whose audit log is mostly access-package traffic: a request's steps,
# the group memberships and app role grants its delivery writes, and the directory's own
# changes around them. One event in 20 is a user update; one in 40 a failure.
ACTIVITIES = (
    ("EntitlementManagement", "User requests access package assignment", "Add", EM, "user", "request"),
    ("UserManagement", "Create request approval", "Add", CORE, "app", "approval"),
    ("UserManagement", "Add approver to request approval", "Add", CORE, "app", "approval"),
    ("EntitlementManagement", "Approve access package assignment request", "Update", EM, "approver", "decision"),
    ("EntitlementManagement", "Ready to fulfill access package assignment request", "Update", EM, "app", "request"),
    ("GroupManagement", "Add member to group", "Assign", CORE, "app", "group"),
    ("ApplicationManagement", "Add app role assignment grant to user", "Assign", CORE, "app", "app role"),
    ("EntitlementManagement", "Fulfill access package assignment", "Assign", EM, "app", "assignment"),
    ("EntitlementManagement", "User requests access package assignment", "Add", EM, "user", "request"),
    ("EntitlementManagement", "Auto approve access package assignment request", "Update", EM, "app", "decision"),
    ("EntitlementManagement", "Ready to fulfill access package assignment request", "Update", EM, "app", "request"),
    ("GroupManagement", "Add member to group", "Assign", CORE, "app", "group"),
    ("EntitlementManagement", "Fulfill access package assignment", "Assign", EM, "app", "assignment"),
    ("UserManagement", "Update user", "Update", CORE, "admin", "user"),
    ("EntitlementManagement", "Remove access package assignment", "Unassign", EM, "app", "assignment"),
    ("GroupManagement", "Remove member from group", "Unassign", CORE, "app", "group"),
    ("EntitlementManagement", "User requests access package assignment", "Add", EM, "user", "request"),
    ("EntitlementManagement", "Approve access package assignment request", "Update", EM, "approver", "decision"),
    ("GroupManagement", "Add member to group", "Assign", CORE, "app", "group"),
    ("EntitlementManagement", "Fulfill access package assignment", "Assign", EM, "app", "assignment"),
)
# A few names beyond ASCII, as a real directory has, so the folded search keys are exercised.
FIRST_NAMES = ("Adele", "Zoë", "Jürgen", "Sofía", "Łukasz", "Ana", "Nestor", "Miriam", "Ståle", "Henrietta")
LAST_NAMES = ("Vance", "Müller", "Nakamura", "Graham", "Okafor", "García", "Østergaard", "Nowak", "Lee", "Brown")


def data_file(records: int, data: Path) -> Path:
    return data / f"directoryAudits-{records}.json"


def csv_file(rows: int, data: Path) -> Path:
    return data / f"AuditLogs-{rows}.csv"


def audit_documents(records: int):
    """`records` directoryAudit documents as Graph lists them: newest first, ids in Graph's own
    forms (`IGA_…`, `Directory_…`), 7 fraction digits, modified properties with JSON-quoted values."""
    random.seed(11)

    def guid() -> str:
        return str(uuid.UUID(int=random.getrandbits(128), version=4))

    users = []
    for n in range(5000):
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)]
        users.append((guid(), f"{first} {last} {n}", f"user{n}@contoso.com"))
    packages = [(guid(), f"Package {n}") for n in range(300)]
    groups = [(guid(), f"Group {n}") for n in range(600)]
    apps = [(guid(), f"App {n}", guid()) for n in range(100)]
    newest = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for n in range(records):
        category, activity, operation, service, initiator_kind, target_kind = ACTIVITIES[n % len(ACTIVITIES)]
        actor, target = random.choice(users), random.choice(users)
        package, group, app = random.choice(packages), random.choice(groups), random.choice(apps)
        moment = newest - timedelta(seconds=n * 30, microseconds=random.randrange(1_000_000))
        failed = n % 40 == 13
        if initiator_kind == "app":
            initiator = {
                "user": None,
                "app": {
                    "appId": None,
                    "displayName": GOVERNANCE_APP[0],
                    "servicePrincipalId": GOVERNANCE_APP[1],
                    "servicePrincipalName": None,
                },
            }
        else:
            initiator = {
                "user": {
                    "id": actor[0],
                    "displayName": actor[1],
                    "userPrincipalName": actor[2],
                    "ipAddress": f"203.0.113.{n % 250 + 1}",
                },
                "app": None,
            }
        user_target = _target(target[0], target[1], "User", target[2])
        details = [{"key": "RequestId", "value": guid()}]
        if target_kind == "request":
            targets = [_target(*package, "AccessPackage"), user_target]
        elif target_kind == "approval":
            targets = [_target(guid(), None, "Request"), _target(*package, "AccessPackage")]
        elif target_kind == "decision":
            state = _changed("RequestState", "PendingApproval", "Delivering")
            targets = [_target(guid(), None, "AccessPackageAssignmentRequest", None, [state])]
            targets.append(_target(*package, "AccessPackage"))
        elif target_kind == "assignment":
            state = _changed("AssignmentState", "Delivering", "Delivered" if operation == "Assign" else "Expired")
            targets = [_target(*package, "AccessPackage"), _target(target[0], target[1], "User", target[2], [state])]
        elif target_kind == "group":
            changes = [_changed("Group.ObjectID", None, group[0]), _changed("Group.DisplayName", None, group[1])]
            targets = [_target(target[0], None, "User", target[2], changes), _target(*group, "Group")]
            details = []
        elif target_kind == "app role":
            changes = [
                _changed("AppRole.Id", None, guid()),
                _changed("AppRole.Value", None, "User"),
                _changed("User.UPN", None, target[2]),
                _changed("TargetId.ServicePrincipalNames", None, app[2]),
            ]
            targets = [_target(app[0], app[1], "ServicePrincipal", None, changes), user_target]
            details = []
        else:  # a user updated by an administrator in the admin center
            changes = [
                _changed("Department", "Sales", "Marketing"),
                _changed("Included Updated Properties", None, "Department"),
            ]
            targets = [_target(target[0], None, "User", target[2], changes)]
            details = [{"key": "UserType", "value": "Member"}, {"key": "User-Agent", "value": USER_AGENT}]
        prefix = "IGA" if category == "EntitlementManagement" else "Directory"
        yield {
            "id": f"{prefix}_{guid()}_{'ABCDEFGHJK'[n % 10]}{n % 7}QX{n % 9}_{10_000_000 + n}",
            "category": category,
            "correlationId": guid(),
            "result": "failure" if failed else "success",
            "resultReason": "Microsoft.Online.Workflows.ObjectAlreadyExistsException" if failed else "",
            "activityDisplayName": activity,
            "activityDateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{n % 10}Z",
            "loggedByService": service,
            "operationType": operation,
            "initiatedBy": initiator,
            "targetResources": targets,
            "additionalDetails": details,
        }


def _target(pk, name, kind, upn=None, changes=()) -> dict:
    return {
        "id": pk,
        "displayName": name,
        "type": kind,
        "userPrincipalName": upn,
        "groupType": None,
        "modifiedProperties": list(changes),
    }


def _changed(name: str, old: str | None, new: str) -> dict:
    """A modified property as Graph writes it: each value a JSON text (a quoted string)."""
    return {"displayName": name, "oldValue": json.dumps(old) if old else None, "newValue": json.dumps(new)}


def generate(path: Path, records: int) -> None:
    """A one-page Graph list response of `records` directoryAudit documents, as Graph writes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(
            '{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits","value":['
        )
        for n, document in enumerate(audit_documents(records)):
            handle.write(("," if n else "") + json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        handle.write("]}")
    partial.rename(path)


def generate_csv(path: Path, rows: int) -> None:
    """The admin center's audit-log download of the same documents: 86 columns, UTF-8 with a BOM."""
    from desktop.export.entra_layout import ENTRA_AUDIT_COLUMNS, entra_row

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ENTRA_AUDIT_COLUMNS)
        writer.writerows(entra_row(document) for document in audit_documents(rows))
    partial.rename(path)


def fresh_database(path: Path) -> None:
    from models.database import close_database, open_database

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_database(path)
    close_database()


def run_importer(db_path: Path, file: Path) -> int:
    from desktop.importers import import_files
    from models.database import close_database, open_database

    open_database(db_path)
    try:
        return import_files([file]).counts["directoryAudit"]["created"]
    finally:
        close_database()


def drop_audit_indexes(db_path: Path) -> None:
    """The minimal store: the audit table without its secondary indexes."""
    connection = sqlite3.connect(str(db_path))
    with connection:
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_event' AND sql IS NOT NULL"
        ).fetchall():
            connection.execute(f'DROP INDEX "{name}"')
    connection.close()


def run_minimal(db_path: Path, file: Path) -> int:
    """The bare script into an audit table without secondary indexes: the minimal store."""
    drop_audit_indexes(db_path)
    return run_bare(db_path, file)


def run_minimal_csv(db_path: Path, file: Path) -> int:
    """The admin center's CSV read with the csv module, each row mapped by the app's layout
    function, the same columns and chain hashes, one executemany into the minimal store."""
    from desktop.importers.entra_csv import audit_document

    def documents():
        with open(file, encoding="utf-8-sig", newline="") as handle:
            rows = csv.reader(handle)
            next(rows)
            for cells in rows:
                yield audit_document(cells)

    drop_audit_indexes(db_path)
    return insert_bare(db_path, documents())


def run_bare(db_path: Path, file: Path) -> int:
    """Stream with ijson's C backend, derive the same columns and chain hashes, one sqlite3
    executemany."""
    import ijson

    backend = ijson.get_backend("yajl2_c")
    with open(file, "rb") as handle:
        return insert_bare(db_path, backend.items(handle, "value.item", use_float=True))


def insert_bare(db_path: Path, documents) -> int:
    from models import AuditEvent
    from models.audit_chain import GENESIS, chain_hash, content_hash, hashed_fields, hashed_values
    from models.database import SQLITE_PRAGMAS

    fields = hashed_fields(AuditEvent)
    names = [field.name for field in fields]
    json_columns = {"initiated_by", "target_resources", "additional_details", "graph_extra"}
    connection = sqlite3.connect(str(db_path))
    for name, value in SQLITE_PRAGMAS.items():
        connection.execute(f"PRAGMA {name} = {value}")
    head = [GENESIS]

    def rows():
        for document in documents:
            values = _bare_columns(document)
            stored = [
                json.dumps(values[n], ensure_ascii=False, separators=(",", ":"))
                if n in json_columns and values[n] is not None
                else values[n]
                for n in names
            ]
            content = content_hash(hashed_values(fields, stored))
            head[0] = chain_hash(head[0], content)
            yield (*stored, content, head[0])

    columns = ", ".join([*names, "content_hash", "chain_hash"])
    marks = ", ".join("?" * (len(names) + 2))
    with connection:
        cursor = connection.executemany(f"INSERT INTO audit_event ({columns}) VALUES ({marks})", rows())
        connection.execute("UPDATE schema_info SET value = ? WHERE key = 'audit_chain_head'", (head[0],))
    connection.close()
    return cursor.rowcount


def _fold(text: str | None) -> str | None:
    """The search key (Unicode case folding, NFKC), as the app's key columns hold it."""
    if not text:
        return None
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _bare_columns(document: dict) -> dict:
    initiator = document.get("initiatedBy") or {}
    user, app = initiator.get("user"), initiator.get("app")
    if user:
        kind, actor_id, upn, name = "user", user.get("id"), user.get("userPrincipalName"), user.get("displayName")
    elif app:
        kind, upn, name = "app", None, app.get("displayName")
        actor_id = app.get("servicePrincipalId") or app.get("appId")
    else:
        kind = actor_id = upn = name = None
    targets = document.get("targetResources") or []
    moment = document["activityDateTime"]
    text_time = moment if isinstance(moment, str) else None
    moment = datetime.fromisoformat(moment) if text_time else moment
    first = next((t for t in targets if t.get("userPrincipalName")), None) or (targets[0] if targets else {})
    package = next((t for t in targets if t.get("type") == "AccessPackage"), None)
    return {
        "id": document["id"],
        "activity_date_time": moment.replace(tzinfo=None),
        "category": document["category"],
        "activity_display_name": document["activityDisplayName"],
        "operation_type": document["operationType"],
        "result": document["result"],
        "result_reason": document["resultReason"] or None,
        "logged_by_service": document["loggedByService"],
        "correlation_id": document["correlationId"],
        "initiated_by": initiator,
        "initiated_by_type": kind,
        "initiated_by_id": actor_id,
        "initiated_by_upn": upn,
        "initiated_by_display_name": name,
        "initiated_by_upn_key": _fold(upn),
        "initiated_by_name_key": _fold(name),
        "target_resources": targets,
        "target_upn_key": _fold(first.get("userPrincipalName")),
        "target_name_key": _fold(first.get("displayName")),
        "additional_details": document.get("additionalDetails") or [],
        "access_package_id": package["id"] if package else None,
        # Graph's 7 fraction digits, which a datetime cannot hold, kept as text.
        "graph_extra": {"activityDateTime": text_time} if text_time and len(text_time) > 27 else None,
    }


def audit_digest(db_path: Path) -> str:
    """sha256 over the audit rows and the chain head, in write order."""
    digest = hashlib.sha256()
    connection = sqlite3.connect(str(db_path))
    for row in connection.execute("SELECT * FROM audit_event ORDER BY seq"):
        digest.update(repr(row).encode())
    digest.update(
        repr(connection.execute("SELECT value FROM schema_info WHERE key = 'audit_chain_head'").fetchone()).encode()
    )
    connection.close()
    return digest.hexdigest()


def measure(kind: str, db_path: Path, file: Path) -> dict:
    """Run one measurement in a child process: seconds, rows and peak memory."""
    fresh_database(db_path)
    output = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--child", kind, str(db_path), str(file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def child(kind: str, db_path: Path, file: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    run = {
        "importer": run_importer,
        "bare": run_bare,
        "minimal": run_minimal,
        "importer-csv": run_importer,
        "minimal-csv": run_minimal_csv,
    }[kind]
    rows = run(db_path, file)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak_mb = after.ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "peak_mb": peak_mb}))


def _same_rows(*paths: Path) -> bool:
    """Whether the databases hold identical audit rows and chain heads; then removes them."""
    same = len({audit_digest(path) for path in paths}) == 1
    for path in paths:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return same


def figures(records: int, csv_rows: int, runs: int, data: Path) -> list[Figure]:
    """P4: `runs` rounds of the minimal store, the bare script then the importer, one process
    each, no warm-up (a round takes minutes at 1,000,000 records); ratios of CPU time. Then
    the admin center's CSV of `csv_rows` rows, the same way against its minimal store."""
    found = json_figures(records, runs, data)
    if csv_rows:
        found += csv_figures(csv_rows, runs, data)
    return found


def json_figures(records: int, runs: int, data: Path) -> list[Figure]:
    file = data_file(records, data)
    if not file.exists():
        print(f"generating {file} ...", file=sys.stderr, flush=True)
        generate(file, records)
    bare_db, importer_db, minimal_db = (data / f"import-{kind}.db" for kind in ("bare", "importer", "minimal"))
    rounds, minimal_rounds = [], []
    for _round in range(runs):
        minimal_rounds.append(measure("minimal", minimal_db, file))
        rounds.append((measure("bare", bare_db, file), measure("importer", importer_db, file)))
    same = _same_rows(bare_db, importer_db, minimal_db)
    assert same and all(imported["rows"] == records for _, imported in rounds), (
        "the importer and the bare script wrote different audit rows"
    )
    bare_cpu = statistics.median(bare["cpu"] for bare, _ in rounds)
    importer_cpu = statistics.median(imported["cpu"] for _, imported in rounds)
    wall_ratio = statistics.median(imported["seconds"] / bare["seconds"] for bare, imported in rounds)
    minimal_cpu = statistics.median(minimal["cpu"] for minimal in minimal_rounds)
    minimal_wall = statistics.median(
        imported["seconds"] / minimal["seconds"] for (_, imported), minimal in zip(rounds, minimal_rounds)
    )
    return [
        sampled(
            "P4",
            f"import ÷ minimal store (ijson C + executemany, no secondary indexes), CPU ({records:,})",
            [imported["cpu"] / minimal["cpu"] for (_, imported), minimal in zip(rounds, minimal_rounds)],
            "x",
            GOAL_MINIMAL_RATIO,
            warmups=0,
            note=f"minimal store {minimal_cpu:.1f} s CPU; wall ratio {minimal_wall:.2f}; measured in the "
            "same run as the same-schema ratio below",
        ),
        sampled(
            "P4",
            f"import ÷ bare ijson + executemany, same schema, CPU time ({records:,} records)",
            [imported["cpu"] / bare["cpu"] for bare, imported in rounds],
            "x",
            GOAL_RATIO,
            warmups=0,
            note=f"import {importer_cpu:.1f} s CPU ({records / importer_cpu:,.0f} records/CPU s), bare "
            f"{bare_cpu:.1f} s CPU; wall ratio {wall_ratio:.2f}; identical audit rows and chain head",
        ),
        sampled(
            "P4",
            "import peak memory (ru_maxrss)",
            [imported["peak_mb"] for _, imported in rounds],
            "MB",
            GOAL_PEAK_MB,
            warmups=0,
            note=f"bare script: {statistics.median(bare['peak_mb'] for bare, _ in rounds):.0f} MB; "
            f"JSON file {file.stat().st_size / 2**20:,.0f} MiB",
        ),
    ]


def csv_figures(rows: int, runs: int, data: Path) -> list[Figure]:
    file = csv_file(rows, data)
    if not file.exists():
        print(f"generating {file} ...", file=sys.stderr, flush=True)
        generate_csv(file, rows)
    importer_db, minimal_db = data / "import-csv.db", data / "import-minimal-csv.db"
    rounds = []
    for _round in range(runs):
        rounds.append((measure("minimal-csv", minimal_db, file), measure("importer-csv", importer_db, file)))
    same = _same_rows(importer_db, minimal_db)
    assert same and all(imported["rows"] == rows for _, imported in rounds), (
        "the importer and the bare CSV script wrote different audit rows"
    )
    importer_cpu = statistics.median(imported["cpu"] for _, imported in rounds)
    minimal_cpu = statistics.median(minimal["cpu"] for minimal, _ in rounds)
    wall_ratio = statistics.median(imported["seconds"] / minimal["seconds"] for minimal, imported in rounds)
    return [
        sampled(
            "P4",
            f"Entra admin center CSV import ÷ minimal store (csv + executemany, no secondary indexes), CPU ({rows:,} rows)",
            [imported["cpu"] / minimal["cpu"] for minimal, imported in rounds],
            "x",
            GOAL_MINIMAL_RATIO,
            warmups=0,
            note=f"import {importer_cpu:.1f} s CPU ({rows / importer_cpu:,.0f} rows/CPU s), "
            f"{statistics.median(imported['seconds'] for _, imported in rounds):.1f} s wall; minimal store "
            f"{minimal_cpu:.1f} s CPU; wall ratio {wall_ratio:.2f}; identical audit rows and chain head",
        ),
        sampled(
            "P4",
            f"Entra admin center CSV import peak memory (ru_maxrss, {rows:,} rows)",
            [imported["peak_mb"] for _, imported in rounds],
            "MB",
            GOAL_PEAK_MB,
            warmups=0,
            note=f"minimal store: {statistics.median(minimal['peak_mb'] for minimal, _ in rounds):.0f} MB; "
            f"CSV file {file.stat().st_size / 2**20:,.0f} MiB",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="JSON records (the issue's scale: 1,000,000)")
    parser.add_argument(
        "--csv-rows", type=int, default=5_000, help="admin-center CSV rows (its download limit: 250,000; 0: none)"
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--data", type=Path, help="keep the generated files and databases here (default: a temporary directory)"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DB", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0
    if args.data:
        args.data.mkdir(parents=True, exist_ok=True)
        results = figures(args.records, args.csv_rows, args.runs, args.data)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
            results = figures(args.records, args.csv_rows, args.runs, Path(scratch))
    report(results, args.json)
    # A missed goal is reported in the table, not by the exit status: `python -m bench` reads a
    # non-zero exit as a crash and shows the area as "not run", and at the smoke test's 2,000
    # records the ratio sits close to its goal.
    return 0


if __name__ == "__main__":
    sys.exit(main())
