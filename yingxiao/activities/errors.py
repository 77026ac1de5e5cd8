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
