"""Import files as streams of records: Graph JSON (ijson) and the Entra audit CSV (csv).

A JSON file may hold one list response, several concatenated (`{…}{…}`), an array of
pages (`[{…"value": […]}, …]`), a plain array of records (ConvertTo-Json) or a single
object. Nothing is loaded whole: a one-page file of a million audit records streams its
`value` items one by one.
"""
import codecs
import csv
import io
from pathlib import Path
from typing import Iterator

import ijson

from desktop.errors import InvalidInput
from desktop.importers import entra_csv, kinds
from desktop.importers.values import FieldError

try:
    JSON = ijson.get_backend("yajl2_c")
except ImportError:  # no compiled backend on this platform: the fastest one there is
    JSON = ijson
HEAD_BYTES = 64 * 1024
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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
        buffer[:len(data)] = data
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
                yield index, record, context
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
                    yield from _element(element)
            return
        if first != "{":
            raise self.fail("is not Graph JSON: it starts with neither { nor [")
        paged, context = self._first_document_is_page()
        with self._open() as handle:
            if paged:
                for item in JSON.items(handle, "value.item", multiple_values=True, use_float=True):
                    yield item, context
            else:
                for document in JSON.items(handle, "", multiple_values=True, use_float=True):
                    yield from _element(document)

    def _open(self):
        if self.encoding == "utf-8":
            self.reader = CountingReader(open(self.path, "rb"))
            handle = io.BufferedReader(self.reader, buffer_size=HEAD_BYTES)
            if handle.peek(3).startswith(UTF8_BOM):
                handle.read(3)
            return handle
        return Utf8Reader(self._open_text())

    def _first_document_is_page(self) -> tuple[bool, str | None]:
        """Whether the first top-level object is a list response (it has `value`), and its
        `@odata.context`; read from the first events only."""
        context = None
        with self._open() as handle:
            events = JSON.parse(handle, multiple_values=True, use_float=True)
            for prefix, event, value in events:
                if prefix == "@odata.context" and event == "string":
                    context = value
                elif prefix == "" and event == "map_key" and not value.startswith("@odata."):
                    if value != "value":
                        return False, None
                    _, event, _ = next(events)
                    if event != "start_array":
                        raise self.fail("field value: must be a list of records")
                    return True, context
                elif prefix == "" and event == "end_map":
                    return False, None
        return False, None


class EntraCsvSource(Source):
    """The admin center's audit-log CSV; every row is a `directoryAudit`."""

    kind = kinds.AUDIT

    def label(self, index: int) -> str:
        return f"line {index}"

    def records(self) -> Iterator[tuple[int, object, str | None]]:
        line = 1
        try:
            with self._open_text() as handle:
                rows = csv.reader(handle, strict=True)
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
                        raise self.fail(
                            f"line {line}: {len(cells)} columns where the header has {width}")
                    try:
                        yield line, entra_csv.audit_document(cells), None
                    except FieldError as error:
                        raise self.fail(f"line {line}: {error}") from None
        except UnicodeDecodeError as error:
            raise self.fail(f"line {line + 1}: not valid UTF-8 text ({error.reason})") from None
        except csv.Error as error:
            raise self.fail(f"line {line + 1}: not valid CSV ({error})") from None


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
            raise InvalidInput(f"{path.name}: not UTF-8 text (byte {error.start + 1}), so not Graph JSON or an "
                               "Entra audit CSV") from None
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


def _element(element) -> Iterator[tuple[object, str | None]]:
    """A top-level JSON value or array element: a list response's records, or one record."""
    if isinstance(element, dict) and "value" in element and (
            isinstance(element["value"], list) or "@odata.context" in element):
        if not isinstance(element["value"], list):
            raise FieldError("value", "must be a list of records")
        context = element.get("@odata.context")
        for record in element["value"]:
            yield record, context
    elif isinstance(element, dict):
        yield element, element.get("@odata.context")
    else:
        yield element, None


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
