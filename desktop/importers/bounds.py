"""Bounds on what one JSON file may hold, checked as its bytes stream in, before the parser
builds anything: nesting deeper than MAX_DEPTH, one string over MAX_STRING bytes, one record
over MAX_RECORD bytes. A hostile file is refused in linear time and bounded memory.

The scan runs at C speed on each chunk: complete strings are cut out by one regular
expression (an unterminated one waits for the next chunk, up to MAX_STRING), the rest is
reduced to its brackets, and only a chunk that could reach MAX_DEPTH is walked bracket by
bracket.
"""

import io
import re

MAX_DEPTH = 64
MAX_STRING = 1024 * 1024
MAX_RECORD = 16 * 1024 * 1024  # parsed, a record of small values takes several times its size
CHUNK = 64 * 1024
# An escape is cut out first, so every quote left opens or closes a string.
_ESCAPE = re.compile(rb"\\.", re.S)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_NOT_SEPARATORS = bytes(b for b in range(256) if b not in b'[]{}",: \t\r\n')


class TooLarge(ValueError):
    """The file breaks a bound; the message says which."""


class BoundedReader(io.RawIOBase):
    """A binary stream that checks the bounds as it is read. `record_done()` after each record
    the parser yields; `record_bytes` is the size of the record being read."""

    def __init__(self, raw):
        super().__init__()
        self._raw = raw
        self.depth = 0
        self.in_string = False
        self.string_bytes = 0  # of the string still open at the end of the last chunk
        self.escape_cut = False  # the last chunk ended between a backslash and what it escapes
        self.token_bytes = 0  # of a number or word that has filled every chunk since it began
        self.record_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(min(len(buffer), CHUNK))
        if data:
            self._check(data)
        buffer[: len(data)] = data
        return len(data)

    def record_done(self) -> None:
        self.record_bytes = 0

    def close(self) -> None:
        self._raw.close()
        super().close()

    def _check(self, data: bytes) -> None:
        self.record_bytes += len(data)
        if self.record_bytes > MAX_RECORD:
            raise TooLarge(
                f"one record is larger than {MAX_RECORD // 2**20} MiB (a line or a value far larger than Graph writes)"
            )
        scan = data[1:] if self.escape_cut else data
        if b"\\" in scan:
            scan = _ESCAPE.sub(b"", scan)
        self.escape_cut = scan.endswith(b"\\")
        structure = scan.translate(None, _NOT_STRUCTURE)
        was_in_string = self.in_string
        # The parser re-reads a token it has not seen the end of with each chunk, so one long
        # number or word would take quadratic time: it is bounded like a string.
        if not was_in_string and not data.translate(None, _NOT_SEPARATORS):
            self.token_bytes += len(data)
            if self.token_bytes > MAX_STRING:
                raise TooLarge(f"a value is longer than {MAX_STRING // 2**20} MiB")
        else:
            self.token_bytes = 0
        if was_in_string:
            structure = b'"' + structure
        parts = structure.split(b'"')
        outside = b"".join(parts[0::2]) if len(parts) > 1 else structure
        self.in_string = len(parts) % 2 == 0
        if self.in_string:
            continued = was_in_string and b'"' not in scan
            self.string_bytes = self.string_bytes + len(data) if continued else len(data) - data.rfind(b'"')
            if self.string_bytes > MAX_STRING:
                raise TooLarge(f"a string is longer than {MAX_STRING // 2**20} MiB")
        opening = outside.count(b"[") + outside.count(b"{")
        if self.depth + opening <= MAX_DEPTH:
            self.depth += 2 * opening - len(outside)
            return
        depth = self.depth
        for byte in outside:
            depth += 1 if byte in b"[{" else -1
            if depth > MAX_DEPTH:
                raise TooLarge(f"JSON nested deeper than {MAX_DEPTH} levels")
        self.depth = depth
