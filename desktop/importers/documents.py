"""Import Graph responses held in memory (the sync's pages): the contract shared with file import.

TEMPORARY (issue 14's stand-in until issue 13's importer lands with this same signature): the
bodies are written to a private temporary folder and imported with `import_files`, inside one
transaction. What files cannot say is done here:
- member pages (`/groups/{id}/members…`, `/directoryRoles/{id}/members…`) become the `members`
  of their group or role;
- a v1.0 request (which names no target) targets its assignment's target, else its requestor;
- `@removed` delta entries and, for the `complete` kinds, stored objects not seen are counted
  as "deleted" in the summary. Marking those rows deleted (with `observed_at`) needs the
  deleted marker of issue 13's schema; until then the rows are left as they are.
"""
import json
import re
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Callable, Collection, Iterable
from urllib.parse import urlsplit

from desktop.errors import InvalidInput
from desktop.importers import kinds
from desktop.importers.files import import_files
from desktop.importers.summary import ImportSummary
from models import (
    AccessPackage,
    Assignment,
    AssignmentPolicy,
    AssignmentRequest,
    Catalog,
    ConnectedOrganization,
    DirectoryRole,
    Group,
    Resource,
    User,
    db,
)

DELETED = "deleted"
_MEMBERS = re.compile(r"/(groups|directoryRoles)/([^/?]+)/members")
# The table each kind's rows live in, for finding the stored objects a complete list lacks.
_TABLES = {
    kinds.USER: User, kinds.GROUP: Group, kinds.DIRECTORY_ROLE: DirectoryRole,
    kinds.CONNECTED_ORGANIZATION: ConnectedOrganization, kinds.CATALOG: Catalog, kinds.RESOURCE: Resource,
    kinds.ACCESS_PACKAGE: AccessPackage, kinds.POLICY: AssignmentPolicy, kinds.ASSIGNMENT: Assignment,
    kinds.REQUEST: AssignmentRequest,
}


def import_documents(documents: Iterable[tuple[str, dict]], *, progress: Callable[[int, int], None] | None = None,
                     skip_invalid: bool = False, complete: Collection[str] = (),
                     observed_at: datetime | None = None) -> ImportSummary:
    """Import `(request_url, body)` Graph responses in one transaction; all or nothing.

    `progress(done, total)` is called as records are written; raising Cancelled from it (or from
    the documents' iterator) stops the import with nothing written.
    """
    if skip_invalid:
        raise InvalidInput("Skipping invalid records needs the new importer (issue 13).")
    seen: dict[str, set[str]] = defaultdict(set)
    removed: dict[str, set[str]] = defaultdict(set)
    members: dict[tuple[str, str], list[dict]] = defaultdict(list)
    roles: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="entitlement-desk-sync-") as folder:
        paths = []
        for number, (url, body) in enumerate(documents):
            owner = _MEMBERS.search(urlsplit(url).path)
            records = body.get("value") if isinstance(body.get("value"), list) else [body]
            if owner:
                members[owner.groups()].extend(r for r in records if isinstance(r, dict))
                continue
            kept = []
            for record in records:
                if not isinstance(record, dict):
                    kept.append(record)
                    continue
                kind = kinds.classify(record, body.get("@odata.context"))
                if "@removed" in record:
                    removed[kind or _kind_of_url(url)].add(str(record.get("id")))
                    continue
                if kind and isinstance(record.get("id"), str):
                    seen[kind].add(record["id"])
                if kind == kinds.DIRECTORY_ROLE:
                    roles[record["id"]] = record  # written below, with its members
                    continue
                if kind == kinds.REQUEST and "target" not in record:
                    record = _with_target(record)
                kept.append(record)
            if kept:
                paths.append(_write(folder, number, {**_annotations(body), "value": kept}))
        member_paths = _member_documents(folder, members, roles)
        with db.atomic():
            summary = ImportSummary(files=[]) if not paths else import_files(paths, progress=progress)
            if member_paths:
                _merge(summary, import_files(member_paths, progress=progress))
            _count_gone(summary, seen, removed, complete)
    summary.files = ["Microsoft Graph"]
    return summary


def _with_target(request: dict) -> dict:
    """A v1.0 request names no target: it is its assignment's target, else (self-service) its requestor."""
    assignment = request.get("assignment") if isinstance(request.get("assignment"), dict) else {}
    target = assignment.get("target") or request.get("requestor")
    return {**request, "target": target} if target else request


def _kind_of_url(url: str) -> str:
    path = urlsplit(url).path.rstrip("/").removesuffix("/delta")
    return kinds.CONTEXT_KINDS.get(path.rsplit("/", 1)[-1], "unknown")


def _annotations(body: dict) -> dict:
    return {key: value for key, value in body.items() if key == "@odata.context"}


def _write(folder: str, number: int, body: dict) -> Path:
    path = Path(folder) / f"{number:07d}.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def _member_documents(folder: str, members: dict, roles: dict[str, dict]) -> list[Path]:
    records = []
    for (owner, pk), objects in members.items():
        users = [member for member in objects if "@removed" not in member]
        if owner == "groups":
            records.append({"@odata.type": "#microsoft.graph.group", "id": pk, "members": users})
        elif pk in roles:
            roles[pk] = {**roles[pk], "members": users}
    records.extend(roles.values())
    return [_write(folder, 9_999_999, {"value": records})] if records else []


def _merge(summary: ImportSummary, other: ImportSummary) -> None:
    for kind, counts in other.counts.items():
        summary.counts.setdefault(kind, type(counts)()).update(counts)
    summary.references.update(other.references)
    for item in other.skipped:
        summary.skip(item.where, item.reason)


def _count_gone(summary: ImportSummary, seen: dict, removed: dict, complete: Collection[str]) -> None:
    for kind, ids in removed.items():
        if ids:
            summary.count(kind, DELETED, len(ids))
    for kind in complete:
        model = _TABLES.get(kind)
        if model is None:
            continue
        query = model.select(model.id)
        if hasattr(model, "is_reference"):
            query = query.where(~model.is_reference)
        gone = sum(1 for row in query.tuples().iterator() if row[0] not in seen[kind])
        if gone:
            summary.count(kind, DELETED, gone)
