"""Quote actions (QUO-2, QUO-3, CUS-3): create, edit lines, submit for approval, send, revise.

A quote's content lives in revisions. Only a draft revision is edited; submitting routes the
discount to the approval tiers (QUO-2) and an international quote to the market department's
review (QUO-3); only a ready revision is sent, and sending archives it as a PDF — from then on it
is immutable and a change means a new revision (the sent one stays as it was).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from .. import errors
from ..models import Quote, QuoteLine, QuoteRevision
from .common import (
    BASE_CURRENCY,
    MAX_LINES,
    after_commit,
    check_not_blacklisted,
    currency_code,
    customer_for,
    date_value,
    discount,
    positive,
    price_in_force,
    product_for,
    require,
)

if TYPE_CHECKING:
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import Department, User

Status = Quote.Status
PRICE_REQUEST = "price_deviation"
REVIEW_REQUEST = "quote_review"
# The department (and its subtree) whose customers are quoted internationally (QUO-3).
INTERNATIONAL_DEPARTMENT_CODE = "international"


def quote_link(quote: Quote) -> str:
    return reverse("sales:quote_detail", args=[quote.pk])


# --- reading for a change ---------------------------------------------------------------------
def lock_quote(actor: User, quote: Quote | int) -> tuple[Quote, QuoteRevision]:
    """The quote (locked) and its current revision, if the actor may change it; else 404/403."""
    require(actor, "sales.change_quote")
    pk = quote.pk if isinstance(quote, Quote) else quote
    locked = Quote.objects.restrict(actor, "change").select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise BusinessError(NOT_FOUND)
    revision = QuoteRevision.objects.select_for_update().get(quote=locked, version=locked.version)
    return locked, revision


def _editable(revision: QuoteRevision) -> None:
    if revision.status in (Status.PENDING_PRICE, Status.PENDING_REVIEW):
        raise BusinessError(errors.PENDING_APPROVAL)
    if not revision.is_editable:
        raise BusinessError(errors.NOT_EDITABLE, status=revision.get_status_display())


def _mirror(quote: Quote, revision: QuoteRevision) -> None:
    """Copy the current revision's status and total to the quote header (list pages read those)."""
    quote.version, quote.status, quote.total = revision.version, revision.status, revision.total
    quote.save(update_fields=["version", "status", "total"])


def _recompute(revision: QuoteRevision) -> None:
    lines = list(revision.lines.all())
    revision.list_total = sum((line.list_price * line.quantity for line in lines), Decimal("0")).quantize(
        Decimal("0.01")
    )
    revision.total = revision.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    revision.max_discount_pct = max((line.discount_pct for line in lines), default=Decimal("0.00"))
    revision.save(update_fields=["list_total", "total", "max_discount_pct"])


def is_international(customer: Customer, currency: str, flagged: bool) -> bool:
    """QUO-3: flagged, quoted in a foreign currency, or a customer of the international department."""
    if flagged or currency != BASE_CURRENCY:
        return True
    department = customer.department
    if department is None:
        return False
    from yingxiao.org.models import Department

    ids = [int(part) for part in department.path.strip("/").split("/") if part.isdigit()] or [department.pk]
    return Department.objects.filter(pk__in=ids, code=INTERNATIONAL_DEPARTMENT_CODE).exists()


# --- creating -----------------------------------------------------------------------------------
def new_quote(
    *,
    customer: Customer,
    created_by: User,
    currency: str = BASE_CURRENCY,
    international: bool = False,
    note: str = "",
    valid_until: Any = None,
) -> tuple[Quote, QuoteRevision]:
    """Write a quote header and its first draft revision (callers have checked permission and CUS-3).

    The quote belongs to the customer's owner and department, so the rep sees the quotes of their
    own customers whoever drafted them (a head, or the quoting engineer for a non-standard quote).
    """
    owner = customer.owner or created_by
    department: Department | None = customer.department or primary_department(owner)
    quote = Quote.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:20]}",
        customer=customer,
        owner=owner,
        department=department,
        currency=currency,
        is_international=is_international(customer, currency, international),
    )
    quote.number = f"BJ{timezone.localdate():%Y%m}-{quote.pk:06d}"
    quote.save(update_fields=["number"])
    revision = QuoteRevision.objects.create(
        quote=quote,
        version=1,
        created_by=created_by,
        note=(note or "").strip()[:500],
        valid_until=date_value(valid_until, field="valid_until"),
    )
    return quote, revision


