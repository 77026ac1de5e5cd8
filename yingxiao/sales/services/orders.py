"""Order actions (ORD-3, ORD-4, CUS-3): create, edit a draft, submit, sign off, change, production.

ORD-3: an order takes effect only when the rep's manager or group leader signs it off — the head
of the order's department or the rep's superior in the reporting line (``org.selectors``). An
effective version is never edited: ``order_change`` writes a new dated version that waits for the
same sign-off while the effective one stays in force; signing it off supersedes (and keeps) the old.
ORD-4: once effective the sales office reviews price, spec and model and enters the production plan
by the end of that working day; progress of production, outsourcing and purchasing is logged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.selectors import heads_of, primary_department, superior_of

from .. import errors
from ..models import Deposit, Order, OrderLine, OrderVersion, ProductionPlan, ProgressEntry
from ..models.orders import PLAN_PERMISSION, SIGNOFF_PERMISSION
from ..models.quotes import to_cents
from .common import (
    BASE_CURRENCY,
    MAX_LINES,
    after_commit,
    currency_code,
    customer_for,
    date_value,
    positive,
    price_in_force,
    product_for,
    require,
)
from .deposits import check_deal_allowed
from .stock import sell_item

if TYPE_CHECKING:
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User

Status = Order.Status
VStatus = OrderVersion.Status


def order_link(order: Order) -> str:
    return reverse("sales:order_detail", args=[order.pk])


# --- lines ---------------------------------------------------------------------------------------
def _parse_lines(lines: Iterable[Mapping[str, Any]], currency: str) -> list[dict[str, Any]]:
    """Check every line before anything is written: product sold, price in force, positive numbers."""
    rows = list(lines)
    if not rows:
        raise BusinessError(errors.NO_LINES, field="lines")
    if len(rows) > MAX_LINES:
        raise BusinessError(errors.TOO_MANY_LINES, field="lines", max=MAX_LINES)
    parsed = []
    for row in rows:
        if not isinstance(row, Mapping):
            raise BusinessError(errors.UNKNOWN_PRODUCT, field="lines")
        product = product_for(row.get("product"))
        quantity = positive(row.get("quantity"), errors.BAD_QUANTITY, field="quantity")
        list_price = price_in_force(product, currency).list_price
        raw_price = row.get("unit_price")
        unit_price = (
            list_price if raw_price in (None, "") else positive(raw_price, errors.BAD_PRICE, field="unit_price")
        )
        parsed.append(
            {
                "product": product,
                "quantity": quantity,
                "list_price": list_price,
                "unit_price": unit_price,
                "amount": to_cents(unit_price * quantity),
                "description": str(row.get("description") or "").strip()[:300],
            }
        )
    return parsed


def _write_lines(version: OrderVersion, parsed: list[dict[str, Any]]) -> None:
    version.lines.all().delete()  # only ever on a draft version, never on a submitted one
    OrderLine.objects.bulk_create(
        [OrderLine(version=version, position=index, **row) for index, row in enumerate(parsed, start=1)]
    )
    version.total = version.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    version.save(update_fields=["total"])


def _deposit_for(actor: User, deposit: Any, customer: Customer, currency: str) -> Deposit | None:
    if deposit in (None, ""):
        return None
    pk = deposit.pk if isinstance(deposit, Deposit) else deposit
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.DEPOSIT_MISMATCH, field="deposit") from exc
    found = Deposit.objects.restrict(actor, "view").filter(pk=pk).first()
    if found is None or found.customer_id != customer.pk or not found.is_live:
        raise BusinessError(errors.DEPOSIT_MISMATCH, field="deposit")
    if found.currency != currency:
        raise BusinessError(errors.DEPOSIT_CURRENCY_MISMATCH, field="currency", deposit=found.currency, order=currency)
    return found


# --- creating and editing a draft ----------------------------------------------------------------
def order_create(
    *,
    actor: User,
    customer: Customer | int,
    lines: Iterable[Mapping[str, Any]],
    currency: str = BASE_CURRENCY,
    deposit: Any = None,
    delivery_date: Any = None,
    note: str = "",
) -> Order:
    """A draft order (version 1) for a customer in scope, lines priced from the list in force.

    Refused, nothing written: 403 without permission, 404 out-of-scope customer, blacklisted
    customer (CUS-3), bad lines, a deposit of another customer or currency.
    """
    require(actor, "sales.add_order")
    code = currency_code(currency)
    with transaction.atomic():
        found = customer_for(actor, customer)
        check_deal_allowed(found)
        parsed = _parse_lines(lines, code)
        linked = _deposit_for(actor, deposit, found, code)
        owner = found.owner or actor
        order = Order.objects.create(
            number=f"TMP-{uuid.uuid4().hex[:20]}",
            customer=found,
            owner=owner,
            department=found.department or primary_department(owner),
            currency=code,
            deposit=linked,
        )
        order.number = f"DD{timezone.localdate():%Y%m}-{order.pk:06d}"
        version = OrderVersion.objects.create(
            order=order,
            version=1,
            created_by=actor,
            change_note=(note or "").strip()[:500],
            delivery_date=date_value(delivery_date, field="delivery_date"),
        )
        _write_lines(version, parsed)
        order.total = version.total
        order.save(update_fields=["number", "total"])
    return order


def lock_order(actor: User, order: Order | int) -> Order:
    """The order, locked, if the actor may change it; else 404 (never a hint it exists)."""
    require(actor, "sales.change_order")
    pk = order.pk if isinstance(order, Order) else order
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND) from exc
    locked = Order.objects.restrict(actor, "change").select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise BusinessError(NOT_FOUND)
    return locked


def _latest(order: Order) -> OrderVersion:
    return OrderVersion.objects.select_for_update().get(order=order, version=order.version)


def order_update_lines(*, actor: User, order: Order | int, lines: Iterable[Mapping[str, Any]]) -> Order:
    """Replace the lines of the draft version; a submitted or signed-off version is refused (ORD-3)."""
    with transaction.atomic():
        locked = lock_order(actor, order)
        version = _latest(locked)
        # rule: ORD-3 — a signed-off order is never edited directly.
        if not version.is_editable:
            raise BusinessError(errors.ORDER_SIGNED_OFF)
        check_deal_allowed(locked.customer)
        _write_lines(version, _parse_lines(lines, locked.currency))
        if locked.effective_version is None:
            locked.total = version.total
            locked.save(update_fields=["total"])
    return locked


def signers_for(order: Order) -> list[User]:
    """Who may sign the order off (ORD-3): the rep's superior and the heads of the order's department."""
    people: dict[int, User] = {}
    boss = superior_of(order.owner)
    if boss is not None:
        people[boss.pk] = boss
    if order.department is not None:
        for head in heads_of(order.department):
            if head.pk != order.owner_id:
                people[head.pk] = head
    return list(people.values())


def order_submit(*, actor: User, order: Order | int) -> Order:
    """Send the draft version for sign-off; the signers are notified."""
    with transaction.atomic():
        locked = lock_order(actor, order)
        version = _latest(locked)
        if version.status != VStatus.DRAFT:
            raise BusinessError(errors.ORDER_STATE, status=locked.get_status_display())
        check_deal_allowed(locked.customer)
        if not version.lines.exists():
            raise BusinessError(errors.NO_LINES, field="lines")
        version.status, version.submitted_at = VStatus.PENDING, timezone.now()
        version.save(update_fields=["status", "submitted_at"])
        locked.status = Status.CHANGE_PENDING if locked.effective_version else Status.PENDING
        locked.save(update_fields=["status"])
        signers = signers_for(locked)
    message = gettext("Order %(number)s v%(version)s waits for your sign-off.") % {
        "number": locked.number,
        "version": version.version,
    }
    after_commit(lambda: [notify(s, message=message, link=order_link(locked), actor=actor) for s in signers])
    return locked


def order_change(
    *,
    actor: User,
    order: Order | int,
    lines: Iterable[Mapping[str, Any]],
    note: str,
    delivery_date: Any = None,
) -> Order:
    """A change to an effective order: a new dated version, pending the same sign-off (ORD-3).

    The effective version stays in force until the change is signed off, and is kept afterwards.
    """
    text = (note or "").strip()[:500]
    if not text:
        raise BusinessError(errors.REASON_REQUIRED, field="note")
    with transaction.atomic():
        locked = lock_order(actor, order)
        if locked.effective_version is None or locked.status != Status.EFFECTIVE:
            raise BusinessError(errors.ORDER_STATE, status=locked.get_status_display())
        check_deal_allowed(locked.customer)
        parsed = _parse_lines(lines, locked.currency)
        locked.version += 1
        version = OrderVersion.objects.create(
            order=locked,
            version=locked.version,
            created_by=actor,
            change_note=text,
            delivery_date=date_value(delivery_date, field="delivery_date"),
        )
        _write_lines(version, parsed)
        locked.save(update_fields=["version"])
    return order_submit(actor=actor, order=locked)


def _may_sign(actor: User, order: Order) -> bool:
    return (
        actor.has_perm(SIGNOFF_PERMISSION)
        and actor.pk != order.owner_id
        and any(s.pk == actor.pk for s in signers_for(order))
    )


def plan_due(effective_at: dt.datetime) -> dt.datetime:
    """ORD-4: the end of the working day on which the order took effect (the next one if after hours)."""
    calendar = BusinessCalendar.load()
    for begin, _end in calendar._intervals_from(effective_at):  # the first working moment
        day = begin.date()
        return dt.datetime.combine(day, calendar.periods[-1][1], tzinfo=calendar.tz)
    return effective_at  # pragma: no cover — a calendar without working days


def order_signoff(*, actor: User, order: Order | int, approve: bool, note: str = "") -> Order:
    """The manager's or group leader's sign-off (ORD-3): the pending version takes effect, or goes back."""
    pk = order.pk if isinstance(order, Order) else order
    with transaction.atomic():
        locked = Order.objects.restrict(actor, "view").select_for_update(of=("self",)).filter(pk=pk).first()
        if locked is None:
            raise BusinessError(NOT_FOUND)
        # rule: ORD-3 — only the rep's manager or group leader signs off.
        if not _may_sign(actor, locked):
            raise BusinessError(errors.NOT_SIGNER)
        version = _latest(locked)
        if version.status != VStatus.PENDING:
            raise BusinessError(errors.ORDER_STATE, status=locked.get_status_display())
        now = timezone.now()
        version.signed_off_by, version.signed_off_at = actor, now
        version.decision_note = (note or "").strip()[:500]
        if not approve:
            version.status = VStatus.REJECTED
            version.save(update_fields=["status", "signed_off_by", "signed_off_at", "decision_note"])
            if locked.effective_version:
                locked.status = Status.EFFECTIVE
                locked.save(update_fields=["status"])
            else:
                _reopen(locked, version, actor)
            result = gettext("Order %(number)s v%(version)s was not signed off.")
        else:
            OrderVersion.objects.filter(order=locked, status=VStatus.EFFECTIVE).update(status=VStatus.SUPERSEDED)
            version.status = VStatus.EFFECTIVE
            version.save(update_fields=["status", "signed_off_by", "signed_off_at", "decision_note"])
            first = locked.effective_version is None
            locked.status, locked.effective_version, locked.total = Status.EFFECTIVE, version.version, version.total
            fields = ["status", "effective_version", "total"]
            if first:
                locked.effective_at = now
                # rule: ORD-4 — the production plan is due the same working day.
                locked.plan_due_at = plan_due(now)
                fields += ["effective_at", "plan_due_at"]
                if locked.deposit_id:
                    sell_item(locked.deposit.item_id)
            locked.save(update_fields=fields)
            result = gettext("Order %(number)s v%(version)s is signed off and in force.")
    message = result % {"number": locked.number, "version": version.version}
    after_commit(lambda: notify(locked.owner, message=message, link=order_link(locked), actor=actor))
    return locked


def _reopen(order: Order, rejected: OrderVersion, actor: User) -> None:
    """A first version not signed off: a fresh draft copy for the rep to fix (the refused one is kept)."""
    order.version += 1
    draft = OrderVersion.objects.create(
        order=order,
        version=order.version,
        created_by=actor,
        change_note=rejected.change_note,
        delivery_date=rejected.delivery_date,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                version=draft,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                list_price=line.list_price,
                unit_price=line.unit_price,
                amount=line.amount,
                position=line.position,
            )
            for line in rejected.lines.all()
        ]
    )
    draft.total = rejected.total
    draft.save(update_fields=["total"])
    order.status = Status.DRAFT
    order.save(update_fields=["version", "status"])


# --- production (ORD-4) ---------------------------------------------------------------------------
def _order_for_office(actor: User, order: Order | int) -> Order:
    require(actor, PLAN_PERMISSION)
    pk = order.pk if isinstance(order, Order) else order
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND) from exc
    found = Order.objects.restrict(actor, "view").select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def production_plan_enter(
    *,
    actor: User,
    order: Order | int,
    price_checked: bool,
    spec_checked: bool,
    model_checked: bool,
    planned_start: Any,
    planned_finish: Any,
    note: str = "",
) -> ProductionPlan:
    """The sales office's review (price, spec, model) and production plan for an effective order (ORD-4)."""
    start = date_value(planned_start, field="planned_start")
    finish = date_value(planned_finish, field="planned_finish")
    if start is None:
        raise BusinessError(errors.BAD_DATE, field="planned_start")
    if finish is None or finish < start:
        raise BusinessError(errors.BAD_DATE, field="planned_finish")
    # rule: ORD-4 — price, specification and model are reviewed before production is planned.
    if not (price_checked and spec_checked and model_checked):
        raise BusinessError(errors.PLAN_NOT_REVIEWED, field="price_checked")
    with transaction.atomic():
        locked = _order_for_office(actor, order)
        if not locked.is_effective:
            raise BusinessError(errors.PLAN_NOT_EFFECTIVE)
        if ProductionPlan.objects.filter(order=locked).exists():
            raise BusinessError(errors.PLAN_EXISTS)
        return ProductionPlan.objects.create(
            order=locked,
            price_checked=True,
            spec_checked=True,
            model_checked=True,
            planned_start=start,
            planned_finish=finish,
            note=(note or "").strip()[:1000],
            entered_by=actor,
            entered_at=timezone.now(),
        )


