"""Shared helpers of the sales services: permission checks, parsing of money and percentages, prices in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from yingxiao.core.errors import NOT_FOUND, BusinessError, ErrorCode
from yingxiao.core.guards import require_permission

from .. import errors
from ..models import PriceListItem, Product

if TYPE_CHECKING:
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User

BASE_CURRENCY = "CNY"
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP")
MAX_AMOUNT = Decimal("1e12")
MAX_LINES = 200


# The verb-permission guard every service here starts with (403 unless held).
require = require_permission


def decimal_value(raw: Any, error: ErrorCode, *, field: str, places: int = 2) -> Decimal:
    """Parse a Decimal with at most ``places`` decimals (a JSON float is read by its shortest decimal form)."""
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise BusinessError(error, field=field)
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise BusinessError(error, field=field) from exc
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise BusinessError(error, field=field)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise BusinessError(error, field=field)
    return value


def positive(raw: Any, error: ErrorCode, *, field: str) -> Decimal:
    value = decimal_value(raw, error, field=field)
    if value <= 0:
        raise BusinessError(error, field=field)
    return value


def discount(raw: Any) -> Decimal:
    """A discount percentage: 0 ≤ d < 100, two decimals."""
    if raw is None or raw == "":
        return Decimal("0.00")
    value = decimal_value(raw, errors.BAD_DISCOUNT, field="discount_pct")
    if value < 0 or value >= 100:
        raise BusinessError(errors.BAD_DISCOUNT, field="discount_pct")
    return value


def currency_code(raw: Any) -> str:
    code = str(raw or BASE_CURRENCY).strip().upper()
    if code not in CURRENCIES:
        raise BusinessError(errors.BAD_CURRENCY, field="currency", currency=str(raw)[:10])
    return code


def date_value(raw: Any, *, field: str) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise BusinessError(errors.BAD_DATE, field=field) from exc


def check_not_blacklisted(customer: Customer) -> None:
    # rule: CUS-3 — a blacklisted customer can get no new quote.
    if customer.is_blacklisted:
        raise BusinessError(errors.CUSTOMER_BLACKLISTED, field="customer", customer=customer.name)


def customer_for(actor: User, customer: Customer | int | Any) -> Customer:
    """The customer if the actor may see it, else ``core.not_found`` (never a hint that it exists)."""
    from yingxiao.customers.models import Customer

    pk = customer.pk if isinstance(customer, Customer) else customer
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND, field="customer") from exc
    found = Customer.objects.restrict(actor, "view").filter(pk=pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND, field="customer")
    return found


def product_for(product: Product | int | Any) -> Product:
    pk = product.pk if isinstance(product, Product) else product
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.UNKNOWN_PRODUCT, field="product") from exc
    found = Product.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise BusinessError(errors.UNKNOWN_PRODUCT, field="product")
    return found


# rule: QUO-2 — the rep's price starts from the price list in force.
def price_in_force(product: Product, currency: str, on: dt.date | None = None) -> PriceListItem:
    """The product's list price in ``currency`` from the newest price list in force on ``on`` (today)."""
    day = on or timezone.localdate()
    items = PriceListItem.objects.filter(product=product, price_list__effective_from__lte=day).select_related(
        "price_list"
    )
    item = items.filter(price_list__currency=currency).order_by("-price_list__effective_from", "-pk").first()
    if item is not None:
        return item
    other = items.order_by("-price_list__effective_from").first()
    if other is not None:
        raise BusinessError(errors.CURRENCY_MISMATCH, field="currency", list=other.price_list.currency, quote=currency)
    raise BusinessError(errors.NO_PRICE, field="product", product=str(product))


def after_commit(func: Any) -> None:
    transaction.on_commit(func)
