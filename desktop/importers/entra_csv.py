"""Reading the Entra admin center's audit-log CSV download: one row of the 86 columns
(desktop.export.entra_layout, shared with the exporter) as a Graph `directoryAudit` document.

The CSV has no record id, so the id is a uuid5 over the row's cells: the same row imported
twice is the same record.
"""

import uuid

from desktop.export.entra_layout import (
    ACTOR_TYPE_APP,
    ADDITIONAL_DETAILS,
    ENTRA_AUDIT_COLUMNS,
    TARGETS,
    USER_AGENT_DETAIL,
    target_columns,
)
from desktop.importers.values import FieldError, parse_time

# Fixed forever: changing it would give every imported CSV row a new id.
CSV_RECORD_NAMESPACE = uuid.UUID("6f1d5a52-3c0e-4b8e-9a51-2d7c4e0b9f13")
# How actors of applications are written, in the download and in this app's own export.
APP_ACTOR_TYPES = (ACTOR_TYPE_APP.lower(), "app", "serviceprincipal")

_INDEX = {name: position for position, name in enumerate(ENTRA_AUDIT_COLUMNS)}
_TARGET_BLOCKS = [tuple(_INDEX[c] for c in target_columns(n)) for n in range(1, TARGETS + 1)]
_DETAIL_PAIRS = [
    (_INDEX[f"AdditionalDetail{k}Key"], _INDEX[f"AdditionalDetail{k}Value"]) for k in range(1, ADDITIONAL_DETAILS + 1)
]


def looks_like_audit_header(header: list[str]) -> bool:
    """Whether a CSV header is meant to be the audit download (so a wrong one is an error,
    not a file of some other kind)."""
    names = set(header)
    return bool(header) and (header[0].endswith("(UTC)") or "CorrelationId" in names) and "Activity" in names


def check_header(header: list[str]) -> str | None:
    """What is wrong with an audit CSV header, or None. The date column may be localised
    (`Data (UTC)`), so it is matched by position and its "(UTC)" suffix."""
    if not header[0].endswith("(UTC)"):
        return f'the first column is {header[0]!r}, not the date column "Date (UTC)"'
    given = header[1:]
    expected = list(ENTRA_AUDIT_COLUMNS[1:])
    missing = [c for c in expected if c not in given]
    extra = [c for c in given if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column{'s' * (len(extra) > 1)} {', '.join(extra)}")
        return "; ".join(parts)
    if given != expected:
        return "the columns are not in the order of the Entra download"
    return None


def audit_document(cells: list[str]) -> dict:
    """The Graph `directoryAudit` document of one row (86 cells, header already checked)."""

    def cell(name: str) -> str | None:
        return cells[_INDEX[name]] or None

    try:
        moment = parse_time(cells[0])
    except ValueError as error:
        raise FieldError("Date (UTC)", str(error)) from None
    details = [{"key": cells[k], "value": cells[v]} for k, v in _DETAIL_PAIRS if cells[k]]
    user_agent = cell("User Agent")
    if user_agent and not any(d["key"] == USER_AGENT_DETAIL for d in details):
        details.insert(0, {"key": USER_AGENT_DETAIL, "value": user_agent})
    result = cell("Result")
    return {
        "id": str(uuid.uuid5(CSV_RECORD_NAMESPACE, "\x1f".join(cells))),
        "category": cell("Category"),
        "correlationId": cell("CorrelationId"),
        "result": result[:1].lower() + result[1:] if result else None,
        "resultReason": cell("ResultReason"),
        "activityDisplayName": cell("Activity"),
        # The text when it is ISO with more digits than a datetime keeps (the importer keeps them).
        "activityDateTime": cells[0] if len(cells[0]) > 27 and cells[0][19:20] == "." else moment,
        "loggedByService": cell("Service"),
        "operationType": None,
        "initiatedBy": _initiator(cell),
        "targetResources": [target for block in _TARGET_BLOCKS if (target := _target(cells, block))],
        "additionalDetails": details,
    }


def _initiator(cell) -> dict:
    actor_type = (cell("ActorType") or "").lower()
    if actor_type in APP_ACTOR_TYPES or (not actor_type and cell("ActorServicePrincipalId")):
        return {
            "user": None,
            "app": {
                "appId": None,
                "displayName": cell("ActorDisplayName") or cell("ActorServicePrincipalName"),
                "servicePrincipalId": cell("ActorServicePrincipalId") or cell("ActorObjectId"),
                "servicePrincipalName": cell("ActorServicePrincipalName"),
            },
        }
    if actor_type or cell("ActorObjectId") or cell("ActorUserPrincipalName"):
        return {
            "user": {
                "id": cell("ActorObjectId"),
                "displayName": cell("ActorDisplayName"),
                "userPrincipalName": cell("ActorUserPrincipalName"),
                "ipAddress": cell("IPAddress"),
                "homeTenantId": cell("ActorHomeTenantId"),
                "homeTenantName": cell("ActorHomeTenantName"),
            },
            "app": None,
        }
    return {"user": None, "app": None}


def _target(cells: list[str], block: tuple[int, ...]) -> dict | None:
    if not any(cells[i] for i in block):
        return None
    kind, name, object_id, upn = (cells[i] or None for i in block[:4])
    properties = []
    for start in range(4, len(block), 3):
        prop_name, old, new = (cells[block[start + j]] for j in range(3))
        if prop_name or old or new:
            properties.append({"displayName": prop_name, "oldValue": old or None, "newValue": new or None})
    return {
        "id": object_id,
        "displayName": name,
        "type": kind,
        "userPrincipalName": upn,
        "modifiedProperties": properties,
    }
