"""Importing Graph responses held in memory: the sync's door into the same importer files use.

`documents` are `(request_url, body)` pairs in the order fetched; the URL gives a body the
context a file name and `@odata.context` give a file. All pages of one list are among them,
so a page whose `@odata.nextLink` was fetched too gets no warning.
"""

import re
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Callable
from urllib.parse import urlsplit

from desktop.importers import kinds
from desktop.importers.members import Owner, owner_of_url, user_members
from desktop.importers.problems import Problem
from desktop.importers.run import ImportRun, Place
from desktop.importers.summary import ImportSummary
from models import db
from models.database import refresh_statistics

# `catalogs/<id>/resources` → `catalogs('<id>')/resources`, as `@odata.context` names a catalog.
_KEY_SEGMENT = re.compile(r"/([A-Za-z]+)/([0-9a-fA-F-]{36})(?=/)")
_VERSION = re.compile(r"^/(v1\.0|beta)/")


def import_documents(
    documents: Iterable[tuple[str, dict]],
    *,
    progress: Callable[[int, int], None] | None = None,
    skip_invalid: bool = False,
    complete: Collection[str] = (),
    observed_at: datetime | None = None,
) -> ImportSummary:
    """Import Graph responses in one transaction; the same checks, problems and summary as
    import_files. `progress(documents_done, 0)` is called after each document and may raise
    Cancelled (nothing is written). `complete` names the kinds (desktop.importers.kinds) whose
    complete current list the documents hold: stored objects of those kinds not among them are
    marked deleted as of `observed_at` (default now), never removed."""
    summary = ImportSummary(files=[])
    with db.atomic():
        run = ImportRun(summary, skip_invalid=skip_invalid)
        memberships: dict[Owner, set[str]] = {}
        for number, (url, body) in enumerate(documents, start=1):
            summary.files.append(url)
            _import_body(run, summary, url, body)
            _collect_members(memberships, url, body)
            run.end_source()
            if progress:
                progress(number, 0)
        for owner, members in memberships.items():
            run.replace_members(owner, members)
        run.finish(complete=complete, observed_at=observed_at)
    refresh_statistics()
    return summary


def _import_body(run: ImportRun, summary: ImportSummary, url: str, body) -> None:
    if not isinstance(body, dict):
        run.problem(Problem(url, None, None, None, "the response is not a JSON object"))
        return
    if isinstance(body.get("responses"), list) and "value" not in body:
        for response in body["responses"]:
            _batch_response(run, summary, url, response)
        return
    context = body.get("@odata.context") or context_of(url)
    if "value" in body:
        records = body["value"]
        if not isinstance(records, list):
            run.problem(Problem(url, None, None, "value", "must be a list of records"))
            return
        run.pages.page(kinds.list_name(context), body.get("@odata.nextLink"), url)
        unknown = 0
        for index, record in enumerate(records, start=1):
            if not run.record(Place(url, f"record {index}"), None, record, context):
                unknown += 1
        if unknown:
            summary.skip(url, f"{unknown:,} records are not a Graph resource this app imports")
    elif not run.record(Place(url), None, body, context):
        summary.skip(url, "not a Graph resource this app imports")


def _batch_response(run: ImportRun, summary: ImportSummary, url: str, response) -> None:
    """A `$batch` sub-response: its body imported as a response of its own; a failed one listed."""
    where = f"{url} (request {response.get('id') if isinstance(response, dict) else '?'})"
    if not isinstance(response, dict):
        run.problem(Problem(url, None, None, "responses", "each must be an object"))
        return
    status, body = response.get("status"), response.get("body")
    if not isinstance(status, int) or status >= 300 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        summary.warnings.append(
            f"{where}: failed with status {status}"
            + (f": {message}" if message else "")
            + "; its records were not imported"
        )
        return
    _import_body(run, summary, where, body)


def _collect_members(memberships: dict[Owner, set[str]], url: str, body) -> None:
    """The user members a page of a group's `members` (or `transitiveMembers`) or a directory
    role's `members` lists: the membership becomes exactly the users of all its pages."""
    owner = owner_of_url(url)
    if owner and isinstance(body, dict) and isinstance(body.get("value"), list):
        memberships.setdefault(owner, set()).update(user_members(body["value"]))


def context_of(url: str) -> str:
    """An `@odata.context` for a body that has none, from the URL that fetched it."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    path = _VERSION.sub("/", path if path.startswith("/") else "/" + path)
    return "$metadata#" + _KEY_SEGMENT.sub(r"/\1('\2')", path).strip("/")
