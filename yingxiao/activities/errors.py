"""Error codes of the contact log (activities)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

UNKNOWN_KIND = ErrorCode("activities.unknown_kind", _("Unknown contact type: %(kind)s."))
UNKNOWN_DIRECTION = ErrorCode("activities.unknown_direction", _("Unknown direction: %(direction)s."))
SUBJECT_REQUIRED = ErrorCode("activities.subject_required", _("Please enter the subject (what the contact was about)."))
TEXT_TOO_LONG = ErrorCode(
    "activities.text_too_long", _("%(field_label)s is too long: at most %(limit)d characters (%(length)d given).")
)
TIME_REQUIRED = ErrorCode("activities.time_required", _("Please enter when the contact took place."))
IN_FUTURE = ErrorCode("activities.in_future", _("A contact cannot be logged in the future."))
BAD_DURATION = ErrorCode("activities.bad_duration", _("The duration must be between 0 and %(limit)d minutes."))
CONTACT_NOT_OF_CUSTOMER = ErrorCode(
    "activities.contact_not_of_customer", _("The chosen contact person does not belong to this customer.")
)
MESSAGE_DETAILS_REQUIRED = ErrorCode(
    "activities.message_details_required",
    _("A message taken for a colleague needs the caller's name and how to reach them."),
)
RETURN_VISIT_KIND = ErrorCode(
    "activities.return_visit_kind", _("A message taken for a colleague cannot be recorded as a return visit.")
)
BAD_MONTH = ErrorCode("activities.bad_month", _("Please give the month as YYYY-MM."))
BAD_DATE = ErrorCode("activities.bad_date", _("Please give the date as YYYY-MM-DD."))
INQUIRY_NO_TEAM = ErrorCode(
    "activities.inquiry_no_team", _("No team receives inquiries from channel %(channel)s; ask an administrator.")
)
INQUIRY_NO_MEMBER = ErrorCode("activities.inquiry_no_member", _("Nobody in %(team)s is available to take the inquiry."))
INQUIRY_UNKNOWN_CHANNEL = ErrorCode("activities.inquiry_unknown_channel", _("Unknown inquiry channel: %(channel)s."))
INQUIRY_SUBJECT_REQUIRED = ErrorCode("activities.inquiry_subject_required", _("An inquiry needs a subject."))
INQUIRY_BAD_TRANSITION = ErrorCode(
    "activities.inquiry_bad_transition", _("An inquiry that is %(status)s cannot become %(target)s."), 409
)
INQUIRY_NOTE_REQUIRED = ErrorCode("activities.inquiry_note_required", _("Please describe the follow-up."))
INQUIRY_NOT_ASSIGNEE = ErrorCode(
    "activities.inquiry_not_assignee", _("Only the person the inquiry is assigned to can follow it up."), 403
)
KEY_ACCOUNT_EXISTS = ErrorCode(
    "activities.key_account_exists", _("This customer is already designated as a key account."), 409
)
KEY_ACCOUNT_BAD_LEVEL = ErrorCode("activities.key_account_bad_level", _("Unknown key-account level: %(level)s."))
