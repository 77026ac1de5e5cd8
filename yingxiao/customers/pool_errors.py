"""Error codes of the public pool, allocation and blacklist (CUS-3, CUS-6, CUS-7). Tests assert the code."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

# rule: CUS-7
NOT_IN_POOL = ErrorCode(
    "customers.not_in_pool",
    _("This customer is not in the public pool (any more): someone else may have claimed it first."),
    409,
)
CLAIM_NOT_ALLOWED = ErrorCode(
    "customers.claim_not_allowed", _("You are not allowed to claim customers from the public pool."), 403
)
CLAIM_QUOTA = ErrorCode(
    "customers.claim_quota",
    _("You have reached today's limit of %(quota)s claims from the public pool."),
    409,
)
REASSIGN_NOT_ALLOWED = ErrorCode(
    "customers.reassign_not_allowed",
    _("Only the customer-resource director may reassign customers."),
    403,
)
REASSIGN_TARGET = ErrorCode(
    "customers.reassign_target", _("Choose exactly one: a person or a department to reassign to.")
)
NO_CUSTOMERS = ErrorCode("customers.no_customers", _("Select at least one customer."))
SWEEP_NOT_ALLOWED = ErrorCode(
    "customers.sweep_not_allowed", _("Only directors may preview or run the public pool release."), 403
)
# rule: CUS-6
ALLOCATE_NOT_ALLOWED = ErrorCode("customers.allocate_not_allowed", _("You are not allowed to allocate customers."), 403)
NO_STAFF = ErrorCode("customers.no_staff", _("Choose at least one staff member to allocate to."))
STAFF_OUT_OF_SCOPE = ErrorCode(
    "customers.staff_out_of_scope", _("%(name)s is not active staff within your departments.")
)
ALREADY_OWNED = ErrorCode(
    "customers.already_owned",
    _("%(count)s of the selected customers already have an owner or are in the public pool; reload and try again."),
    409,
)
# rule: CUS-3
BLACKLIST_REASON = ErrorCode("customers.blacklist_reason", _("Give the reason for blacklisting this customer."))
ALREADY_BLACKLISTED = ErrorCode("customers.already_blacklisted", _("This customer is already blacklisted."), 409)
BLACKLIST_PENDING = ErrorCode(
    "customers.blacklist_pending", _("A blacklist request for this customer is already waiting for approval."), 409
)
