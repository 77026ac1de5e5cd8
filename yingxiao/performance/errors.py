"""Error codes of the fines-and-rewards ledger (DIS-1, DIS-2, DIS-3)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

NOT_YOUR_STAFF = ErrorCode(
    "performance.not_your_staff", _("You can only record fines and rewards for people in your data scope."), 403
)
SELF_RECORD = ErrorCode("performance.self_record", _("You cannot record a fine or reward for yourself."), 403)
BAD_RULE = ErrorCode("performance.bad_rule", _("Name the rule that was broken, e.g. HR-7."))
BAD_AMOUNT = ErrorCode("performance.bad_amount", _("The amount must be a positive sum of money."))
NO_EVIDENCE = ErrorCode("performance.no_evidence", _("Describe the evidence of the violation."))
BAD_KIND = ErrorCode("performance.bad_kind", _("Unknown kind of reward."))
NO_REASON = ErrorCode("performance.no_reason", _("Give the reason for the reward."))
FINANCE_ONLY = ErrorCode("performance.finance_only", _("Only finance can confirm that a fine has been paid."), 403)
NOT_PAYABLE = ErrorCode("performance.not_payable", _("Only an approved, unpaid fine can be marked paid."), 409)
BAD_MONTH = ErrorCode("performance.bad_month", _("A month is written YYYY-MM."))

# Evaluations and pay statements (PRF-1…5).
NOT_EVALUATOR = ErrorCode(
    "performance.not_evaluator", _("You can only evaluate people in your data scope, never yourself."), 403
)
EVALUATION_FINAL = ErrorCode(
    "performance.evaluation_final", _("This evaluation is final and can no longer change."), 409
)
BAD_SCORE = ErrorCode("performance.bad_score", _("A score is a number from 0 to 100."))
UNKNOWN_INDICATOR = ErrorCode("performance.unknown_indicator", _("This indicator is not part of the evaluation."))
COMPUTED_INDICATOR = ErrorCode(
    "performance.computed_indicator", _("This indicator is computed from the records and cannot be scored by hand.")
)
UNSCORED = ErrorCode("performance.unscored", _("Score every indicator before finalising: %(missing)s."))
FUTURE_MONTH = ErrorCode("performance.future_month", _("This month has not started yet."))
MONTH_OPEN = ErrorCode(
    "performance.month_open",
    _("The payroll month %(month)s is still open: HR must close it before statements are issued."),
    409,
)
MONTH_NOT_OVER = ErrorCode("performance.month_not_over", _("A month can only be closed after it has ended."), 409)
MONTH_DRAFTS = ErrorCode("performance.month_drafts", _("%(count)s evaluations of the month are not final yet."), 409)
MONTH_CLOSED = ErrorCode("performance.month_closed", _("The payroll month %(month)s is already closed."), 409)
NOT_PAYROLL = ErrorCode("performance.not_payroll", _("Only HR can close months and issue pay statements."), 403)
NOT_YOUR_STATEMENT = ErrorCode(
    "performance.not_your_statement", _("Only the employee named on a statement can confirm it."), 403
)
ALREADY_CONFIRMED = ErrorCode("performance.already_confirmed", _("This statement is already confirmed."), 409)
BAD_PAY = ErrorCode("performance.bad_pay", _("Pay is a sum of money of zero or more."))
