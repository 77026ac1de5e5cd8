"""Sales business actions, split by sub-domain (house style 1): catalog, quotes, non-standard requests."""

from .products import price_list_create, price_list_item_set, product_create
from .quotes import (
    quote_create,
    quote_line_add,
    quote_line_remove,
    quote_line_update,
    quote_revise,
    quote_send,
    quote_submit,
)
from .requests import quote_request_answer, quote_request_create

__all__ = [
    "price_list_create",
    "price_list_item_set",
    "product_create",
    "quote_create",
    "quote_line_add",
    "quote_line_remove",
    "quote_line_update",
    "quote_request_answer",
    "quote_request_create",
    "quote_revise",
    "quote_send",
    "quote_submit",
]

# Stock, deposits, orders and shipments (ORD-1…6, SHP-1…3) live in their own modules:
# ``services.stock``, ``services.deposits``, ``services.orders``, ``services.shipments``.
# Contracts, receipts and receivables, invoices (CON-1…8, ORD-2).
from .contracts import (
    contract_archive,
    contract_confirm_balance,
    contract_create,
    contract_sign,
    contract_submit,
    contract_update,
    seal_use_record,
)
from .invoices import invoice_check, invoice_issue, invoice_request_create
from .receivables import (
    guarantee_create,
    receipt_confirm,
    receipt_reverse,
    reconciliation_open,
    reconciliation_set_finance,
    reconciliation_sign,
    write_off_request,
)

__all__ += [
    "contract_archive",
    "contract_confirm_balance",
    "contract_create",
    "contract_sign",
    "contract_submit",
    "contract_update",
    "guarantee_create",
    "invoice_check",
    "invoice_issue",
    "invoice_request_create",
    "receipt_confirm",
    "receipt_reverse",
    "reconciliation_open",
    "reconciliation_set_finance",
    "reconciliation_sign",
    "seal_use_record",
    "write_off_request",
]
