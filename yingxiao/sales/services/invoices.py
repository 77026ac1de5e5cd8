"""Invoice actions (CON-6): request with details, check the details, issue after payment.

A request carries the customer's invoice details (抬头, 税号, 开户行及账号, 地址电话); the details are
checked first (``sales.check_invoicerequest`` — the sales office's 初审); finance issues the invoice
(``sales.issue_invoicerequest``) only when the money it covers has been confirmed (ORD-2):
confirmed receipts of the contract ≥ invoices already issued + this one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from yingxiao.core.errors import NOT_FOUND, BusinessError

from .. import errors
from ..models import Contract, InvoiceRequest
from .common import require
from .contracts import _int, money, text
from .receivables import _effective_contract, confirmed_total, issued_total

if TYPE_CHECKING:
    from yingxiao.org.models import User

# rule: CON-6 — the unified social credit code (18) or older taxpayer numbers (15 / 20), letters and digits.
_TAX_NUMBER = re.compile(r"^(?:[0-9A-Z]{15}|[0-9A-Z]{18}|[0-9A-Z]{20})$")
Status = InvoiceRequest.Status


def invoice_request_create(
    *,
    actor: User,
    contract: Contract | int,
    amount: Any,
    title: Any,
    tax_number: Any,
    bank: Any,
    bank_account: Any,
    address: Any,
) -> InvoiceRequest:
    """An invoice request with the customer's details, all required and well formed (CON-6)."""
    require(actor, "sales.add_invoicerequest")
    value = money(amount)
    tax = str(tax_number or "").strip().upper()
    if not _TAX_NUMBER.match(tax):
        raise BusinessError(errors.BAD_TAX_NUMBER, field="tax_number")
    details = {
        "title": text(title, field="title", max_length=200),
        "bank": text(bank, field="bank", max_length=200),
        "bank_account": text(bank_account, field="bank_account", max_length=40),
        "address": text(address, field="address", max_length=300),
    }
    with transaction.atomic():
        found = _effective_contract(actor, contract)
        if issued_total(found) + value > found.amount:
            raise BusinessError(errors.INVOICE_TOO_LARGE, field="amount", amount=f"{found.amount:.2f}")
        return InvoiceRequest.objects.create(
            contract=found,
            amount=value,
            tax_number=tax,
            requested_by=actor,
            owner_id=found.owner_id,
            department_id=found.department_id,
            **details,
        )


def _lock(actor: User, invoice: InvoiceRequest | int) -> InvoiceRequest:
    pk = invoice.pk if isinstance(invoice, InvoiceRequest) else invoice
    found = InvoiceRequest.objects.restrict(actor, "view").select_for_update(of=("self",)).filter(pk=_int(pk)).first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def invoice_check(*, actor: User, invoice: InvoiceRequest | int) -> InvoiceRequest:
    """rule: CON-6 — the invoice details are checked first (初审)."""
    require(actor, "sales.check_invoicerequest")
    with transaction.atomic():
        found = _lock(actor, invoice)
        if found.status != Status.REQUESTED:
            raise BusinessError(errors.INVOICE_STATE, status=found.get_status_display())
        found.status, found.checked_by, found.checked_at = Status.CHECKED, actor, timezone.now()
        found.save(update_fields=["status", "checked_by", "checked_at"])
    return found


def invoice_issue(*, actor: User, invoice: InvoiceRequest | int, invoice_number: Any) -> InvoiceRequest:
    """rule: CON-6 — finance issues the invoice only after the payment it covers is confirmed."""
    require(actor, "sales.issue_invoicerequest")
    number = text(invoice_number, field="invoice_number", max_length=40)
    with transaction.atomic():
        found = _lock(actor, invoice)
        if found.status == Status.ISSUED:
            raise BusinessError(errors.INVOICE_STATE, status=found.get_status_display())
        if found.status != Status.CHECKED:
            raise BusinessError(errors.INVOICE_NOT_CHECKED)
        Contract.objects.select_for_update().filter(pk=found.contract_id).first()  # one issue at a time per contract
        paid, invoiced = confirmed_total(found.contract_id), issued_total(found.contract_id)
        if invoiced + found.amount > paid:
            raise BusinessError(
                errors.INVOICE_BEFORE_PAYMENT,
                paid=f"{paid:.2f}",
                invoiced=f"{invoiced:.2f}",
                amount=f"{found.amount:.2f}",
            )
        found.status, found.issued_by, found.issued_at, found.invoice_number = (
            Status.ISSUED,
            actor,
            timezone.now(),
            number,
        )
        found.save(update_fields=["status", "issued_by", "issued_at", "invoice_number"])
    return found
