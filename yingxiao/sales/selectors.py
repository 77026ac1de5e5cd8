"""Reads of sales, always scoped through ``restrict`` (ORG-5); confidential fields only by permission (QUO-4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from .models import PriceList, PriceListItem, Product, Quote, QuoteRequest, QuoteRevision
from .models.products import CONFIDENTIAL_PERMISSION

if TYPE_CHECKING:
    from yingxiao.org.models import User


# rule: QUO-4 — costs and drawings are visible only to permitted roles.
def sees_confidential(actor: User | Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.has_perm(CONFIDENTIAL_PERMISSION))


def quotes_visible_to(actor: User) -> QuerySet[Quote]:
    """The actor's quotes (a rep: own customers'; a head: the department; the director: all)."""
    return Quote.objects.restrict(actor, "view").select_related("customer", "owner", "department")


def get_quote_for(actor: User, pk: Any) -> Quote:
    try:
        return quotes_visible_to(actor).get(pk=pk)
    except (Quote.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def revisions_of(quote: Quote) -> list[QuoteRevision]:
    """Every revision of a visible quote, newest first, lines and products joined in."""
    return list(
        QuoteRevision.objects.filter(quote=quote)
        .select_related("created_by", "sent_by")
        .prefetch_related("lines__product")
        .order_by("-version")
    )


def requests_visible_to(actor: User) -> QuerySet[QuoteRequest]:
    """Non-standard quote requests: those in the actor's scope and those assigned to them (QUO-1)."""
    return QuoteRequest.objects.restrict(actor, "view").select_related(
        "customer", "product", "requested_by", "assignee", "quote"
    )


def quoting_queue(actor: User) -> QuerySet[QuoteRequest]:
    """The requests waiting for the actor, the soonest due first (the quoting engineer's queue)."""
    return requests_visible_to(actor).filter(assignee=actor, status=QuoteRequest.Status.OPEN).order_by("due_at")


def products_with_prices(actor: User, currency: str = "CNY") -> QuerySet[Product]:
    """Active products with the list price (and, for permitted roles, cost) in force today — one query."""
    today = timezone.localdate()
    in_force = PriceListItem.objects.filter(
        product=OuterRef("pk"), price_list__currency=currency, price_list__effective_from__lte=today
    ).order_by("-price_list__effective_from", "-pk")
    rows = Product.objects.restrict(actor, "view").filter(is_active=True)
    rows = rows.annotate(list_price=Subquery(in_force.values("list_price")[:1]))
    if sees_confidential(actor):
        rows = rows.annotate(cost=Subquery(in_force.values("cost")[:1]))
    return rows.order_by("code")


def price_lists_visible_to(actor: User) -> QuerySet[PriceList]:
    return PriceList.objects.restrict(actor, "view").select_related("created_by")


def price_list_items(actor: User, price_list: PriceList) -> QuerySet[PriceListItem]:
    """The items of a price list the actor may see (``price_lists_visible_to``); costs only when permitted."""
    rows = PriceListItem.objects.filter(price_list=price_list).select_related("product")
    if not sees_confidential(actor):
        rows = rows.defer("cost")
    return rows.order_by("product__code")


# --- stock, deposits, orders, shipments (ORD-*, SHP-*) --------------------------------------------
def stock_visible_to(actor: User) -> QuerySet[Any]:
    from .models import StockItem

    return StockItem.objects.restrict(actor, "view").select_related("product", "keeper")


def deposits_visible_to(actor: User) -> QuerySet[Any]:
    """Deposits in the actor's scope (a rep: own customers'; a head: the department; finance: all)."""
    from .models import Deposit

    return Deposit.objects.restrict(actor, "view").select_related("customer", "owner", "item__product", "confirmed_by")


def get_deposit_for(actor: User, pk: Any) -> Any:
    try:
        return deposits_visible_to(actor).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def orders_visible_to(actor: User) -> QuerySet[Any]:
    """Orders in the actor's scope — a rep never browses another rep's orders (ORD-3, ORG-5)."""
    from .models import Order

    return Order.objects.restrict(actor, "view").select_related("customer", "owner", "department")


def get_order_for(actor: User, pk: Any) -> Any:
    try:
        return orders_visible_to(actor).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def order_versions(order: Any) -> list[Any]:
    from .models import OrderVersion

    return list(
        OrderVersion.objects.filter(order=order)
        .select_related("created_by", "signed_off_by")
        .prefetch_related("lines__product")
        .order_by("-version")
    )


def shipments_visible_to(actor: User) -> QuerySet[Any]:
    from .models import Shipment

    return Shipment.objects.restrict(actor, "view").select_related("order__customer", "responsible")


def get_shipment_for(actor: User, pk: Any) -> Any:
    try:
        return shipments_visible_to(actor).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
