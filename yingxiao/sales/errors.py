"""Error codes of sales (QUO-*, CUS-3). Tests assert the code, never the wording."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

# rule: CUS-3 — a blacklisted customer can get no new quote.
CUSTOMER_BLACKLISTED = ErrorCode(
    "sales.customer_blacklisted",
    _("%(customer)s is on the blacklist: no new quote can be made or sent for this customer."),
    409,
)
NO_PRICE = ErrorCode(
    "sales.no_price",
    _("%(product)s has no list price in force; ask for a price list entry or a non-standard quote."),
)
BAD_QUANTITY = ErrorCode("sales.bad_quantity", _("Enter a quantity greater than 0 (at most two decimals)."))
BAD_DISCOUNT = ErrorCode("sales.bad_discount", _("Enter a discount from 0 to below 100% (at most two decimals)."))
BAD_PRICE = ErrorCode("sales.bad_price", _("Enter an amount greater than 0 with at most two decimals."))
BAD_CURRENCY = ErrorCode("sales.bad_currency", _("Unknown currency: %(currency)s."))
CURRENCY_MISMATCH = ErrorCode(
    "sales.currency_mismatch", _("The price list is in %(list)s but the quote is in %(quote)s.")
)
UNKNOWN_PRODUCT = ErrorCode("sales.unknown_product", _("The product does not exist or is no longer sold."))
NO_LINES = ErrorCode("sales.no_lines", _("Add at least one line before submitting the quote."))
TOO_MANY_LINES = ErrorCode("sales.too_many_lines", _("A quote has at most %(max)s lines."))
NOT_EDITABLE = ErrorCode(
    "sales.not_editable",
    _("This version of the quote can no longer be changed (%(status)s); make a new revision."),
    409,
)
# rule: QUO-2 / QUO-3 — nothing goes to the customer before its approvals.
NOT_READY = ErrorCode(
    "sales.not_ready",
    _("The quote cannot be sent yet (%(status)s): the discount approval or the market review is not complete."),
    409,
)
ALREADY_SENT = ErrorCode("sales.already_sent", _("This version of the quote was already sent."), 409)
NOTHING_TO_REVISE = ErrorCode(
    "sales.nothing_to_revise", _("The current version is still a draft: edit it instead of revising."), 409
)
PENDING_APPROVAL = ErrorCode(
    "sales.pending_approval", _("The quote is waiting for an approval; withdraw the request to change it."), 409
)
# rule: QUO-1 — somebody must hold the quoting role.
NO_QUOTER = ErrorCode(
    "sales.no_quoter",
    _("Nobody holds the quoting-engineer role in the market department; the request cannot be assigned."),
    409,
)
REQUEST_ANSWERED = ErrorCode("sales.request_answered", _("This request has already been answered."), 409)
NOT_ASSIGNEE = ErrorCode("sales.not_assignee", _("Only the quoting engineer assigned can answer this request."), 403)
CONFIGURATION_REQUIRED = ErrorCode(
    "sales.configuration_required", _("Describe the special configuration the customer needs.")
)
NO_MARKET_DEPARTMENT = ErrorCode(
    "sales.no_market_department",
    _("No market department (with a quoting-engineer post) is set up to review international quotes."),
    409,
)
PRICE_LIST_FROZEN = ErrorCode(
    "sales.price_list_frozen",
    _("This price list is already in force and cannot be changed; create a new version."),
    409,
)
PRICE_LIST_EXISTS = ErrorCode(
    "sales.price_list_exists", _("A price list in this currency already takes effect on that day."), 409
)
BAD_DATE = ErrorCode("sales.bad_date", _("Enter a valid date."))
PDF_FAILED = ErrorCode("sales.pdf_failed", _("The quote PDF could not be produced; nothing was sent."), 500)
