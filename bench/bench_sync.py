"""Sync of a demo-shaped tenant served by the stand-in Graph, against its two halves measured alone.

    python -m bench.bench_sync [--size small|medium|large] [--users N --packages N --assignments N --audits N]

Three measurements, each in its own process (so ru_maxrss is its own peak), against one stand-in
Graph served from a further process on 127.0.0.1 (the same pages for all three):
  sync    `Sync.run()`: fetch, import, delta links, the run record — into a fresh database;
  fetch   a bare httpx loop that fetches the same lists and batches and parses every page;
  import  `import_documents` alone, fed the pages the bare loop saved, into a fresh database.
Goal (issue 14, large demo: 100,000 users, 4,000 packages, 100,000 assignments, 1,000,000 audit
records): sync ≤ 1.3 × (fetch + import) and peak memory ≤ 400 MB. Prints a Markdown table.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, report, run_child

SIZES = {  # users, packages, assignments, audit records
    "tiny": (50, 3, 50, 200),  # `python -m bench --quick`: a smoke test, its figures mean nothing
    "small": (2_000, 80, 2_000, 20_000),
    "medium": (20_000, 800, 20_000, 200_000),
    "large": (100_000, 4_000, 100_000, 1_000_000),
}
PAGE_SIZE = 999
TOKEN = "stand-in-token"


def serve(shape: tuple[int, int, int, int], port_file: Path) -> None:
    """The stand-in Graph, until the parent ends this process."""
    from tests.helpers.graph_standin import GraphStandIn, build_tenant

    users, packages, assignments, audits = shape
    tenant = build_tenant(users=users, packages=packages, assignments=assignments, audits=audits)
    with GraphStandIn(tenant, page_size=PAGE_SIZE, tokens={TOKEN}) as graph:
        port_file.write_text(graph.url)
        while True:
            time.sleep(3600)


def measure_sync(url: str, db_path: Path) -> dict:
    from desktop.graph.client import GraphClient
    from desktop.graph.sync import Sync
    from desktop.graph.tokens import EnvironmentToken
    from models.database import close_database, open_database

    open_database(db_path)
    try:
        with GraphClient(url, EnvironmentToken(TOKEN)) as client:
            outcome = Sync(client).run()
        return {"records": sum(outcome.fetched.values())}
    finally:
        close_database()


def measure_fetch(url: str, pages: Path) -> dict:
    """Plain httpx: the same lists, the same batches of 20, every page parsed; pages saved for
    the import-alone run (the saving is not timed)."""
    import httpx

    from desktop.graph import plan

    headers = {"Authorization": f"Bearer {TOKEN}"}
    saving = saving_cpu = 0.0
    records = 0
    number = 0
    with httpx.Client(headers=headers, timeout=100) as http:

        def save(request_url: str, body: dict) -> None:
            nonlocal saving, saving_cpu, records, number
            started, started_cpu = time.perf_counter(), time.process_time()
            records += len(body.get("value") or [])
            (pages / f"{number:07d}.json").write_text(json.dumps([request_url, body]))
            number += 1
            saving += time.perf_counter() - started
            saving_cpu += time.process_time() - started_cpu

        def listed(path: str, extra: dict | None = None, keep: bool = False) -> list[dict]:
            """Every page of a list; kept only when a later list needs its ids."""
            bodies, next_url = [], url + path
            while next_url:
                body = http.get(next_url, headers=extra).json()
                save(next_url, body)
                if keep:
                    bodies.append(body)
                next_url = body.get("@odata.nextLink")
            return bodies

        def batched(paths: list[str], keep: bool = False) -> list[dict]:
            """Lists 20 to a $batch; a sub-response's next pages one by one, as the client does."""
            bodies = []
            for start in range(0, len(paths), 20):
                chunk = paths[start : start + 20]
                answer = http.post(
                    f"{url}/v1.0/$batch",
                    json={
                        "requests": [
                            {"id": str(i), "method": "GET", "url": p[len("/v1.0") :]} for i, p in enumerate(chunk)
                        ]
                    },
                ).json()
                for response in sorted(answer["responses"], key=lambda r: int(r["id"])):
                    body = response["body"]
                    save(url + chunk[int(response["id"])], body)
                    if keep:
                        bodies.append(body)
                    if body.get("@odata.nextLink"):
                        bodies += listed(body["@odata.nextLink"][len(url) :], keep=keep)
            return bodies

        def ids(bodies: list[dict], test=lambda record: True, key="id") -> list[str]:
            return [r[key] for body in bodies for r in body.get("value") or [] if test(r)]

        for path in ("/v1.0/organization?$select=id,displayName", "/v1.0/me?$select=id,displayName,userPrincipalName"):
            http.get(url + path).json()
        listed("/v1.0/me/memberOf/microsoft.graph.directoryRole?$select=id,displayName,roleTemplateId")
        listed(plan.USERS_DELTA, plan.DELTA_HEADERS)
        listed(plan.GROUPS_DELTA, plan.DELTA_HEADERS)
        roles = ids(listed(plan.DIRECTORY_ROLES, keep=True))
        listed(plan.CONNECTED_ORGANIZATIONS)
        catalogs = ids(listed(plan.CATALOGS, keep=True))
        batched([plan.role_members(pk) for pk in roles])
        resource_pages = batched([plan.catalog_resources(pk) for pk in catalogs], keep=True)
        batched(
            [
                plan.group_members(pk)
                for pk in dict.fromkeys(ids(resource_pages, lambda r: r.get("originSystem") == "AadGroup", "originId"))
            ]
        )
        batched(
            [
                plan.app_role_assignments(pk)
                for pk in dict.fromkeys(
                    ids(resource_pages, lambda r: r.get("originSystem") == "AadApplication", "originId")
                )
            ]
        )
        for path in (plan.ACCESS_PACKAGES, plan.POLICIES, plan.ASSIGNMENTS):
            listed(path)
        request_pages = listed(plan.REQUESTS, keep=True)
        batched([plan.approval_stages(pk) for pk in ids(request_pages, lambda r: r.get("state") == "pendingApproval")])
        listed(plan.AUDITS)
    return {"records": records, "untimed": saving, "untimed_cpu": saving_cpu}


