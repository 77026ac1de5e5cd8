"""Error codes of the policy configuration and the rule engine."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

UNKNOWN_PARAMETER = ErrorCode("policy.unknown_parameter", _("There is no policy parameter named “%(name)s”."), 404)
REQUIRED = ErrorCode("policy.required", _("Please enter a value for %(name)s."))
INVALID_VALUE = ErrorCode("policy.invalid_value", _("“%(value)s” is not a valid value for %(name)s."))
NOT_A_NUMBER = ErrorCode("policy.not_a_number", _("“%(value)s” is not a number (%(name)s)."))
NOT_A_WHOLE_NUMBER = ErrorCode("policy.not_a_whole_number", _("“%(value)s” is not a whole number (%(name)s)."))
NEGATIVE = ErrorCode("policy.negative", _("%(name)s cannot be negative (you entered %(value)s)."))
TOO_LARGE = ErrorCode("policy.too_large", _("%(value)s is too large for %(name)s."))
OUT_OF_RANGE = ErrorCode(
    "policy.out_of_range", _("%(name)s must be between %(low)s and %(high)s (you entered %(value)s).")
)
PERCENT_OVER_100 = ErrorCode(
    "policy.percent_over_100", _("%(name)s is a percentage and cannot exceed 100 (you entered %(value)s).")
)
BAD_TIME = ErrorCode(
    "policy.bad_time", _("“%(value)s” is not a time of day for %(name)s; use HH:MM between 00:00 and 23:59.")
)
BAD_WEEKDAY = ErrorCode("policy.bad_weekday", _("“%(value)s” is not a weekday (%(name)s)."))
BAD_RANGE = ErrorCode("policy.bad_range", _("“%(value)s” is not a range for %(name)s; write it as min..max."))
RANGE_REVERSED = ErrorCode(
    "policy.range_reversed", _("The minimum of %(name)s (%(low)s) is larger than its maximum (%(high)s).")
)
BAD_CHOICE = ErrorCode("policy.bad_choice", _("%(name)s does not accept %(value)s; allowed: %(choices)s."))
REASON_REQUIRED = ErrorCode("policy.reason_required", _("Please give a reason for changing the policy."))
BACKDATED = ErrorCode(
    "policy.backdated", _("A policy change cannot take effect in the past; choose a time from now on.")
)
SAME_TIME = ErrorCode(
    "policy.same_time", _("Another change of %(name)s already takes effect at that time; choose another time.")
)
UNCHANGED = ErrorCode("policy.unchanged", _("%(name)s already has this value at that time."))
UNKNOWN_RULE = ErrorCode("policy.unknown_rule", _("There is no rule %(rule)s in the engine."), 404)
