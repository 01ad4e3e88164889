"""Importing files: the one entry point the CLI and the GUI's File → Import… call."""

import os
from pathlib import Path
from typing import Callable, Iterable

from desktop.change_runs import IMPORT, recorded_run
from desktop.errors import Cancelled, InvalidInput
from desktop.importers import kinds
from desktop.importers.members import FileMembers
from desktop.importers.problems import Notice, Problem, Unreadable
from desktop.importers.run import ChunkFailed, ImportRun, Place
from desktop.importers.sources import Source, UnknownSource, open_source
from desktop.importers.summary import ImportSummary
from models import db
from models.database import refresh_statistics

# How often (in records) progress is reported and cancellation is checked.
CHECK_EVERY = 2000

Progress = Callable[[int, int], None]


def import_files(
    paths: Iterable[str | os.PathLike],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    skip_invalid: bool = False,
) -> ImportSummary:
    """Import Graph JSON and Entra audit CSV files in one transaction.

    Every file is checked and every problem listed: with problems nothing is written and
    ImportProblems (an InvalidInput) lists them, file, record, id and field; with
    `skip_invalid` the valid records are written and the summary lists the others.
    `progress(done_bytes, total_bytes)` is called as the files are read (it may raise
    Cancelled); when `cancelled()` returns True the import stops with Cancelled and nothing
    is written.
    """
    paths = [Path(path) for path in paths]
    if not paths:
        raise InvalidInput("No files to import.")
    summary = ImportSummary(files=[path.name for path in paths])
    run = ImportRun(summary, skip_invalid=skip_invalid)
    members = FileMembers()
    sources = []
    for path in paths:
        try:
            sources.append(open_source(path))
        except InvalidInput as error:
            run.problem(Problem(path.name, None, None, None, _without_prefix(str(error), path.name)))
    # An object before the objects that refer to it, so fewer stand-ins are needed.
    ordered = sorted(sources, key=_rank)
    total = sum(source.size for source in sources)

    def checkpoint(done: int) -> None:
        if cancelled and cancelled():
            raise Cancelled("Import cancelled; nothing was imported.")
        if progress:
            progress(done, total)

    done = 0
    with db.atomic(), recorded_run(IMPORT, ", ".join(summary.files)):
        understood_any = not sources
        for source in ordered:
            understood_any |= _import_source(
                source, run, summary, members, lambda done=done, source=source: checkpoint(done + source.bytes_read)
            )
            run.end_source()
            done += source.size
            checkpoint(done)
        if not understood_any and summary.skipped_total and not run.problem_total:
            raise InvalidInput(
                f"Nothing in {', '.join(summary.files)} is Graph JSON or an Entra audit-log "
                "download this app understands."
            )
        for owner, membership in members.memberships.items():
            run.replace_members(owner, membership.users, complete=membership.complete)
        summary.warnings.extend(members.warnings())
        run.finish()
    refresh_statistics()
    return summary


def _import_source(
    source: Source, run: ImportRun, summary: ImportSummary, members: FileMembers, checkpoint: Callable[[], None]
) -> bool:
    """Write one file's records, calling `checkpoint()` now and then; True when at least one
    was understood (or it had none). Members pages among them are noted in `members`."""
    if isinstance(source, UnknownSource):
        summary.skip(source.name, "not Graph JSON or an Entra audit-log download")
        return False
    understood = unknown = 0
    first_unknown = None
    page = None
    try:
        for index, record, context in source.records():
            if index % CHECK_EVERY == 0:
                checkpoint()
            where = Place(source.name, source.label(index))
            if isinstance(record, Unreadable):
                run.problem(Problem(source.name, where.record, None, record.field, record.reason))
                continue
            if isinstance(record, Notice):
                summary.warnings.append(f"{source.name}: {record.text}")
                continue
            if source.page is not page:
                page = source.page
                if page is None:
                    members.not_a_page()
                else:
                    members.page(source.name, page.name, page.context, page.next_link)
            members.record(record)
            if run.record(where, source.kind, record, context):
                understood += 1
            else:
                unknown += 1
                first_unknown = first_unknown or str(where)
    except ChunkFailed:
        raise
    except InvalidInput as error:  # the file cannot be read further: its other problems are not known
        run.problem(Problem(source.name, None, None, None, _without_prefix(str(error), source.name)))
        return True
    for listed in source.pages:
        run.pages.page(listed.name, listed.next_link)
    if unknown and not understood:
        summary.skip(source.name, f"none of its {unknown:,} records is a Graph resource this app imports")
        return False
    if unknown:
        summary.skip(
            first_unknown,
            f"{unknown:,} records of {source.name} are not a Graph resource this app imports (this is the first)",
        )
    return True


def _without_prefix(message: str, name: str) -> str:
    return message[len(name) + 2 :] if message.startswith(f"{name}: ") else message


def _rank(source: Source) -> int:
    kind = source.kind or _first_kind(source)
    return kinds.KINDS.index(kind) if kind in kinds.KINDS else len(kinds.KINDS)


def _first_kind(source: Source) -> str | None:
    """The kind of a file's first record (reading it with a reader of its own)."""
    if isinstance(source, UnknownSource):
        return None
    probe = type(source)(source.path, source.encoding)
    records = probe.records()
    try:
        _, record, context = next(records, (0, None, None))
    except InvalidInput:
        return None
    finally:
        records.close()
    return kinds.classify(record, context) if isinstance(record, dict) else None
