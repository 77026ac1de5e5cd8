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

# --- stock, deposits, orders, shipments (ORD-1…6, SHP-1…3) ------------------------------------------
# rule: CUS-3 — nor a new deposit or order.
CUSTOMER_BLACKLISTED_DEAL = ErrorCode(
    "sales.customer_blacklisted",
    _("%(customer)s is on the blacklist: no new deposit or order can be taken for this customer."),
    409,
)
# rule: ORD-1 / ORD-5 — a deposit only against a unit confirmed unsold (销控).
ITEM_NOT_AVAILABLE = ErrorCode(
    "sales.item_not_available",
    _("Unit %(item)s is %(status)s: a deposit can only be taken on an available unit."),
    409,
)
UNKNOWN_ITEM = ErrorCode("sales.unknown_item", _("The stock unit does not exist."))
BAD_AMOUNT = ErrorCode("sales.bad_amount", _("Enter an amount greater than 0 with at most two decimals."))
BAD_DEPOSIT_KIND = ErrorCode("sales.bad_deposit_kind", _("Choose a small deposit (小定) or a full deposit (大定)."))
# rule: ORD-2 — only finance confirms money received.
FINANCE_ONLY = ErrorCode(
    "sales.finance_only",
    _("Only finance can confirm or reverse money received; sales staff may not take, record or confirm payments."),
    403,
)
DEPOSIT_STATE = ErrorCode("sales.deposit_state", _("This deposit is %(status)s: the action is not possible now."), 409)
REASON_REQUIRED = ErrorCode("sales.reason_required", _("Give the reason."))
SERIAL_EXISTS = ErrorCode("sales.serial_exists", _("A unit with this serial number already exists."), 409)
OUTLET_NEEDS_DATE = ErrorCode(
    "sales.outlet_needs_date", _("Give the secondary outlet and the day the unit was placed there.")
)
ITEM_STATE = ErrorCode("sales.item_state", _("Unit %(item)s is %(status)s: it cannot be moved now."), 409)
# rule: ORD-3
ORDER_SIGNED_OFF = ErrorCode(
    "sales.order_signed_off",
    _("This version of the order was submitted or signed off and cannot be edited; make a change instead."),
    409,
)
ORDER_STATE = ErrorCode("sales.order_state", _("The order is %(status)s: the action is not possible now."), 409)
NOT_SIGNER = ErrorCode(
    "sales.not_signer",
    _("Only the rep's manager or group leader can sign this order off."),
    403,
)
DEPOSIT_MISMATCH = ErrorCode(
    "sales.deposit_mismatch", _("The deposit belongs to another customer or is no longer live.")
)
DEPOSIT_CURRENCY_MISMATCH = ErrorCode(
    "sales.currency_mismatch", _("The deposit is in %(deposit)s but the order is in %(order)s.")
)
# rule: ORD-4
PLAN_EXISTS = ErrorCode("sales.plan_exists", _("The production plan of this order is already entered."), 409)
PLAN_NOT_EFFECTIVE = ErrorCode(
    "sales.plan_not_effective", _("The production plan is entered once the order is signed off."), 409
)
PLAN_NOT_REVIEWED = ErrorCode(
    "sales.plan_not_reviewed", _("Review the price, the specification and the model before entering the plan.")
)
BAD_PERCENT = ErrorCode("sales.bad_percent", _("Enter a percentage from 0 to 100."))
TEXT_REQUIRED = ErrorCode("sales.text_required", _("Describe the progress."))
# rule: SHP-1
DOCUMENTS_MISSING = ErrorCode(
    "sales.documents_missing",
    _("Before dispatch, every document must be archived and reviewed; missing: %(missing)s."),
    409,
)
SHIPMENT_STATE = ErrorCode(
    "sales.shipment_state", _("The shipment is %(status)s: the action is not possible now."), 409
)
BAD_FILE = ErrorCode("sales.bad_file", _("Upload a PDF or an image (JPEG, PNG) of at most %(mb)s MB."))
BAD_DOCUMENT_KIND = ErrorCode("sales.bad_document_kind", _("Unknown document of the checklist."))
ORDER_NOT_EFFECTIVE = ErrorCode(
    "sales.order_not_effective", _("Only an order in force (signed off) can be shipped."), 409
)
# --- contracts, receipts, receivables, invoices (CON-1…8, ORD-2) ---------------------------------
# rule: CUS-3 — a blacklisted customer can get no new contract.
CONTRACT_BLACKLISTED = ErrorCode(
    "sales.contract_blacklisted",
    _("%(customer)s is on the blacklist: no new contract can be made for this customer."),
    409,
)
BAD_TEXT = ErrorCode("sales.bad_text", _("This field is required (at most %(max)s characters)."))
BAD_CATEGORY = ErrorCode("sales.bad_category", _("Choose a contract category from the list."))
BAD_INSTALMENT_KIND = ErrorCode(
    "sales.bad_instalment_kind", _("An instalment is a prepayment, a progress payment or a final payment.")
)
# rule: CON-2 — the payment plan adds up to the contract amount to the cent.
PLAN_NOT_SUMMING = ErrorCode(
    "sales.plan_not_summing",
    _("The payment plan adds up to %(plan)s but the contract amount is %(amount)s: they must be equal to the cent."),
)
PLAN_EMPTY = ErrorCode("sales.plan_empty", _("Add the payment plan (prepayment, progress, final payment) first."))
CONTRACT_NOT_DRAFT = ErrorCode(
    "sales.contract_not_draft", _("The contract is %(status)s: only a draft can be changed or submitted."), 409
)
CONTRACT_NOT_APPROVED = ErrorCode(
    "sales.contract_not_approved", _("The contract is %(status)s: it is signed only after the director's review."), 409
)
CONTRACT_NOT_SIGNED = ErrorCode(
    "sales.contract_not_signed", _("The contract is %(status)s: it must be signed first."), 409
)
SCAN_REQUIRED = ErrorCode("sales.scan_required", _("Upload the signed contract scan to archive it."))
BALANCE_DOC_REQUIRED = ErrorCode(
    "sales.balance_doc_required", _("Upload the customer's written balance confirmation and its date.")
)
NOT_CROSS_YEAR = ErrorCode(
    "sales.not_cross_year", _("This contract is not cross-year: no balance confirmation is needed."), 409
)
# rule: ORD-2 — only finance confirms money received.
OVERPAYMENT = ErrorCode(
    "sales.overpayment", _("The amount %(amount)s exceeds what is still owed on the contract (%(owed)s)."), 409
)
ALLOCATION_MISMATCH = ErrorCode(
    "sales.allocation_mismatch", _("The allocations add up to %(total)s, not the amount received %(amount)s.")
)
ALLOCATION_TOO_LARGE = ErrorCode(
    "sales.allocation_too_large", _("The instalment %(instalment)s has only %(owed)s outstanding."), 409
)
RECEIPT_REVERSED = ErrorCode("sales.receipt_reversed", _("This receipt has already been reversed."), 409)
RECEIPT_INVOICED = ErrorCode(
    "sales.receipt_invoiced",
    _("Invoices already issued would exceed the money confirmed after this reversal; void them first."),
    409,
)
WRITE_OFF_TOO_LARGE = ErrorCode("sales.write_off_too_large", _("Only %(owed)s is outstanding on this instalment."), 409)
WRITE_OFF_PENDING = ErrorCode(
    "sales.write_off_pending", _("A write-off of this instalment is already waiting for approval."), 409
)
# rule: CON-6 — details checked first, issued after payment.
BAD_TAX_NUMBER = ErrorCode("sales.bad_tax_number", _("A taxpayer number is 15, 18 or 20 letters and digits."))
INVOICE_NOT_CHECKED = ErrorCode(
    "sales.invoice_not_checked", _("The invoice details must be checked before the invoice is issued."), 409
)
INVOICE_BEFORE_PAYMENT = ErrorCode(
    "sales.invoice_before_payment",
    _(
        "The payment is not confirmed yet: confirmed %(paid)s, invoiced %(invoiced)s; this invoice of %(amount)s "
        "can be issued only after finance confirms the money."
    ),
    409,
)
INVOICE_STATE = ErrorCode("sales.invoice_state", _("The invoice request is %(status)s."), 409)
INVOICE_TOO_LARGE = ErrorCode(
    "sales.invoice_too_large", _("Invoices would exceed the contract amount (%(amount)s)."), 409
)
# rule: CON-4 — reconciliation.
RECONCILIATION_EXISTS = ErrorCode("sales.reconciliation_exists", _("This period already has a reconciliation."), 409)
RECONCILIATION_SIGNED = ErrorCode(
    "sales.reconciliation_signed", _("This side has already signed; the reconciliation can no longer change."), 409
)
FINANCE_FIGURES_MISSING = ErrorCode(
    "sales.finance_figures_missing", _("Finance has not entered its figure for %(count)s contract(s) yet."), 409
)
# rule: CON-8 — the guarantee limit.
GUARANTEE_OVER_LIMIT = ErrorCode(
    "sales.guarantee_over_limit",
    _("A regional manager may guarantee at most %(limit)s of a distributor's debt (already %(used)s)."),
    409,
)
GUARANTEE_STATE = ErrorCode("sales.guarantee_state", _("The guarantee is %(status)s."), 409)
# The contract ↔ order link and deposits counted as money received (ORD-2, ORD-3, CON-3).
CONTRACT_ORDER_MISMATCH = ErrorCode(
    "sales.contract_order_mismatch",
    _("The order belongs to another customer, is in another currency or was cancelled."),
)
DEPOSIT_ALREADY_RECEIVED = ErrorCode(
    "sales.deposit_already_received",
    _("Deposit %(number)s already counts as money received on contract %(contract)s: do not enter it twice."),
    409,
)
DEPOSIT_NOT_RECEIVABLE = ErrorCode(
    "sales.deposit_not_receivable",
    _("Deposit %(number)s is not a finance-confirmed deposit of this contract's order."),
    409,
)
