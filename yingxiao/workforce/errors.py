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
BAD_YEAR = ErrorCode("workforce.bad_year", _("The year must be between %(first)s and %(last)s."))
BAD_ENTITLEMENT = ErrorCode(
    "workforce.bad_entitlement", _("Annual leave is given in half days, from 0 to %(most)s days.")
)
ENTITLEMENT_BELOW_USED = ErrorCode(
    "workforce.entitlement_below_used",
    _("This person has already taken or requested %(used)s days of annual leave this year: give at least that."),
    409,
)
ENTITLEMENTS_CHANGED = ErrorCode(
    "workforce.entitlements_changed",
    _("Someone changed these entitlements meanwhile; nothing was granted. Please try again."),
    409,
)
TRIP_NOT_ACTIVE = ErrorCode(
    "workforce.trip_not_active", _("Check-ins are only possible on an approved trip, during its dates."), 409
)
ALREADY_CHECKED_IN = ErrorCode("workforce.already_checked_in", _("You have already checked in today."), 409)
BAD_MONTH = ErrorCode("workforce.bad_month", _("A month is written YYYY-MM."))
# HR-10 duty roster
NOT_IN_DEPARTMENT = ErrorCode(
    "workforce.not_in_department", _("The person on duty must belong to the post's department."), 409
)
POST_TAKEN = ErrorCode("workforce.post_taken", _("This post already has someone on duty that day."), 409)
POST_INACTIVE = ErrorCode("workforce.post_inactive", _("This post is no longer staffed."), 409)
NOT_YOUR_DUTY = ErrorCode("workforce.not_your_duty", _("Only the person on duty can hand this duty over."), 403)
BAD_SUBSTITUTE = ErrorCode("workforce.bad_substitute", _("The substitute must be another active colleague."))
DUTY_PAST = ErrorCode("workforce.duty_past", _("This duty is over or no longer scheduled."), 409)
SWAP_PENDING = ErrorCode("workforce.swap_pending", _("A swap of this duty is already waiting for approval."), 409)
ALREADY_REPORTED = ErrorCode("workforce.already_reported", _("This post has already been reported unattended."), 409)
NOT_ON_DUTY_TIME = ErrorCode("workforce.not_on_duty_time", _("A post can only be reported unattended during its duty."))
BAD_RANGE = ErrorCode("workforce.bad_range", _("The end must not be before the start (at most %(days)s days)."))
# HR-6 meetings
NOT_ORGANISER = ErrorCode("workforce.not_organiser", _("Only the organiser can do this."), 403)
NO_ATTENDEES = ErrorCode("workforce.no_attendees", _("Invite at least one attendee."))
NOT_ATTENDEE = ErrorCode("workforce.not_attendee", _("This person is not an attendee of the meeting."), 409)
MEETING_CLOSED = ErrorCode("workforce.meeting_closed", _("This meeting is no longer scheduled."), 409)
MEETING_NOT_HELD = ErrorCode("workforce.meeting_not_held", _("Mark the meeting held before sending its minutes."), 409)
MEETING_NOT_STARTED = ErrorCode("workforce.meeting_not_started", _("The meeting has not started yet."), 409)
ALREADY_ARRIVED = ErrorCode("workforce.already_arrived", _("The arrival of this attendee is already recorded."), 409)
# HR-7/HR-8 work reports
ALREADY_SUBMITTED = ErrorCode("workforce.already_submitted", _("This report has already been submitted."), 409)
FUTURE_PERIOD = ErrorCode("workforce.future_period", _("A summary can only be written once its period has begun."))
NO_SUPERIOR = ErrorCode("workforce.no_superior", _("You have no superior to submit the report to."), 409)
NOT_RECIPIENT = ErrorCode(
    "workforce.not_recipient", _("Only the superior the report was submitted to can acknowledge it."), 403
)
ALREADY_ACKNOWLEDGED = ErrorCode("workforce.already_acknowledged", _("This report is already acknowledged."), 409)
NOT_A_WORKDAY = ErrorCode("workforce.not_a_workday", _("Daily reports are written for working days."))
