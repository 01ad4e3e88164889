"""The one vocabulary of request and assignment states (Graph's values): which of them mean
a user holds a package, which mean a request still waits. The lifecycle, eligibility, the
reports and the pages all read them here, so they can never disagree."""

from models.requests import REQUEST_STATES, TERMINAL_REQUEST_STATES

# The user holds the package (or is being given it): listed as Assigned, removable, expired
# when its end passes, and a second assignment through the same policy is refused.
ACTIVE_ASSIGNMENT_STATES = ("delivering", "partiallyDelivered", "delivered")

# The request is not finished (submitted, pendingApproval, delivering, scheduled): a second
# request through the same policy is refused.
PENDING_REQUEST_STATES = tuple(state for state in REQUEST_STATES if state not in TERMINAL_REQUEST_STATES)

# The requestor may still withdraw the request.
CANCELABLE_REQUEST_STATES = ("submitted", "pendingApproval", "scheduled")
