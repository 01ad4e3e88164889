"""Writing the stages of an access package assignment approval (`assignmentApprovals/{id}/stages`,
or the approval with `$expand=stages`; beta `steps`) as the decisions of the request it approves:
the approval's id is the request's."""

import re

from desktop.importers.fields import inside
from desktop.importers.summary import CREATED, UNCHANGED, UPDATED
from desktop.importers.values import graph_id, listing, nested, text, timestamp
from models import ApprovalDecision, AssignmentRequest

_APPROVAL_IN_CONTEXT = re.compile(r"(?:accessPackageA|a)ssignmentApprovals\('([^']+)'\)")
# Graph's reviewResult of a decided stage, as this app keeps it.
DECIDED = {"approve": "Approve", "approved": "Approve", "deny": "Deny", "denied": "Deny"}


class ApprovalWriter:
    """The approval family of GraphWriter (a mixin over UpsertEngine)."""

    def _approval(self, record: dict, context, pk: str) -> str:
        """An approval with its stages expanded."""
        outcome = UNCHANGED
        for position, stage in enumerate(listing(record, "stages", "steps") or [], start=1):
            with inside(f"stages[{position - 1}]"):
                result = self._decision(stage, pk.lower(), position)
                outcome = result if result != UNCHANGED else outcome
        return outcome

    def _approval_stage(self, record: dict, context, pk: str) -> str | None:
        """One stage of a `…/assignmentApprovals('{id}')/stages` page."""
        match = _APPROVAL_IN_CONTEXT.search(context or "")
        if not match:
            self._note("an approval stage listed without its approval (list assignmentApprovals/{id}/stages)")
            return None
        approval = match.group(1).lower()
        self.stage_numbers[approval] = self.stage_numbers.get(approval, 0) + 1
        return self._decision(record, approval, self.stage_numbers[approval])

    def _decision(self, stage: dict, request_id: str, number: int) -> str:
        result = DECIDED.get((text(stage, "reviewResult") or "").lower())
        if result is None:  # not reviewed yet: no decision
            return UNCHANGED
        if not self._exists(AssignmentRequest, request_id):
            self._note(f"the decisions of request {request_id}, which is not imported, were not imported")
            return UNCHANGED
        reviewer = nested(stage, "reviewedBy")
        with inside("reviewedBy"):
            approver = self._user_stand_in(reviewer) if reviewer and reviewer.get("id") else None
        row = {
            "id": graph_id(stage, "id", required=True),
            "request": request_id,
            "stage_number": number,
            "approver": approver,
            "review_result": result,
            "justification": text(stage, "justification"),
            "reviewed_date_time": timestamp(stage, "reviewedDateTime", required=True),
        }
        stored = ApprovalDecision.get_or_none(
            (ApprovalDecision.request == request_id) & (ApprovalDecision.stage_number == number)
        )
        if stored is not None and stored.id != row["id"]:
            return UNCHANGED  # decided through this app, which keeps its own decision
        outcome = self._upsert(ApprovalDecision, row)
        return outcome if outcome in (CREATED, UPDATED) else UNCHANGED
