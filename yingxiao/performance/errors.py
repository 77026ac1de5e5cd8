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
