"""Error codes of grade reviews, admission, invitations, tracking sheets and referrals."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

# rule: CUS-4
VIP_WITH_PROBLEMS = ErrorCode(
    "customers.vip_with_problems",
    _("A VIP found with problems must be downgraded to Preferred or Qualified."),
)
NOT_DOWNGRADE = ErrorCode("customers.not_downgrade", _("This evaluation has no pending VIP downgrade."))
# rule: CUS-5
ADMISSION_INCOMPLETE = ErrorCode(
    "customers.admission_incomplete",
    _("The prospect cannot become a customer before the admission checklist is complete. Missing: %(missing)s."),
)
EVIDENCE_REQUIRED = ErrorCode("customers.evidence_required", _("Give the evidence that this criterion is met."))
CRITERION_INACTIVE = ErrorCode("customers.criterion_inactive", _("This criterion is no longer on the checklist."))
# rule: CUS-8
INVITATION_TAKEN = ErrorCode(
    "customers.invitation_taken",
    _("%(customer)s is already invited and confirmed for %(event)s by %(department)s."),
    409,
)
INVITATION_DUPLICATE = ErrorCode(
    "customers.invitation_duplicate",
    _("%(customer)s is already invited to %(event)s by your department (%(inviter)s)."),
    409,
)
INVITATION_CLOSED = ErrorCode(
    "customers.invitation_closed", _("This invitation is no longer open (status: %(status)s).")
)
NO_DEPARTMENT = ErrorCode("customers.no_department", _("You belong to no department, so you cannot invite."))
NO_CONFLICT = ErrorCode("customers.no_conflict", _("There is no open conflict for this customer and event."))
EVENT_REQUIRED = ErrorCode("customers.event_required", _("Name the event."))
# rule: CUS-10
TRACKING_NOT_NEEDED = ErrorCode(
    "customers.tracking_not_needed", _("Only A- and B-intent customers need a tracking sheet.")
)
TRACKING_EXISTS = ErrorCode("customers.tracking_exists", _("This customer already has a tracking sheet."), 409)
TRACKING_SELF_REVIEW = ErrorCode(
    "customers.tracking_self_review", _("The supervisor reviews a tracking sheet, not the customer's owner.")
)
TEXT_REQUIRED = ErrorCode("customers.text_required", _("This field is required."))
# rule: CUS-13
REFERRAL_SELF = ErrorCode("customers.referral_self", _("A customer cannot refer itself."))
REFERRAL_EXISTS = ErrorCode(
    "customers.referral_exists", _("%(customer)s is already recorded as referred by %(referrer)s."), 409
)
REFERRAL_NOT_CLOSED = ErrorCode("customers.referral_not_closed", _("The referred customer has not closed a deal yet."))
DEAL_VALUE_REQUIRED = ErrorCode(
    "customers.deal_value_required", _("Enter the deal value: points are earned per 1,000 of the sale.")
)
BAD_DEAL_VALUE = ErrorCode("customers.bad_deal_value", _("Enter a deal value greater than zero."))
