"""A request's timeline as "Determine the status of a user's request" reads it: its audit
records in write order, each with what its additionalDetails (written by the lifecycle)
say about the request in one line."""

import json
from dataclasses import dataclass
from datetime import datetime

from desktop.reports.request_history import RequestHistoryReport


@dataclass(frozen=True)
class TimelineStep:
    time: datetime
    category: str
    activity: str
    result: str
    initiated_by: str | None
    details: str  # stage, approver added, justification, assignment: what the record adds


def step_details(additional_details: list[dict]) -> str:
    """What a record's additionalDetails say about the request, as one line."""
    values = {item.get("key"): item.get("value") for item in additional_details or () if item.get("key")}
    parts = []
    if values.get("Stage"):
        parts.append(f"Stage {values['Stage']}")
    if values.get("ApproverUserPrincipalName"):
        fallback = " (fallback approver)" if values.get("IsFallbackApprover") == "true" else ""
        parts.append(f"Approver added: {values['ApproverUserPrincipalName']}{fallback}")
    if values.get("Justification"):
        parts.append(f"Justification: “{values['Justification']}”")
    if values.get("AssignmentId"):
        parts.append(f"Assignment {values['AssignmentId']}")
    return " · ".join(parts)


def timeline_steps(report: RequestHistoryReport) -> list[TimelineStep]:
    """The request's records, oldest first, in write order (one request has a few dozen)."""
    index = {column.key: number for number, column in enumerate(report.columns)}
    return [
        TimelineStep(
            row[index["time"]],
            row[index["category"]],
            row[index["activity"]],
            row[index["result"]],
            row[index["initiated_by"]],
            step_details(json.loads(row[index["additional_details"]])),
        )
        for row in report.iterate()
    ]
