"""The audit trails a request may have: each record's activity as one letter (TOKENS), and the
letters a request in each state may have written (PATHS)."""

import re

from desktop import audit_log as log

TOKENS = {
    log.USER_REQUESTS.name: "U",
    log.ADMIN_ASSIGNS.name: "A",
    log.AUTO_APPROVE.name: "O",
    log.CREATE_APPROVAL.name: "C",
    log.ADD_APPROVER.name: "P",
    log.STAGE_COMPLETED.name: "S",
    log.APPROVE.name: "V",
    log.READY_TO_FULFILL.name: "R",
    log.FULFILL.name: "F",
    log.DENY.name: "D",
    log.TIMED_OUT.name: "T",
    log.CANCEL.name: "X",
    log.REMOVE_ASSIGNMENT.name: "M",
    **{activity.name: "g" for activity in log.DIRECTORY_ACTIVITIES},
}
PENDING = r"UCP+(?:SP*)*"
# The audit trail a request may have in each state (g: a directory change).
PATHS = {
    "pendingApproval": re.compile(PENDING),
    "delivered": re.compile(rf"(?:UO|{PENDING}V|A)RFg*|Mg*"),
    "denied": re.compile(rf"{PENDING}[DT]"),
    "canceled": re.compile(rf"{PENDING}X"),
}
