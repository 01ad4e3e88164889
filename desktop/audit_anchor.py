"""An anchor for the audit chain, kept outside the database.

The chain alone shows edits made without recomputing it; whoever can write the database
can also recompute every hash and the stored head. An anchor is the record count and the
chain head at one moment, signed with an Ed25519 key that lives in the user's config folder
(owner-only), never in the database. `verify_anchor` recomputes the chain from the records
themselves and compares it, at the anchored count, with the signed head: a removed,
changed, inserted or reordered record among the anchored ones, or a truncated log, no
longer matches, whatever hashes are stored.
"""

import base64
import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import platformdirs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from desktop.errors import Cancelled, InvalidInput, OutputError
from desktop.export.atomic import atomic_file
from models import AuditEvent
from models.audit_chain import GENESIS, chain_hash, hashed_fields, record_content_hash
from models.database import APP_NAME, current_location

FORMAT = "entitlement-desk-audit-anchor/1"
KEY_FILE = "audit-anchor-key.pem"
_FIELDS = hashed_fields(AuditEvent)


def key_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / KEY_FILE


def signing_key() -> Ed25519PrivateKey:
    """This user's anchor key, made on first use (readable by its owner only)."""
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as error:
            raise OutputError(f"Cannot create the anchor key {path}: {error.strerror}.") from error
        with os.fdopen(handle, "wb") as out:
            out.write(pem)
        return key
    if sys.platform != "win32" and stat.S_IMODE(os.lstat(path).st_mode) & 0o077:
        raise InvalidInput(
            f"The anchor key {path} can be read by others than its owner; make it private (chmod 600) and anchor again."
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise InvalidInput(f"Cannot read the anchor key {path}: {error}.") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} is not an Ed25519 key.")
    return key


def fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


@dataclass(frozen=True)
class ChainPoint:
    records: int
    head: str


def chain_point(
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ChainPoint:
    """The chain head recomputed from the records themselves (not the stored hashes), over
    the first `limit` records in write order (all of them without a limit)."""
    total = AuditEvent.select().count()
    head, count = GENESIS, 0
    query = AuditEvent.select().order_by(AuditEvent.seq)
    if limit is not None:
        query = query.limit(limit)
    for row in query.dicts().iterator():
        head = chain_hash(head, record_content_hash(_FIELDS, row))
        count += 1
        if count % 10_000 == 0:
            if cancelled and cancelled():
                raise Cancelled("Audit verification cancelled.")
            if progress:
                progress(count, total)
    return ChainPoint(count, head)


def write_anchor(path, now: datetime | None = None) -> dict:
    """Sign the current record count and chain head; write them to `path` (atomically)."""
    key = signing_key()
    point = chain_point()
    location = current_location()
    body = {
        "format": FORMAT,
        "database": location.describe() if location else None,
        "records": point.records,
        "chainHead": point.head,
        "anchoredAt": (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(),
        "publicKey": base64.b64encode(
            key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        ).decode(),
    }
    anchor = {**body, "signature": base64.b64encode(key.sign(_signed_bytes(body))).decode()}
    with atomic_file(path) as temporary:
        temporary.write_text(json.dumps(anchor, indent=2) + "\n", encoding="utf-8")
    return anchor


@dataclass
class AnchorReport:
    anchor: dict
    key_fingerprint: str
    own_key: bool
    records_now: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_anchor(path, progress=None, cancelled=None) -> AnchorReport:
    """Check the log against a signed anchor: the first `records` records must still chain
    to the signed head. InvalidInput when the file is not a valid, correctly signed anchor."""
    anchor = read_anchor(path)
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(anchor["publicKey"]))
    own = key_path().exists() and signing_key().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    ) == base64.b64decode(anchor["publicKey"])
    report = AnchorReport(anchor, fingerprint(public_key), own)
    report.records_now = AuditEvent.select().count()
    anchored = anchor["records"]
    point = chain_point(anchored, progress, cancelled)
    if point.records < anchored:
        report.problems.append(
            f"Records were removed (the log truncated, or records taken out): it holds {point.records:,} "
            f"records where the anchor of {anchor['anchoredAt']} counted {anchored:,}."
        )
    elif point.head != anchor["chainHead"]:
        report.problems.append(
            f"The first {anchored:,} records no longer match the anchor of {anchor['anchoredAt']}: records "
            "among them were changed, removed, inserted or reordered, and the chain recomputed to hide it."
        )
    return report


def read_anchor(path) -> dict:
    try:
        anchor = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"Cannot read the anchor {path}: {error.strerror}.") from error
    except ValueError as error:
        raise InvalidInput(f"{path} is not an audit anchor (not JSON: {error}).") from error
    required = {"format": str, "records": int, "chainHead": str, "anchoredAt": str, "publicKey": str, "signature": str}
    if (
        not isinstance(anchor, dict)
        or anchor.get("format") != FORMAT
        or any(not isinstance(anchor.get(name), kind) for name, kind in required.items())
        or isinstance(anchor["records"], bool)
        or anchor["records"] < 0
    ):
        raise InvalidInput(f"{path} is not an audit anchor of this app ({FORMAT}).")
    body = {name: value for name, value in anchor.items() if name != "signature"}
    try:
        public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(anchor["publicKey"], validate=True))
        public_key.verify(base64.b64decode(anchor["signature"], validate=True), _signed_bytes(body))
    except (ValueError, InvalidSignature) as error:
        raise InvalidInput(
            f"The anchor {path} is not correctly signed: it was altered after it was written, so it proves nothing."
        ) from error
    return anchor


def _signed_bytes(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