def progress_add(
    *, actor: User, order: Order | int, kind: str, note: str, percent: Any = None, day: Any = None
) -> ProgressEntry:
    """Log production, outsourcing or purchasing progress of an effective order (ORD-4)."""
    if kind not in ProgressEntry.Kind.values:
        raise BusinessError(errors.BAD_DOCUMENT_KIND, field="kind")
    text = (note or "").strip()[:1000]
    if not text:
        raise BusinessError(errors.TEXT_REQUIRED, field="note")
    pct = None
    if percent not in (None, ""):
        try:
            pct = int(str(percent).strip())
        except ValueError as exc:
            raise BusinessError(errors.BAD_PERCENT, field="percent") from exc
        if not 0 <= pct <= 100:
            raise BusinessError(errors.BAD_PERCENT, field="percent")
    when = date_value(day, field="day") or timezone.localdate()
    if when > timezone.localdate():
        raise BusinessError(errors.BAD_DATE, field="day")
    with transaction.atomic():
        locked = _order_for_office(actor, order)
        if not locked.is_effective:
            raise BusinessError(errors.PLAN_NOT_EFFECTIVE)
        return ProgressEntry.objects.create(order=locked, kind=kind, day=when, percent=pct, note=text, entered_by=actor)


def progress_summary(day: dt.date, orders: Any = None) -> list[dict[str, Any]]:
    """ORD-4 daily summary: the progress entered for ``day``, grouped by order (one query)."""
    rows = ProgressEntry.objects.filter(day=day).select_related("order__customer", "entered_by")
    if orders is not None:
        rows = rows.filter(order__in=orders)
    grouped: dict[int, dict[str, Any]] = {}
    for entry in rows.order_by("order__number", "kind", "pk"):
        group = grouped.setdefault(entry.order_id, {"order": entry.order, "entries": []})
        group["entries"].append(entry)
    return list(grouped.values())
