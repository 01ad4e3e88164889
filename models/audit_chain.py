"""The arithmetic of the tamper-evident audit chain (policy lives in desktop.audit_chain).

A record's content hash covers every stored column but the write order and the hashes
themselves; its chain hash is sha256(previous chain hash + content hash), so changing,
removing or slipping in a record breaks the chain at that point.
"""
import hashlib
import json
from datetime import datetime, timezone

GENESIS = "0" * 64
HEAD_KEY = "audit_chain_head"
_NOT_HASHED = {"seq", "content_hash", "chain_hash"}


def hashed_columns(model) -> tuple[str, ...]:
    return tuple(name for name in model._meta.sorted_field_names if name not in _NOT_HASHED)


def content_hash(values: dict, columns: tuple[str, ...]) -> str:
    canonical = {name: _canonical(values.get(name)) for name in columns}
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(previous: str, content: str) -> str:
    return hashlib.sha256((previous + content).encode("ascii")).hexdigest()


def _canonical(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value