def quote_create(
    *,
    actor: User,
    customer: Customer | int,
    currency: str = BASE_CURRENCY,
    is_international: bool = False,
    note: str = "",
    valid_until: Any = None,
    lines: Iterable[Mapping[str, Any]] = (),
) -> Quote:
    """A new draft quote for a customer in the actor's scope, with its lines priced from the list in force.

    Refused, nothing written: no permission (403), customer out of scope (404), a blacklisted
    customer (CUS-3), a product without a list price, bad quantities or discounts.
    """
    require(actor, "sales.add_quote")
    code = currency_code(currency)
    lines = list(lines)
    if len(lines) > MAX_LINES:
        raise BusinessError(errors.TOO_MANY_LINES, field="lines", max=MAX_LINES)
    with transaction.atomic():
        found = customer_for(actor, customer)
        check_not_blacklisted(found)
        quote, revision = new_quote(
            customer=found,
            created_by=actor,
            currency=code,
            international=bool(is_international),
            note=note,
            valid_until=valid_until,
        )
        for position, line in enumerate(lines, start=1):
            _add_line(revision, quote, position=position, **_line_args(line))
        _recompute(revision)
        _mirror(quote, revision)
    return quote


def _line_args(line: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(line, Mapping):
        raise BusinessError(errors.UNKNOWN_PRODUCT, field="lines")
    return {
        "product": line.get("product"),
        "quantity": line.get("quantity"),
        "discount_pct": line.get("discount_pct"),
        "description": line.get("description", ""),
    }


def _add_line(
    revision: QuoteRevision,
    quote: Quote,
    *,
    product: Any,
    quantity: Any,
    discount_pct: Any = None,
    description: Any = "",
    position: int,
) -> QuoteLine:
    item = product_for(product)
    amount_qty = positive(quantity, errors.BAD_QUANTITY, field="quantity")
    pct = discount(discount_pct)
    price_item = price_in_force(item, quote.currency)
    unit, amount = QuoteLine.price_for(price_item.list_price, pct, amount_qty)
    return QuoteLine.objects.create(
        revision=revision,
        product=item,
        description=str(description or "").strip()[:300],
        quantity=amount_qty,
        list_price=price_item.list_price,
        price_list_item=price_item,
        discount_pct=pct,
        unit_price=unit,
        amount=amount,
        position=position,
    )


# --- editing a draft ------------------------------------------------------------------------------
def quote_line_add(
    *, actor: User, quote: Quote | int, product: Any, quantity: Any, discount_pct: Any = None, description: str = ""
) -> QuoteLine:
    """Add a line to the draft revision, priced from the list in force (QUO-2)."""
    with transaction.atomic():
        locked, revision = lock_quote(actor, quote)
        _editable(revision)
        check_not_blacklisted(locked.customer)
        count = revision.lines.count()
        if count >= MAX_LINES:
            raise BusinessError(errors.TOO_MANY_LINES, field="lines", max=MAX_LINES)
        position = (revision.lines.aggregate(last=Max("position"))["last"] or 0) + 1
        line = _add_line(
            revision,
            locked,
            product=product,
            quantity=quantity,
            discount_pct=discount_pct,
            description=description,
            position=position,
        )
        _recompute(revision)
        _mirror(locked, revision)
    return line


def quote_line_update(
    *, actor: User, quote: Quote | int, line_id: Any, quantity: Any = None, discount_pct: Any = None
) -> QuoteLine:
    """Change a draft line's quantity or discount; the price is recomputed (to the cent)."""
    with transaction.atomic():
        locked, revision = lock_quote(actor, quote)
        _editable(revision)
        line = revision.lines.filter(pk=_int(line_id)).first()
        if line is None:
            raise BusinessError(NOT_FOUND, field="line")
        if quantity not in (None, ""):
            line.quantity = positive(quantity, errors.BAD_QUANTITY, field="quantity")
        if discount_pct not in (None, ""):
            line.discount_pct = discount(discount_pct)
        line.unit_price, line.amount = QuoteLine.price_for(line.list_price, line.discount_pct, line.quantity)
        line.save(update_fields=["quantity", "discount_pct", "unit_price", "amount"])
        _recompute(revision)
        _mirror(locked, revision)
    return line


def quote_line_remove(*, actor: User, quote: Quote | int, line_id: Any) -> None:
    with transaction.atomic():
        locked, revision = lock_quote(actor, quote)
        _editable(revision)
        deleted, _rows = revision.lines.filter(pk=_int(line_id)).delete()
        if not deleted:
            raise BusinessError(NOT_FOUND, field="line")
        _recompute(revision)
        _mirror(locked, revision)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND, field="line") from exc


