"""Error codes of the approvals engine (APR-1)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

UNKNOWN_REQUEST_TYPE = ErrorCode("approvals.unknown_request_type", _("Unknown request type: %(code)s."))
NO_FLOW = ErrorCode("approvals.no_flow", _("No approval flow is configured for this request type."))
NO_APPROVER = ErrorCode(
    "approvals.no_approver",
    _("Nobody can approve step %(step)s: the post is vacant all the way up the reporting line."),
)
ALREADY_OPEN = ErrorCode("approvals.already_open", _("This record already has an open request of this type."), 409)
ALREADY_DECIDED = ErrorCode(
    "approvals.already_decided", _("This request has already been decided or has moved on; reload it."), 409
)
NOT_YOUR_TURN = ErrorCode("approvals.not_yours", _("This request is not waiting for your decision."), 403)
NOT_REQUESTER = ErrorCode("approvals.not_requester", _("Only the requester can do this."), 403)
NOT_OPEN = ErrorCode("approvals.not_open", _("This request is closed."), 409)
NOT_RETURNED = ErrorCode("approvals.not_returned", _("Only a request returned for revision can be resubmitted."), 409)
BAD_DECISION = ErrorCode("approvals.bad_decision", _("A decision is approve, reject or return."))
NOTE_REQUIRED = ErrorCode("approvals.note_required", _("Please give a reason when you reject or return a request."))
BAD_VALUE = ErrorCode(
    "approvals.bad_value", _("Amount and days cannot be negative and a percentage must be between 0 and 100.")
)
