"""Error codes of attendance, outings, trips and leave (HR-1…HR-5)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

REQUIRED = ErrorCode("workforce.required", _("This field is required: %(field_name)s."))
BAD_VALUE = ErrorCode("workforce.bad_value", _("The value of %(field_name)s is invalid."))
BAD_DATES = ErrorCode("workforce.bad_dates", _("The end must not be before the start."))
NO_PERMISSION = ErrorCode("workforce.no_permission", _("You do not have permission to do this."), 403)
ALREADY_CLOCKED_IN = ErrorCode("workforce.already_clocked_in", _("You have already clocked in today."), 409)
NOT_CLOCKED_IN = ErrorCode("workforce.not_clocked_in", _("Clock in before you clock out."), 409)
ALREADY_CLOCKED_OUT = ErrorCode("workforce.already_clocked_out", _("You have already clocked out today."), 409)
NOTHING_TO_CORRECT = ErrorCode("workforce.nothing_to_correct", _("The correction changes nothing."))
HANDOVER_REQUIRED = ErrorCode("workforce.handover_required", _("Name the person who takes over your work."))
BAD_HANDOVER = ErrorCode("workforce.bad_handover", _("The handover person must be another active colleague."))
OVERLAP = ErrorCode("workforce.overlap", _("This overlaps another leave request of yours."), 409)
NO_WORKDAYS = ErrorCode("workforce.no_workdays", _("There is no working day in this period."))
BALANCE = ErrorCode(
    "workforce.balance", _("Not enough annual leave: %(remaining)s days left, %(days)s requested."), 409
)
TRIP_NOT_ACTIVE = ErrorCode(
    "workforce.trip_not_active", _("Check-ins are only possible on an approved trip, during its dates."), 409
)
ALREADY_CHECKED_IN = ErrorCode("workforce.already_checked_in", _("You have already checked in today."), 409)
BAD_MONTH = ErrorCode("workforce.bad_month", _("A month is written YYYY-MM."))
