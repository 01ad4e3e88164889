"""Import files as streams of records: Graph JSON (ijson) and the Entra audit CSV (csv).

A JSON file may hold one list response, several concatenated (`{…}{…}`), an array of
pages (`[{…"value": […]}, …]`), a plain array of records (ConvertTo-Json) or a single
object. Nothing is loaded whole: a one-page file of a million audit records streams its
`value` items one by one.
"""

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import ijson

from desktop.errors import InvalidInput
from desktop.importers import entra_csv, kinds
from desktop.importers.bounds import MAX_STRING, BoundedReader, TooLarge
from desktop.importers.problems import Notice, Unreadable
from desktop.importers.values import FieldError

try:
    JSON = ijson.get_backend("yajl2_c")
except ImportError:  # no compiled backend on this platform: the fastest one there is
    JSON = ijson
HEAD_BYTES = 64 * 1024
MAX_LINE = 4 * 1024 * 1024  # an admin-center CSV row; a JSON record is bounded by desktop.importers.bounds
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# A list response whose `@odata.nextLink` or `@odata.context` follows its `value` array (as some
# services, and PowerShell's ConvertTo-Json of a hashtable, write them): the file's last bytes.
_TRAILING_ANNOTATIONS = re.compile(rb'\]((?:\s*,\s*"@odata\.\w+"\s*:\s*(?:"(?:[^"\\]|\\.)*"|\d+))+)\s*\}\s*$')


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read through it (for progress)."""

    def __init__(self, handle):
        super().__init__()
        self._handle = handle
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()


class Utf8Reader(io.RawIOBase):
    """UTF-8 bytes of a text file in another encoding: ijson reads bytes."""

    def __init__(self, text_handle):
        super().__init__()
        self._text = text_handle
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self._pending) < len(buffer):
            text = self._text.read(HEAD_BYTES)
            if not text:
                break
            self._pending += text.encode("utf-8")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._text.close()
        super().close()


@dataclass(frozen=True)
class Page:
    """A list page in a file: the collection its `@odata.context` names, the context and its
    `@odata.nextLink`."""

    name: str
    context: str | None
    next_link: str | None


class Source:
    """One file to import. `records()` yields (index, record, @odata.context) and is only
    called once; `label(index)` names a record in an error message."""

    kind: str | None = None  # set when the format fixes the record type (the audit CSV)

    def __init__(self, path: Path, encoding: str):
        self.path = path
        self.name = path.name
        self.size = path.stat().st_size
        self.encoding = encoding
        self.reader: CountingReader | None = None
        self.bounds: BoundedReader | None = None
        # Each page read, for the paged-list warning; `page` is the one the record last
        # yielded came in (None for a record that is no list's).
        self.pages: list[Page] = []
        self.page: Page | None = None

    @property
    def bytes_read(self) -> int:
        return self.reader.bytes_read if self.reader else 0

    def label(self, index: int) -> str:
        return f"record {index}"

    def fail(self, message: str) -> InvalidInput:
        return InvalidInput(f"{self.name}: {message}")

    def _open_text(self):
        self.reader = CountingReader(open(self.path, "rb"))
        # utf-8-sig drops a byte-order mark and reads text without one alike.
        encoding = "utf-8-sig" if self.encoding == "utf-8" else self.encoding
        return io.TextIOWrapper(io.BufferedReader(self.reader), encoding=encoding, newline="")


class JsonSource(Source):
    """Graph JSON in any of the layouts above; a record's type is decided by its reader."""

    def records(self) -> Iterator[tuple[int, object, str | None]]:
        index = 0
        try:
            for index, (record, context) in enumerate(self._records(), start=1):
                if self.bounds.record_bytes > MAX_STRING:  # only a record this large can hold such a string
                    record = _refuse_long_strings(record)
                self.bounds.record_done()
                yield index, record, context
        except TooLarge as error:
            raise self.fail(f"refused {_after(index)}: {error}") from None
        except ijson.JSONError as error:
            raise self.fail(f"not valid JSON {_after(index)}: {_first_line(error)}") from None
        except UnicodeDecodeError as error:
            raise self.fail(f"not valid {self.encoding} text {_after(index)}: {error.reason}") from None
        except FieldError as error:
            raise self.fail(f"the page {_after(index)}: {error}") from None
        finally:
            if self.reader:
                self.reader.close()

    def _records(self):
        with self._open() as handle:
            first = _first_character(handle)
        if first == "[":
            with self._open() as handle:
                for element in JSON.items(handle, "item", use_float=True):
                    yield from _element(element, self)
            return
        if first != "{":
            raise self.fail("is not Graph JSON: it starts with neither { nor [")
        paged, context, next_link = self._first_document_is_page()
        with self._open() as handle:
            if paged:
                self.page = Page(kinds.list_name(context), context, next_link)
                self.pages.append(self.page)
                for item in JSON.items(handle, "value.item", multiple_values=True, use_float=True):
                    yield item, context
            else:
                for document in JSON.items(handle, "", multiple_values=True, use_float=True):
                    yield from _element(document, self)

    def _open(self):
        if self.encoding == "utf-8":
            self.reader = CountingReader(open(self.path, "rb"))
            raw = self.reader
        else:
            raw = Utf8Reader(self._open_text())
        self.bounds = BoundedReader(raw)
        handle = io.BufferedReader(self.bounds, buffer_size=HEAD_BYTES)
        if handle.peek(3).startswith(UTF8_BOM):
            handle.read(3)
        return handle

    def _first_document_is_page(self) -> tuple[bool, str | None, str | None]:
        """Whether the first top-level object is a list response (it has `value`), its
        `@odata.context` and `@odata.nextLink` (Graph writes both before `value`); read from
        the first events only."""
        context = next_link = None
        with self._open() as handle:
            events = JSON.parse(handle, multiple_values=True, use_float=True)
            for prefix, event, value in events:
                if prefix == "@odata.context" and event == "string":
                    context = value
                elif prefix == "@odata.nextLink" and event == "string":
                    next_link = value
                elif prefix == "" and event == "map_key" and not value.startswith("@odata."):
                    if value != "value":
                        return False, None, None
                    _, event, _ = next(events)
                    if event != "start_array":
                        raise self.fail("field value: must be a list of records")
                    if context is None or next_link is None:
                        trailing = self._trailing_annotations()
                        context = context or trailing.get("@odata.context")
                        next_link = next_link or trailing.get("@odata.nextLink")
                    return True, context, next_link
                elif prefix == "" and event == "end_map":
                    return False, None, None
        return False, None, None

    def _trailing_annotations(self) -> dict:
        """The `@odata.*` annotations written after the `value` array, read from the file's end."""
        if self.encoding != "utf-8":
            return {}
        with open(self.path, "rb") as handle:
            handle.seek(max(0, self.size - HEAD_BYTES))
            match = _TRAILING_ANNOTATIONS.search(handle.read())
        if not match:
            return {}
        annotations = json.loads(b"{" + match.group(1).lstrip()[1:] + b"}")
        return {key: value for key, value in annotations.items() if isinstance(value, str)}


