"""Importing files: the one entry point the CLI and the GUI's File → Import… call."""
import json
import os
from pathlib import Path
from typing import Callable, Iterable

from peewee import IntegrityError

from desktop.change_runs import IMPORT, recorded_run
from desktop.errors import Cancelled, InvalidInput
from desktop.importers import kinds
from desktop.importers.graph import GraphWriter
from desktop.importers.sources import Source, UnknownSource, open_source
from desktop.importers.summary import ImportSummary
from desktop.importers.values import FieldError
from models import db
from models.database import refresh_statistics

# How often (in records) progress is reported and cancellation is checked.
CHECK_EVERY = 2000

Progress = Callable[[int, int], None]


def import_files(paths: Iterable[str | os.PathLike], progress: Progress | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ImportSummary:
    """Import Graph JSON and Entra audit CSV files in one transaction; all or nothing.

    `progress(done_bytes, total_bytes)` is called as the files are read; when `cancelled()`
    returns True the import stops with Cancelled and nothing is written. A file that cannot
    be read raises InvalidInput naming the file, the record and the field.
    """
    sources = [open_source(Path(path)) for path in paths]
    if not sources:
        raise InvalidInput("No files to import.")
    # An object before the objects that refer to it, so fewer stand-ins are needed.
    ordered = sorted(sources, key=_rank)
    summary = ImportSummary(files=[source.name for source in sources])
    total = sum(source.size for source in sources)

    def checkpoint(done: int) -> None:
        if cancelled and cancelled():
            raise Cancelled("Import cancelled; nothing was imported.")
        if progress:
            progress(done, total)

    done = 0
    with db.atomic(), recorded_run(IMPORT, ", ".join(summary.files)):
        writer = GraphWriter(summary)
        understood_any = False
        for source in ordered:
            understood_any |= _import_source(source, writer, summary, lambda: checkpoint(done + source.bytes_read))
            writer.end_file()
            done += source.size
            checkpoint(done)
        writer.finish()
        if not understood_any and summary.skipped_total:
            raise InvalidInput(f"Nothing in {', '.join(summary.files)} is Graph JSON or an Entra audit-log "
                               "download this app understands.")
    refresh_statistics()
    return summary


def _import_source(source: Source, writer: GraphWriter, summary: ImportSummary,
                   checkpoint: Callable[[], None]) -> bool:
    """Write one file's records, calling `checkpoint()` now and then; True when at least one
    was understood (or it had none)."""
    if isinstance(source, UnknownSource):
        summary.skip(source.name, "not Graph JSON or an Entra audit-log download")
        return False
    understood = unknown = 0
    first_unknown = None
    for index, record, context in source.records():
        if index % CHECK_EVERY == 0:
            checkpoint()
        where = f"{source.name}: {source.label(index)}"
        if not isinstance(record, dict):
            raise InvalidInput(f"{where}: is not a JSON object but {json.dumps(record)[:40]}")
        kind = source.kind or kinds.classify(record, context)
        if kind is None:
            unknown += 1
            first_unknown = first_unknown or where
            continue
        try:
            writer.write(kind, record, context, where)
        except FieldError as error:
            raise InvalidInput(f"{where}{_id_of(record)}: {error}") from None
        except IntegrityError as error:
            raise InvalidInput(f"{where}{_id_of(record)}: conflicts with data already imported ({error})") from None
        understood += 1
    if unknown and not understood:
        summary.skip(source.name, f"none of its {unknown:,} records is a Graph resource this app imports")
        return False
    if unknown:
        summary.skip(first_unknown, f"{unknown:,} records of {source.name} are not a Graph resource this app "
                                    "imports (this is the first)")
    return True


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
    finally:
        records.close()
    return kinds.classify(record, context) if isinstance(record, dict) else None


def _id_of(record) -> str:
    pk = record.get("id") if isinstance(record, dict) else None
    return f" (id {pk})" if isinstance(pk, str) else ""
