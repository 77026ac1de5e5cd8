"""Error codes of targets, budgets, expense claims and gifts (PLN-1…PLN-5)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

NO_PERMISSION = ErrorCode("planning.no_permission", _("You do not have permission to do this."), 403)
REQUIRED = ErrorCode("planning.required", _("This field is required: %(field_name)s."))
BAD_VALUE = ErrorCode("planning.bad_value", _("The value of %(field_name)s is invalid."))
BAD_AMOUNT = ErrorCode("planning.bad_amount", _("An amount must be a number of at least 0 (at most two decimals)."))
NOT_POSITIVE = ErrorCode("planning.not_positive", _("The amount must be greater than zero."))
BAD_PERIOD = ErrorCode("planning.bad_period", _("The period is invalid: a quarter is 1–4, a month 1–12."))
BAD_YEAR = ErrorCode("planning.bad_year", _("The year is invalid."))
BAD_METRIC = ErrorCode("planning.bad_metric", _("Unknown target metric."))
DUPLICATE_PLAN = ErrorCode(
    "planning.duplicate_plan", _("A plan for this metric, year and department already exists."), 409
)
NOT_DRAFT = ErrorCode("planning.not_draft", _("Only a draft plan can be changed this way; reallocate instead."), 409)
NOT_PUBLISHED = ErrorCode("planning.not_published", _("The plan is not published yet."), 409)
BAD_CHILD_PERIOD = ErrorCode(
    "planning.bad_child_period",
    _("A period split goes one level finer (year → quarters → months) and stays inside the parent's period."),
)
BAD_CHILD_UNIT = ErrorCode(
    "planning.bad_child_unit",
    _("A unit split goes to a department or person inside the parent's department, for the same period."),
)
MIXED_SPLIT = ErrorCode(
    "planning.mixed_split", _("A target is split either by period or by unit, not both at the same level.")
)
DUPLICATE_CHILD = ErrorCode("planning.duplicate_child", _("This part of the target already exists."), 409)
UNEXPLAINED = ErrorCode(
    "planning.unexplained",
    _("The parts do not add up to the target: %(nodes)s. Correct them or explain each difference before publishing."),
    409,
)
NOTHING_TO_EXPLAIN = ErrorCode("planning.nothing_to_explain", _("The parts add up: there is no difference to explain."))
NO_CHANGE = ErrorCode("planning.no_change", _("The reallocation changes nothing."))
REASON_REQUIRED = ErrorCode("planning.reason_required", _("A reallocation needs a reason."))
NOT_BEHIND = ErrorCode("planning.not_behind", _("This target needs no corrective action."), 409)
ALREADY_DONE = ErrorCode("planning.already_done", _("The corrective action has already been submitted."), 409)
NO_BUDGET = ErrorCode(
    "planning.no_budget",
    _("There is no %(category)s budget for %(department)s in this period: the claim is refused."),
    409,
)
OVER_BUDGET = ErrorCode(
    "planning.over_budget",
    _("The claim of %(amount)s exceeds the remaining %(category)s budget of %(department)s (%(remaining)s left)."),
    409,
)
DUPLICATE_BUDGET = ErrorCode(
    "planning.duplicate_budget", _("This budget already exists; change its amount instead."), 409
)
BUDGET_BELOW_COMMITTED = ErrorCode(
    "planning.budget_below_committed",
    _("The budget cannot be lower than what is already claimed (%(committed)s)."),
    409,
)
BAD_DATE = ErrorCode("planning.bad_date", _("The date is invalid or in the future."))
GIFT_NOT_APPROVED = ErrorCode(
    "planning.gift_not_approved", _("Only an approved, undelivered gift can be signed for."), 409
)
SIGNATURE_REQUIRED = ErrorCode(
    "planning.signature_required", _("Upload the signed receipt (礼品签收单) or record who signed for the gift.")
)