class EntraCsvSource(Source):
    """The admin center's audit-log CSV; every row is a `directoryAudit`."""

    kind = kinds.AUDIT

    def label(self, index: int) -> str:
        return f"line {index}"

    def records(self) -> Iterator[tuple[int, object, str | None]]:
        line = 1
        try:
            with self._open_text() as handle:
                rows = csv.reader(_bounded_lines(handle), strict=True)
                header = next(rows)
                problem = entra_csv.check_header(header)
                if problem:
                    raise self.fail(f"line 1: not the Entra audit-log layout: {problem}")
                width = len(header)
                for cells in rows:
                    line = rows.line_num
                    if not cells:
                        continue
                    if len(cells) != width:
                        yield line, Unreadable(None, f"{len(cells)} columns where the header has {width}"), None
                        continue
                    try:
                        document = entra_csv.audit_document(cells)
                    except FieldError as error:
                        document = Unreadable(error.field, error.reason)
                    yield line, document, None
        except UnicodeDecodeError as error:
            raise self.fail(f"line {line + 1}: not valid UTF-8 text ({error.reason})") from None
        except csv.Error as error:
            raise self.fail(f"line {line + 1}: not valid CSV ({error})") from None
        except TooLarge as error:
            raise self.fail(f"line {line + 1}: {error}") from None


