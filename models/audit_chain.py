"""The arithmetic of the tamper-evident audit chain (policy lives in desktop.audit_chain).

A record's content hash covers every stored column but the write order and the hashes
themselves, taken as the values the database stores; its chain hash is
sha256(previous chain hash + content hash), so changing, removing or slipping in a record
breaks the chain at that point.
"""

import hashlib
import json
from datetime import datetime

GENESIS = "0" * 64
HEAD_KEY = "audit_chain_head"
_NOT_HASHED = {"seq", "content_hash", "chain_hash"}
# Columns added after records were first chained: left out of a record's hash while empty, so
# every record chained before they existed still verifies.
_HASHED_WHEN_SET = {"graph_extra"}


def hashed_fields(model) -> tuple:
    """The fields a content hash covers, in a fixed order."""
    return tuple(model._meta.fields[name] for name in model._meta.sorted_field_names if name not in _NOT_HASHED)


def stored_values(fields: tuple, values: dict) -> list:
    """The values the database stores for these fields (JSON as text, times as naive UTC)."""
    return [field.db_value(values.get(field.name)) for field in fields]


def hashed_values(fields: tuple, stored: list) -> list:
    """The stored values a content hash covers (an empty column of _HASHED_WHEN_SET is left out)."""
    return [value for field, value in zip(fields, stored) if value is not None or field.name not in _HASHED_WHEN_SET]


def content_hash(stored: list) -> str:
    text = json.dumps([_text(value) for value in stored], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_content_hash(fields: tuple, row: dict) -> str:
    """The content hash of a stored record (a row as the database returns it)."""
    return content_hash(hashed_values(fields, stored_values(fields, row)))


def chain_hash(previous: str, content: str) -> str:
    return hashlib.sha256((previous + content).encode("ascii")).hexdigest()


def _text(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value
