"""Non-standard quote requests (非标报价, QUO-1): assigned to the market department's quoting role,
due within ``{nonstandard_quote_hours}`` working hours on the business calendar.

The rule ``QUO-1`` (``sales.rules``) reminds the quoting engineer before the deadline and records a
violation against them when it passes; answering the request turns it into a draft quote for the
requesting rep, priced as the engineer quoted it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.models import Department, Position
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from .. import errors
from ..models import QuoteLine, QuoteRequest
from .common import after_commit, check_not_blacklisted, customer_for, positive, product_for, require
from .quotes import new_quote, quote_link

if TYPE_CHECKING:
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User

QUOTING_ROLE = "quoting_engineer"


def market_department() -> Department | None:
    """The market department (市场部): where the quoting-engineer posts are."""
    post = (
        Position.objects.filter(role__code=QUOTING_ROLE, is_active=True)
        .select_related("department")
        .order_by("department__path", "sort_order", "pk")
        .first()
    )
    return post.department if post else None


def pick_quoter() -> User | None:
    """The available quoting engineer with the fewest open requests (ties: the longest-serving post)."""
    from yingxiao.org.models import User

    holders = (
        User.objects.filter(
            assignments__position__role__code=QUOTING_ROLE,
            assignments__position__is_active=True,
            assignments__ended_on__isnull=True,
            is_active=True,
        )
        .annotate(open_requests=Count("quote_requests_assigned", filter=Q(quote_requests_assigned__status="open")))
        .order_by("open_requests", "pk")
        .distinct()
    )
    for user in holders:
        if user.is_available():
            return user
    return None


# rule: QUO-1 — due {nonstandard_quote_hours} working hours after the request (business calendar).
def due_at_for(requested_at: dt.datetime) -> dt.datetime:
    hours = int(policy_value("nonstandard_quote_hours", at=requested_at))
    return BusinessCalendar.load().add_working_hours(requested_at, hours)


def queue_link() -> str:
    return reverse("sales:request_queue")


def quote_request_create(
    *, actor: User, customer: Customer | int, product: Any, quantity: Any, configuration: str
) -> QuoteRequest:
    """Ask the market department for a non-standard quote; assigned and timed at once (QUO-1)."""
    require(actor, "sales.add_quoterequest")
    text = (configuration or "").strip() if isinstance(configuration, str) else ""
    if not text:
        raise BusinessError(errors.CONFIGURATION_REQUIRED, field="configuration")
    amount = positive(quantity, errors.BAD_QUANTITY, field="quantity")
    with transaction.atomic():
        found = customer_for(actor, customer)
        check_not_blacklisted(found)
        item = product_for(product)
        quoter = pick_quoter()
        if quoter is None:
            raise BusinessError(errors.NO_QUOTER)
        now = timezone.now()
        request = QuoteRequest.objects.create(
            customer=found,
            product=item,
            quantity=amount,
            configuration=text[:4000],
            requested_by=actor,
            department=found.department or primary_department(actor),
            assignee=quoter,
            requested_at=now,
            due_at=due_at_for(now),
        )
        due = timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M")
        message = format_lazy(
            _("Non-standard quote for {customer} ({product}) due {due}."), customer=found, product=item, due=due
        )
        link = queue_link()
        after_commit(lambda: notify(quoter, message=message, link=link, actor=actor))
    return request


def quote_request_answer(*, actor: User, request: QuoteRequest | int, unit_price: Any, note: str = "") -> QuoteRequest:
    """The assigned engineer answers with a unit price: a draft quote is made for the requesting rep."""
    require(actor, "sales.answer_quoterequest")
    price = positive(unit_price, errors.BAD_PRICE, field="unit_price")
    pk = request.pk if isinstance(request, QuoteRequest) else request
    with transaction.atomic():
        locked = (
            QuoteRequest.objects.restrict(actor, "view")
            .select_for_update(of=("self",))
            .select_related("customer", "product", "requested_by")
            .filter(pk=pk)
            .first()
        )
        if locked is None:
            raise BusinessError(NOT_FOUND)
        if locked.assignee_id != actor.pk:
            raise BusinessError(errors.NOT_ASSIGNEE)
        if not locked.is_open:
            raise BusinessError(errors.REQUEST_ANSWERED)
        check_not_blacklisted(locked.customer)
        quote, revision = new_quote(
            customer=locked.customer,
            created_by=locked.requested_by,
            note=str(format_lazy(_("Non-standard configuration: {text}"), text=locked.configuration))[:500],
        )
        unit, amount = QuoteLine.price_for(price, Decimal("0.00"), locked.quantity)
        QuoteLine.objects.create(
            revision=revision,
            product=locked.product,
            description=locked.configuration[:300],
            quantity=locked.quantity,
            list_price=price,
            request=locked,
            unit_price=unit,
            amount=amount,
            position=1,
        )
        revision.list_total = revision.total = amount
        revision.save(update_fields=["list_total", "total"])
        quote.total = amount
        quote.save(update_fields=["total"])
        locked.status = QuoteRequest.Status.ANSWERED
        locked.answered_at = timezone.now()
        locked.unit_price = price
        locked.answer_note = (note or "").strip()[:1000]
        locked.quote = quote
        locked.save(update_fields=["status", "answered_at", "unit_price", "answer_note", "quote"])
        rep, link = locked.requested_by, quote_link(quote)
        message = format_lazy(
            _("Your non-standard quote for {customer} is ready: {quote}."), customer=locked.customer, quote=quote.number
        )
        after_commit(lambda: notify(rep, message=message, link=link, actor=actor))
    return locked