# --- approvals (QUO-2, QUO-3) ---------------------------------------------------------------------
def tier_thresholds(at: Any = None) -> dict[str, Decimal]:
    """QUO-2 tiers from the policy in force: role code → the discount from which it must approve."""
    return {
        "sales_director": Decimal(str(policy_value("price_director_pct", at=at))),
        "general_manager": Decimal(str(policy_value("price_gm_pct", at=at))),
    }


def _sync_tiers() -> None:
    """Keep the stored price-deviation flow's thresholds equal to the policy (the policy is the source)."""
    from yingxiao.approvals.registry import get_request_type
    from yingxiao.approvals.services import flow_for

    request_type = get_request_type(PRICE_REQUEST)
    if request_type is None:
        return
    flow = flow_for(request_type)
    for role_code, threshold in tier_thresholds().items():
        flow.steps.filter(kind="role", role_code=role_code).exclude(pct_at_least=threshold).update(
            pct_at_least=threshold
        )


def needs_price_approval(revision: QuoteRevision) -> bool:
    # rule: QUO-2 — a discount beyond {price_float_pct} needs approval.
    return revision.max_discount_pct > Decimal(str(policy_value("price_float_pct")))


def _submit_review(quote: Quote, revision: QuoteRevision, requester: User | None) -> None:
    """QUO-3: the market department head reviews an international quote before it is sent."""
    from yingxiao.approvals.services import approval_submit

    from .requests import market_department

    department = market_department()
    if department is None:
        raise BusinessError(errors.NO_MARKET_DEPARTMENT)
    revision.status = Status.PENDING_REVIEW
    revision.save(update_fields=["status"])
    _mirror(quote, revision)
    approval_submit(
        actor=requester,
        request_type=REVIEW_REQUEST,
        subject=revision,
        amount=revision.total,
        title=str(format_lazy(_("International quote review · {quote}"), quote=revision)),
        department=department,
    )


def quote_submit(*, actor: User, quote: Quote | int) -> Quote:
    """Send the draft on its way: discount approval (QUO-2), then market review (QUO-3), else ready."""
    from yingxiao.approvals.services import approval_submit

    with transaction.atomic():
        locked, revision = lock_quote(actor, quote)
        _editable(revision)
        check_not_blacklisted(locked.customer)
        if not revision.lines.exists():
            raise BusinessError(errors.NO_LINES)
        if needs_price_approval(revision):
            _sync_tiers()
            revision.status = Status.PENDING_PRICE
            revision.save(update_fields=["status"])
            _mirror(locked, revision)
            approval_submit(
                actor=actor,
                request_type=PRICE_REQUEST,
                subject=revision,
                amount=revision.list_total - revision.total,
                pct=revision.max_discount_pct,
                title=str(
                    format_lazy(
                        _("Discount {pct} on quote {quote} ({customer})"),
                        pct=f"{revision.max_discount_pct}%",
                        quote=revision,
                        customer=locked.customer,
                    )
                ),
            )
        elif locked.is_international:
            _submit_review(locked, revision, actor)
        else:
            revision.status = Status.READY
            revision.save(update_fields=["status"])
            _mirror(locked, revision)
    locked.refresh_from_db()
    return locked


def _revision_of(instance: Any) -> tuple[Quote, QuoteRevision] | None:
    revision = QuoteRevision.objects.select_for_update().filter(pk=instance.object_id).first()
    if revision is None:
        return None
    quote = Quote.objects.select_for_update().get(pk=revision.quote_id)
    return quote, revision


