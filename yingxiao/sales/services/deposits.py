"""Deposit actions (小定/大定, ORD-1, ORD-2, ORD-5, CUS-3): register, confirm (finance), void, refund.

ORD-1/ORD-5: a deposit is taken only on a unit confirmed unsold; registering it reserves the unit
by a conditional UPDATE inside the same transaction, and a partial unique index allows one live
deposit per unit — of two concurrent deposits on the last unit exactly one succeeds.
ORD-2: only a finance role confirms the money was received; a rep trying gets a clear refusal.
Void (before the money is confirmed) and refund (after) keep the row and its history.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.selectors import primary_department

from .. import errors
from ..models import Deposit, StockItem
from ..models.deposits import CONFIRM_DEPOSIT_PERMISSION
from .common import after_commit, currency_code, customer_for, decimal_value, require
from .stock import item_for, release_item, reserve_item

if TYPE_CHECKING:
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User


def deposit_link(deposit: Deposit) -> str:
    return reverse("sales:deposit_detail", args=[deposit.pk])


def check_deal_allowed(customer: Customer) -> None:
    # rule: CUS-3 — a blacklisted customer can get no new deposit or order.
    if customer.is_blacklisted:
        raise BusinessError(errors.CUSTOMER_BLACKLISTED_DEAL, field="customer", customer=customer.name)


def amount_value(raw: Any) -> Any:
    value = decimal_value(raw, errors.BAD_AMOUNT, field="amount")
    if value <= 0:
        raise BusinessError(errors.BAD_AMOUNT, field="amount")
    return value


def deposit_register(
    *,
    actor: User,
    customer: Customer | int,
    item: StockItem | int,
    kind: str,
    amount: Any,
    currency: str = "CNY",
    payer: str = "",
    note: str = "",
) -> Deposit:
    """Register a deposit on an available unit, which becomes reserved (ORD-1, ORD-5).

    Refused, nothing written: no permission (403), customer out of scope (404), blacklisted
    customer (CUS-3), a unit reserved or sold, a bad amount or currency.
    """
    require(actor, "sales.add_deposit")
    if kind not in Deposit.Kind.values:
        raise BusinessError(errors.BAD_DEPOSIT_KIND, field="kind")
    value = amount_value(amount)
    code = currency_code(currency)
    with transaction.atomic():
        found = customer_for(actor, customer)
        check_deal_allowed(found)
        unit = item_for(actor, item)
        # rule: ORD-1 / ORD-5 — only an available unit, reserved atomically (the loser of a race fails here).
        if not reserve_item(unit.pk):
            unit.refresh_from_db(fields=["status"])
            raise BusinessError(
                errors.ITEM_NOT_AVAILABLE, field="item", item=str(unit), status=unit.get_status_display()
            )
        owner = found.owner or actor
        try:
            with transaction.atomic():
                deposit = Deposit.objects.create(
                    number=f"TMP-{uuid.uuid4().hex[:20]}",
                    kind=kind,
                    item=unit,
                    customer=found,
                    owner=owner,
                    department=found.department or primary_department(owner),
                    amount=value,
                    currency=code,
                    payer=(payer or "").strip()[:200],
                    note=(note or "").strip()[:500],
                )
        except IntegrityError as exc:  # the partial unique index: another live deposit on the unit
            raise BusinessError(errors.ITEM_NOT_AVAILABLE, field="item", item=str(unit), status="—") from exc
        deposit.number = f"DJ{timezone.localdate():%Y%m}-{deposit.pk:06d}"
        deposit.save(update_fields=["number"])
        _tell_finance(deposit)
    return deposit


def _tell_finance(deposit: Deposit) -> None:
    from yingxiao.org.models import User

    def send() -> None:
        for person in User.objects.filter(assignments__position__role__code="finance", is_active=True).distinct()[:20]:
            notify(person, message=_msg_pending(deposit), link=deposit_link(deposit))

    after_commit(send)


def _msg_pending(deposit: Deposit) -> str:
    from django.utils.translation import gettext

    return gettext("Deposit %(number)s of %(amount)s %(currency)s (%(customer)s) waits for your confirmation.") % {
        "number": deposit.number,
        "amount": deposit.amount,
        "currency": deposit.currency,
        "customer": deposit.customer.name,
    }


def _lock(actor: User, deposit: Deposit | int, action: str = "view") -> Deposit:
    pk = deposit.pk if isinstance(deposit, Deposit) else deposit
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND) from exc
    found = Deposit.objects.restrict(actor, action).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def deposit_confirm(*, actor: User, deposit: Deposit | int) -> Deposit:
    """Finance confirms the money was received (ORD-2); anyone else is refused, nothing changed."""
    # rule: ORD-2 — only a finance role confirms receipts (严禁销售员私自收款).
    if actor is None or not actor.is_authenticated or not actor.has_perm(CONFIRM_DEPOSIT_PERMISSION):
        raise BusinessError(errors.FINANCE_ONLY)
    with transaction.atomic():
        locked = _lock(actor, deposit)
        if locked.status != Deposit.Status.REGISTERED:
            raise BusinessError(errors.DEPOSIT_STATE, status=locked.get_status_display())
        locked.status = Deposit.Status.CONFIRMED
        locked.confirmed_by, locked.confirmed_at = actor, timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        # rule: ORD-2 / CON-3 — the confirmed deposit counts as received on its order's contract.
        from .deposit_receipts import deposit_apply

        deposit_apply(locked)
    after_commit(lambda: notify(locked.owner, message=_msg_confirmed(locked), link=deposit_link(locked), actor=actor))
    return locked


def _msg_confirmed(deposit: Deposit) -> str:
    from django.utils.translation import gettext

    return gettext("Finance confirmed deposit %(number)s as received.") % {"number": deposit.number}


def deposit_void(*, actor: User, deposit: Deposit | int, reason: str) -> Deposit:
    """Void a deposit whose money was not confirmed; the unit is free again. The row stays (void)."""
    require(actor, "sales.change_deposit")
    text = (reason or "").strip()[:500]
    if not text:
        raise BusinessError(errors.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = _lock(actor, deposit, "change")
        if locked.status != Deposit.Status.REGISTERED:
            raise BusinessError(errors.DEPOSIT_STATE, status=locked.get_status_display())
        _close(actor, locked, Deposit.Status.VOID, text)
    return locked


def deposit_refund(*, actor: User, deposit: Deposit | int, reason: str) -> Deposit:
    """Refund a confirmed deposit — money goes back, so finance only (ORD-2); the unit is free again."""
    if actor is None or not actor.is_authenticated or not actor.has_perm(CONFIRM_DEPOSIT_PERMISSION):
        raise BusinessError(errors.FINANCE_ONLY)
    text = (reason or "").strip()[:500]
    if not text:
        raise BusinessError(errors.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = _lock(actor, deposit)
        if locked.status != Deposit.Status.CONFIRMED:
            raise BusinessError(errors.DEPOSIT_STATE, status=locked.get_status_display())
        if locked.orders.filter(effective_version__isnull=False).exists():
            raise BusinessError(errors.DEPOSIT_STATE, status=locked.get_status_display())
        from .deposit_receipts import deposit_unapply

        deposit_unapply(locked, actor=actor, reason=text)  # money back: no longer received on a contract
        _close(actor, locked, Deposit.Status.REFUNDED, text)
    return locked


def _close(actor: User, deposit: Deposit, status: str, reason: str) -> None:
    deposit.status, deposit.closed_by, deposit.closed_at, deposit.close_reason = status, actor, timezone.now(), reason
    deposit.save(update_fields=["status", "closed_by", "closed_at", "close_reason"])
    release_item(deposit.item_id)


DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _four(group: int) -> str:
    """A group of up to four digits (no leading 零): 1005 → 壹仟零伍."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit:
            if zero and text:
                text += DIGITS[0]
            text += DIGITS[digit] + _UNITS[position]
            zero = False
        else:
            zero = True
    return text


def amount_in_words(value: Any) -> str:
    """The amount in Chinese capitals (人民币大写) for the printed receipt, e.g. 壹万零伍元伍角整."""
    from decimal import Decimal

    amount = Decimal(value).quantize(Decimal("0.01"))
    if amount < 0:
        return "负" + amount_in_words(-amount)
    yuan, cents = divmod(int(amount * 100), 100)
    groups: list[int] = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    text = ""
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group:
            if text and group < 1000 and not text.endswith(DIGITS[0]):
                text += DIGITS[0]
            text += _four(group) + _GROUPS[index]
        elif text and any(groups[:index]) and not text.endswith(DIGITS[0]):
            text += DIGITS[0]
    text = (text or DIGITS[0]) + "元"
    jiao, fen = divmod(cents, 10)
    if not cents:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text != "零元":
        text += DIGITS[0]
    return text + (DIGITS[fen] + "分" if fen else "整")