def measure_import(pages: Path, db_path: Path) -> dict:
    from desktop.graph.sync import LISTED_WHOLE
    from desktop.importers import import_documents, kinds
    from models.database import close_database, open_database

    reading = reading_cpu = 0.0

    def documents():
        nonlocal reading, reading_cpu
        for page in sorted(pages.iterdir()):
            started, started_cpu = time.perf_counter(), time.process_time()
            request_url, body = json.loads(page.read_text())
            reading += time.perf_counter() - started
            reading_cpu += time.process_time() - started_cpu
            yield request_url, body

    open_database(db_path)
    try:
        summary = import_documents(documents(), complete=[*LISTED_WHOLE, kinds.USER, kinds.GROUP])
    finally:
        close_database()
    return {
        "records": sum(sum(c.values()) for c in summary.counts.values()),
        "untimed": reading,
        "untimed_cpu": reading_cpu,
    }


def child(argv: list[str]) -> None:
    kind, *rest = argv
    started, started_cpu = time.perf_counter(), time.process_time()
    if kind == "sync":
        result = measure_sync(rest[0], Path(rest[1]))
    elif kind == "fetch":
        result = measure_fetch(rest[0], Path(rest[1]))
    else:
        result = measure_import(Path(rest[0]), Path(rest[1]))
    seconds = time.perf_counter() - started - result.get("untimed", 0.0)
    # Process CPU time (every thread's): the stand-in Graph's work is in its own process.
    cpu = time.process_time() - started_cpu - result.get("untimed_cpu", 0.0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, **result}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    for name in ("users", "packages", "assignments", "audits"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    if args.serve:
        serve(tuple(int(v) for v in args.serve[:4]), Path(args.serve[4]))
        return 0
    shape = tuple(
        getattr(args, name) or default
        for name, default in zip(("users", "packages", "assignments", "audits"), SIZES[args.size])
    )
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as scratch:
        folder = Path(scratch)
        port_file = folder / "url"
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_sync", "--serve", *map(str, shape), str(port_file)]
        )
        try:
            while not port_file.exists() or not port_file.read_text():
                if server.poll() is not None:
                    raise SystemExit("the stand-in Graph did not start")
                time.sleep(0.2)
            url = port_file.read_text()
            pages = folder / "pages"
            pages.mkdir()
            fetched = _run(["fetch", url, str(pages)])
            imported = _run(["import", str(pages), str(folder / "import.db")])
            synced = _run(["sync", url, str(folder / "sync.db")])
        finally:
            server.terminate()
            server.wait()
    halves = fetched["seconds"] + imported["seconds"]
    label = f"{shape[0]:,} users, {shape[1]:,} packages, {shape[2]:,} assignments, {shape[3]:,} audit records"
    cpu_halves = fetched["cpu"] + imported["cpu"]
    figures = [
        Figure(
            "S1",
            f"sync ÷ (bare fetch + import alone), wall time, {label}",
            synced["seconds"] / halves,
            "x",
            1.3,
            runs="1 run each",
            note=f"sync {synced['seconds']:.1f} s; fetch {fetched['seconds']:.1f} s; "
            f"import {imported['seconds']:.1f} s",
        ),
        Figure(
            "S1",
            "sync ÷ (bare fetch + import alone), CPU time of the app's processes",
            synced["cpu"] / cpu_halves,
            "x",
            1.3,
            runs="1 run each",
            note=f"sync {synced['cpu']:.1f} s CPU; fetch {fetched['cpu']:.1f} s; import {imported['cpu']:.1f} s "
            "(the stand-in Graph's own CPU is in its process, not counted)",
        ),
        Figure(
            "S2",
            "sync peak memory (ru_maxrss)",
            synced["peak_mb"],
            "MB",
            400,
            runs="1 run",
            note=f"bare fetch {fetched['peak_mb']:.0f} MB; import alone {imported['peak_mb']:.0f} MB",
        ),
        Figure(
            "S3",
            "records fetched by the sync",
            synced["records"],
            "",
            None,
            runs="1 run",
            note=f"bare fetch {fetched['records']:,} records in list pages",
        ),
    ]
    report(figures, args.json)
    return 0


def _run(argv: list[str]) -> dict:
    return json.loads(run_child(["-m", "bench.bench_sync", "--child", *argv]).stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
