"""Deposits counted as money received on the contract of their order (ORD-2, ORD-3, CON-3).

A deposit (小定/大定) is money the customer paid; once finance has confirmed it (ORD-2) it is part of
what the customer has paid on the deal. When the order it was taken for has a contract (``Contract.
order``) that is in force, the confirmed deposit becomes a ``Receipt`` on that contract — dated the
day finance confirmed the deposit, confirmed by that finance user, referenced by the deposit number —
allocated earliest-due first, i.e. to the prepayment (预付款) instalment first. That is what a
finance user expects: the deposit is the customer's first payment, and 回款率 (CON-3) counts it.

Whichever comes second applies it: finance confirming the deposit of an order whose contract is
signed, or the contract being signed after the deposit was confirmed. It is applied at most once: a
partial unique index allows one confirmed receipt per deposit, so a deposit finance also entered by
hand as a receipt (``receipt_confirm(deposit=…)``, or a receipt referenced with the deposit number)
is never counted twice. Refunding the deposit reverses its receipt.

These helpers run inside the caller's transaction and do not check permissions: the calling service
(``deposit_confirm``, ``contract_sign``, ``deposit_refund``) has done that.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yingxiao.core.errors import BusinessError

from .. import errors
from ..models import Allocation, Contract, Deposit, Instalment, Order, Receipt

ZERO = Decimal("0.00")


def receivable_deposit(contract: Contract) -> Deposit | None:
    """The deposit of the contract's order, if the order is not cancelled (else None)."""
    if contract.order_id is None:
        return None
    order = Order.objects.filter(pk=contract.order_id).select_related("deposit").first()
    if order is None or order.deposit is None or order.status == Order.Status.CANCELLED:
        return None
    return order.deposit


def deposit_receipt(deposit: Deposit | int) -> Receipt | None:
    """The confirmed receipt that already counts this deposit, if any."""
    pk = deposit.pk if isinstance(deposit, Deposit) else deposit
    return Receipt.objects.filter(deposit_id=pk, status=Receipt.Status.CONFIRMED).select_related("contract").first()


def check_deposit_not_received(deposit: Deposit) -> None:
    """rule: ORD-2 / CON-3 — a deposit already counted on a contract cannot be entered again."""
    existing = deposit_receipt(deposit)
    if existing is not None:
        raise BusinessError(
            errors.DEPOSIT_ALREADY_RECEIVED, field="deposit", number=deposit.number, contract=existing.contract.number
        )


def deposit_apply_to_contract(contract: Contract) -> Receipt | None:
    """rule: ORD-2 / CON-3 — count the finance-confirmed deposit of the contract's order as received.

    No-op (None) when: the contract is not in force, it has no order or the order no deposit, the
    deposit is not confirmed, is in another currency, already counts somewhere, or nothing is owed.
    Only the part still owed is counted (a deposit larger than the balance is not an overpayment
    of the contract: the rest stays on the deposit).
    """
    if not contract.is_effective:
        return None
    deposit = receivable_deposit(contract)
    if deposit is None:
        return None
    # Read, not locked: ``deposit_confirm`` locks the deposit, then the contract; locking here (the
    # contract is locked) would be the opposite order. The unique index settles a race instead.
    locked = Deposit.objects.filter(pk=deposit.pk).first()
    if locked is None or locked.status != Deposit.Status.CONFIRMED or locked.currency != contract.currency:
        return None
    if deposit_receipt(locked) is not None:
        return None
    rows = list(Instalment.objects.select_for_update().filter(contract=contract).order_by("due_date", "position"))
    owed = sum((row.outstanding for row in rows), ZERO)
    value = min(locked.amount, owed)
    if value <= 0:
        return None
    try:
        with transaction.atomic():  # the partial unique index decides a race between two appliers
            receipt = Receipt.objects.create(
                contract=contract,
                amount=value,
                received_on=timezone.localdate(locked.confirmed_at) if locked.confirmed_at else timezone.localdate(),
                reference=locked.number,
                confirmed_by_id=locked.confirmed_by_id,
                owner_id=contract.owner_id,
                department_id=contract.department_id,
                deposit=locked,
            )
    except IntegrityError:
        return None
    left = value
    plan: list[tuple[Instalment, Decimal]] = []
    for row in rows:
        if left <= 0:
            break
        part = min(row.outstanding, left)
        if part > 0:
            plan.append((row, part))
            left -= part
    Allocation.objects.bulk_create(Allocation(receipt=receipt, instalment=row, amount=part) for row, part in plan)
    for row, part in plan:
        Instalment.objects.filter(pk=row.pk).update(received=F("received") + part)
    return receipt


def deposit_apply(deposit: Deposit) -> Receipt | None:
    """Finance just confirmed ``deposit``: count it on the first contract in force of its orders."""
    contracts = (
        Contract.objects.select_for_update(of=("self",))
        .filter(order__deposit=deposit, status__in=[Contract.Status.SIGNED, Contract.Status.ARCHIVED])
        .exclude(order__status=Order.Status.CANCELLED)
        .order_by("signed_on", "pk")
    )
    for contract in contracts:
        receipt = deposit_apply_to_contract(contract)
        if receipt is not None:
            return receipt
    return None


def deposit_unapply(deposit: Deposit, *, actor: object, reason: str) -> None:
    """The deposit is refunded: its receipt is reversed (kept, with its allocations), the balance owed again."""
    from .receivables import confirmed_total, issued_total

    receipt = Receipt.objects.select_for_update().filter(deposit=deposit, status=Receipt.Status.CONFIRMED).first()
    if receipt is None:
        return
    Contract.objects.select_for_update().filter(pk=receipt.contract_id).first()
    if confirmed_total(receipt.contract_id) - receipt.amount < issued_total(receipt.contract_id):
        raise BusinessError(errors.RECEIPT_INVOICED)
    for allocation in receipt.allocations.all():
        Instalment.objects.filter(pk=allocation.instalment_id).update(received=F("received") - allocation.amount)
    receipt.status, receipt.reversed_by, receipt.reversed_at = Receipt.Status.REVERSED, actor, timezone.now()
    receipt.reversal_reason = reason[:300]
    receipt.save(update_fields=["status", "reversed_by", "reversed_at", "reversal_reason"])
