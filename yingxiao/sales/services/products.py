"""Catalog actions: products and versioned price lists (QUO-2 list prices, QUO-4 confidential costs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yingxiao.core.errors import INVALID_INPUT, NOT_FOUND, BusinessError

from .. import errors
from ..models import PriceList, PriceListItem, Product
from .common import currency_code, date_value, decimal_value, positive, product_for, require

if TYPE_CHECKING:
    from yingxiao.org.models import User

PRODUCT_FIELDS = ("code", "name", "model", "unit", "category", "drawing")


def _text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if text is None or len(text) > max_length or (required and not text):
        raise BusinessError(INVALID_INPUT, field=field)
    return text


def product_create(*, actor: User, **fields: Any) -> Product:
    """A new product; the code is unique."""
    require(actor, "sales.add_product")
    values = {
        "code": _text(fields.get("code"), field="code", max_length=50, required=True),
        "name": _text(fields.get("name"), field="name", max_length=200, required=True),
        "model": _text(fields.get("model", ""), field="model", max_length=200),
        "unit": _text(fields.get("unit", "") or "台", field="unit", max_length=20, required=True),
        "category": _text(fields.get("category", ""), field="category", max_length=100),
        "drawing": _text(fields.get("drawing", ""), field="drawing", max_length=300),
    }
    try:
        with transaction.atomic():
            return Product.objects.create(**values)
    except IntegrityError as exc:
        raise BusinessError(INVALID_INPUT, field="code") from exc


def price_list_create(
    *, actor: User, name: str, effective_from: Any, currency: str = "CNY", note: str = "", copy_from: Any = None
) -> PriceList:
    """A new price list version from ``effective_from`` (today or later), optionally copying another's prices."""
    require(actor, "sales.add_pricelist")
    title = _text(name, field="name", max_length=100, required=True)
    day = date_value(effective_from, field="effective_from")
    if day is None or day < timezone.localdate():
        raise BusinessError(errors.BAD_DATE, field="effective_from")
    code = currency_code(currency)
    source = None
    if copy_from not in (None, ""):
        source = PriceList.objects.filter(pk=_pk(copy_from)).first()
        if source is None:
            raise BusinessError(NOT_FOUND, field="copy_from")
    try:
        with transaction.atomic():
            price_list = PriceList.objects.create(
                name=title,
                effective_from=day,
                currency=code,
                note=_text(note, field="note", max_length=300),
                created_by=actor,
            )
            if source is not None:
                PriceListItem.objects.bulk_create(
                    PriceListItem(price_list=price_list, product_id=i.product_id, list_price=i.list_price, cost=i.cost)
                    for i in source.items.all()
                )
    except IntegrityError as exc:
        raise BusinessError(errors.PRICE_LIST_EXISTS, field="effective_from") from exc
    return price_list


def price_list_item_set(
    *, actor: User, price_list: PriceList | int, product: Any, list_price: Any, cost: Any = None
) -> PriceListItem:
    """Set a product's price (and cost) in a price list that has not taken effect yet."""
    require(actor, "sales.change_pricelist")
    price = positive(list_price, errors.BAD_PRICE, field="list_price")
    cost_value = None
    if cost not in (None, ""):
        cost_value = decimal_value(cost, errors.BAD_PRICE, field="cost")
        if cost_value < 0:
            raise BusinessError(errors.BAD_PRICE, field="cost")
    with transaction.atomic():
        pk = price_list.pk if isinstance(price_list, PriceList) else _pk(price_list)
        locked = PriceList.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise BusinessError(NOT_FOUND)
        if locked.is_in_force_or_past():
            raise BusinessError(errors.PRICE_LIST_FROZEN)
        item, _created = PriceListItem.objects.update_or_create(
            price_list=locked, product=product_for(product), defaults={"list_price": price, "cost": cost_value}
        )
    return item


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND) from exc
