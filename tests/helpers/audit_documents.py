"""Graph `directoryAudit` documents numbered 0, 1, 2, …: several share a timestamp and a
correlation id, as a request's records do."""

import uuid
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 2, 1, 8, 0, tzinfo=timezone.utc)


def document(number: int) -> dict:
    return {
        "id": str(uuid.UUID(int=number)),
        "activityDateTime": T0 + timedelta(minutes=number // 3),  # several share a timestamp
        "category": "EntitlementManagement",
        "activityDisplayName": f"Step {number}",
        "result": "success",
        "correlationId": str(uuid.UUID(int=1000 + number // 4)),
        "initiatedBy": {
            "user": {"id": "u1", "displayName": "Adele Vance", "userPrincipalName": "adele.vance@contoso.com"},
            "app": None,
        },
        "targetResources": [{"id": "p1", "displayName": "Sales", "type": "AccessPackage"}],
        "additionalDetails": [{"key": "Justification", "value": "Quarter close ✓"}],
    }