class UnknownSource(Source):
    """A text file that is neither Graph JSON nor the audit CSV: listed, not imported."""

    def records(self) -> Iterator[tuple[int, object, str | None]]:
        return iter(())


def open_source(path: Path) -> Source:
    """Look at a file's first bytes and choose its reader; InvalidInput for a file that is
    missing, empty, binary or not text."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as error:
        raise InvalidInput(f"{path.name}: cannot be read ({error.strerror})") from None
    encoding = "utf-8"
    if head.startswith(UTF16_BOMS):
        # Windows PowerShell's Out-File writes UTF-16 with a byte-order mark.
        encoding = "utf-16"
        head_text = codecs.getincrementaldecoder("utf-16")(errors="replace").decode(head)
    elif b"\x00" in head:
        raise InvalidInput(f"{path.name}: a binary file, not Graph JSON or an Entra audit CSV")
    else:
        head_text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(head)
    if not head_text.strip():
        raise InvalidInput(f"{path.name}: the file is empty")
    first = head_text.lstrip()[:1]
    if first in ("{", "["):
        # The JSON parser names the record a bad byte is in.
        return JsonSource(path, encoding)
    if encoding == "utf-8":
        try:
            codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        except UnicodeDecodeError as error:
            raise InvalidInput(
                f"{path.name}: not UTF-8 text (byte {error.start + 1}), so not Graph JSON or an Entra audit CSV"
            ) from None
    return _csv_source(path, encoding)


def _csv_source(path: Path, encoding: str) -> Source:
    source = EntraCsvSource(path, encoding)
    with source._open_text() as handle:
        try:
            header = next(csv.reader(handle), [])
        except (csv.Error, UnicodeDecodeError):
            header = []
    source.reader = None
    if entra_csv.looks_like_audit_header(header):
        return source
    return UnknownSource(path, encoding)


def _element(element, source: Source) -> Iterator[tuple[object, str | None]]:
    """A top-level JSON value or array element: a list response's records, a `$batch`
    response's sub-responses, or one record."""
    if isinstance(element, dict) and isinstance(element.get("responses"), list) and "value" not in element:
        for response in element["responses"]:
            yield from _batch_response(response, source)
    elif (
        isinstance(element, dict)
        and "value" in element
        and (isinstance(element["value"], list) or "@odata.context" in element)
    ):
        if not isinstance(element["value"], list):
            raise FieldError("value", "must be a list of records")
        context = element.get("@odata.context")
        source.page = Page(kinds.list_name(context), context, element.get("@odata.nextLink"))
        source.pages.append(source.page)
        for record in element["value"]:
            yield record, context
    elif isinstance(element, dict):
        source.page = None
        yield element, element.get("@odata.context")
    else:
        source.page = None
        yield element, None


def _batch_response(response, source: Source) -> Iterator[tuple[object, str | None]]:
    """One sub-response of a `$batch` response: its body's records, or a notice when it failed."""
    if not isinstance(response, dict):
        yield Unreadable("responses", "each must be an object"), None
        return
    status, body = response.get("status"), response.get("body")
    if not isinstance(status, int) or status >= 300 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        yield (
            Notice(
                f"$batch request {response.get('id')!s} failed with status {status}"
                + (f": {message}" if message else "")
                + "; its records were not imported"
            ),
            None,
        )
        return
    yield from _element(body, source)


def _refuse_long_strings(record):
    """`record`, or TooLarge when one of its strings (or keys) is over MAX_STRING bytes."""
    stack = [record]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING // 4 and len(value.encode("utf-8")) > MAX_STRING:
                raise TooLarge(f"a string is longer than {MAX_STRING // 2**20} MiB")
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return record


def _bounded_lines(handle) -> Iterator[str]:
    """The lines of a text file, refusing one longer than MAX_LINE characters before reading it whole."""
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE:
            raise TooLarge(f"a line is longer than {MAX_LINE // 2**20} MiB")
        yield line


def _first_character(handle) -> str:
    while True:
        chunk = handle.read(1)
        if not chunk:
            return ""
        character = chunk.decode() if isinstance(chunk, bytes) else chunk
        if not character.isspace():
            return character


def _after(index: int) -> str:
    return f"after record {index}" if index else "in the first record"


def _first_line(error: Exception) -> str:
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text).strip().splitlines()[0] if str(text).strip() else type(error).__name__
