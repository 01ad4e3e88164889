"""The one mapping between a Graph `directoryAudit` document and an AuditEvent row.

The lifecycle writes records through it, the importers read Graph and Entra downloads
through it, and the reports and the JSON exporter turn rows back into Graph documents with
it, so a record keeps its shape on every path.
"""

from datetime import datetime, timezone

from desktop.lookup import search_key
from models import AuditEvent

ACCESS_PACKAGE_TARGET = "AccessPackage"


def event_fields(document: dict) -> dict:
    """Column values for an AuditEvent from a Graph `directoryAudit` document.

    `activityDateTime` must already be a datetime (importers parse the text first).
    """
    initiator = document.get("initiatedBy") or {}
    user = initiator.get("user") or None
    app = initiator.get("app") or None
    targets = document.get("targetResources") or []
    if user:
        initiated_by_type, actor_id = "user", user.get("id")
        actor_upn, actor_name = user.get("userPrincipalName"), user.get("displayName")
    elif app:
        initiated_by_type, actor_id = "app", app.get("servicePrincipalId") or app.get("appId")
        actor_upn, actor_name = None, app.get("displayName")
    else:
        initiated_by_type = actor_id = actor_upn = actor_name = None
    target_user = next((t for t in targets if t.get("userPrincipalName")), None)
    first_target = target_user or (targets[0] if targets else {})
    package = next((t for t in targets if (t.get("type") or "") == ACCESS_PACKAGE_TARGET), None)
    return {
        "id": document["id"],
        "activity_date_time": document["activityDateTime"],
        "category": document.get("category") or "",
        "activity_display_name": document.get("activityDisplayName") or "",
        "operation_type": document.get("operationType"),
        "result": document.get("result") or "success",
        "result_reason": document.get("resultReason") or None,
        "logged_by_service": document.get("loggedByService"),
        "correlation_id": document.get("correlationId") or None,
        "initiated_by": initiator or None,
        "initiated_by_type": initiated_by_type,
        "initiated_by_id": actor_id,
        "initiated_by_upn": actor_upn,
        "initiated_by_display_name": actor_name,
        "initiated_by_upn_key": search_key(actor_upn),
        "initiated_by_name_key": search_key(actor_name),
        "target_resources": targets,
        "target_upn_key": search_key(first_target.get("userPrincipalName")),
        "target_name_key": search_key(first_target.get("displayName")),
        "additional_details": document.get("additionalDetails") or [],
        "access_package_id": package.get("id") if package else None,
        "graph_extra": document.get("graphExtra"),
    }


def event_document(event: AuditEvent) -> dict:
    """The Graph `directoryAudit` document of a row (what the JSON export and details show)."""
    document = {
        "id": event.id,
        "category": event.category,
        "correlationId": event.correlation_id,
        "result": event.result,
        "resultReason": event.result_reason or "",
        "activityDisplayName": event.activity_display_name,
        "activityDateTime": format_time(event.activity_date_time),
        "loggedByService": event.logged_by_service,
        "operationType": event.operation_type,
        "initiatedBy": event.initiated_by or {"user": None, "app": None},
        "targetResources": event.target_resources or [],
        "additionalDetails": event.additional_details or [],
    }
    if event.graph_extra:
        document.update(event.graph_extra)
    return document


def format_time(moment: datetime | None) -> str | None:
    """Graph's timestamp text: UTC with a `Z` and the fraction only when there is one."""
    if moment is None:
        return None
    moment = moment.astimezone(timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def detail(document_or_event, key: str):
    """The value of `key` in a record's additionalDetails, or None."""
    details = (
        document_or_event.additional_details
        if isinstance(document_or_event, AuditEvent)
        else document_or_event.get("additionalDetails")
    ) or []
    return next((item.get("value") for item in details if item.get("key") == key), None)