def on_price_approved(instance: Any) -> None:
    """QUO-2 approved: record the approved discount; international quotes go on to review."""
    found = _revision_of(instance)
    if found is None or found[1].status != Status.PENDING_PRICE:
        return
    quote, revision = found
    revision.approved_discount_pct = instance.pct
    revision.save(update_fields=["approved_discount_pct"])
    if quote.is_international:
        _submit_review(quote, revision, instance.requester)
        return
    revision.status = Status.READY
    revision.save(update_fields=["status"])
    _mirror(quote, revision)


def on_review_approved(instance: Any) -> None:
    found = _revision_of(instance)
    if found is None or found[1].status != Status.PENDING_REVIEW:
        return
    quote, revision = found
    revision.reviewed = True
    revision.status = Status.READY
    revision.save(update_fields=["reviewed", "status"])
    _mirror(quote, revision)


def on_refused(instance: Any) -> None:
    """Rejected or withdrawn: the revision is a draft again, to be changed and submitted anew."""
    found = _revision_of(instance)
    if found is None or found[1].status not in (Status.PENDING_PRICE, Status.PENDING_REVIEW):
        return
    quote, revision = found
    revision.status = Status.DRAFT
    revision.approved_discount_pct = None
    revision.save(update_fields=["status", "approved_discount_pct"])
    _mirror(quote, revision)


# --- sending and revising --------------------------------------------------------------------------
def quote_send(*, actor: User, quote: Quote | int) -> Quote:
    """Send the ready revision: archived as a PDF with its number and version (QUO-3), then frozen."""
    from ..pdf import render_quote_pdf

    with transaction.atomic():
        locked, revision = lock_quote(actor, quote)
        if revision.is_sent:
            raise BusinessError(errors.ALREADY_SENT)
        if revision.status != Status.READY:
            raise BusinessError(errors.NOT_READY, status=revision.get_status_display())
        check_not_blacklisted(locked.customer)
        now = timezone.now()
        revision.sent_at, revision.sent_by, revision.status = now, actor, Status.SENT
        try:
            content = render_quote_pdf(revision)
        except Exception as exc:  # any rendering fault refuses the send; nothing changes
            raise BusinessError(errors.PDF_FAILED) from exc
        revision.pdf.save(f"{locked.number}-v{revision.version}.pdf", ContentFile(content), save=False)
        revision.save(update_fields=["sent_at", "sent_by", "status", "pdf"])
        _mirror(locked, revision)
        owner, link = locked.owner, quote_link(locked)
        if owner.pk != actor.pk:
            message = format_lazy(_("Quote {quote} was sent to {customer}."), quote=revision, customer=locked.customer)
            after_commit(lambda: notify(owner, message=message, link=link, actor=actor))
    return locked


def quote_revise(*, actor: User, quote: Quote | int, note: str = "") -> QuoteRevision:
    """A new draft revision copied from the current one; the current one is kept as it is."""
    with transaction.atomic():
        locked, current = lock_quote(actor, quote)
        if current.status in (Status.PENDING_PRICE, Status.PENDING_REVIEW):
            raise BusinessError(errors.PENDING_APPROVAL)
        if current.is_editable:
            raise BusinessError(errors.NOTHING_TO_REVISE)
        check_not_blacklisted(locked.customer)
        if current.status == Status.READY:
            # Never sent: approvals were for this content; the new revision needs its own.
            current.status = Status.SUPERSEDED
            current.save(update_fields=["status"])
        revision = QuoteRevision.objects.create(
            quote=locked,
            version=current.version + 1,
            created_by=actor,
            note=(note or current.note).strip()[:500],
            valid_until=current.valid_until,
            list_total=current.list_total,
            total=current.total,
            max_discount_pct=current.max_discount_pct,
        )
        QuoteLine.objects.bulk_create(
            QuoteLine(
                revision=revision,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                list_price=line.list_price,
                price_list_item_id=line.price_list_item_id,
                request_id=line.request_id,
                discount_pct=line.discount_pct,
                unit_price=line.unit_price,
                amount=line.amount,
                position=line.position,
            )
            for line in current.lines.all()
        )
        _mirror(locked, revision)
    return revision
