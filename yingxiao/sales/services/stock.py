"""Stock actions (库存/销控, ORD-5, ORD-6): register a unit, place it at a secondary outlet, recall it.

A unit's sales-control status (available / reserved / sold) is never set by hand here: deposits and
orders move it by conditional UPDATEs (``reserve_item``), so the status always tells the truth (ORD-5).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yingxiao.core.errors import BusinessError

from .. import errors
from ..models import StockItem
from .common import date_value, product_for, require

if TYPE_CHECKING:
    from yingxiao.org.models import User


def item_for(actor: User, item: StockItem | int | Any, *, action: str = "view", lock: bool = False) -> StockItem:
    pk = item.pk if isinstance(item, StockItem) else item
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.UNKNOWN_ITEM, field="item") from exc
    rows = StockItem.objects.restrict(actor, action).filter(pk=pk)
    found = (rows.select_for_update() if lock else rows).select_related("product").first()
    if found is None:
        raise BusinessError(errors.UNKNOWN_ITEM, field="item")
    return found


def _outlet(location_kind: str, location: str, placed_on: Any, keeper: Any) -> tuple[str, str, dt.date | None, Any]:
    kind = location_kind if location_kind in StockItem.Location.values else StockItem.Location.WAREHOUSE
    day = date_value(placed_on, field="placed_on")
    name = (location or "").strip()[:200]
    if kind == StockItem.Location.OUTLET:
        # rule: ORD-6 — outlet stock records where and since when (the recall clock).
        if day is None or not name:
            raise BusinessError(errors.OUTLET_NEEDS_DATE, field="placed_on")
        if day > timezone.localdate():
            raise BusinessError(errors.BAD_DATE, field="placed_on")
        return kind, name, day, keeper
    return kind, name, None, None


def stock_item_create(
    *,
    actor: User,
    product: Any,
    serial_no: str,
    location_kind: str = StockItem.Location.WAREHOUSE,
    location: str = "",
    placed_on: Any = None,
    keeper: User | None = None,
    note: str = "",
) -> StockItem:
    """Register a unit (available); at a secondary outlet it needs the outlet and the day placed (ORD-6)."""
    require(actor, "sales.add_stockitem")
    serial = (serial_no or "").strip()[:60]
    if not serial:
        raise BusinessError(errors.UNKNOWN_ITEM, field="serial_no")
    kind, name, day, who = _outlet(location_kind, location, placed_on, keeper)
    try:
        with transaction.atomic():
            return StockItem.objects.create(
                product=product_for(product),
                serial_no=serial,
                location_kind=kind,
                location=name,
                placed_on=day,
                keeper=who,
                note=(note or "").strip()[:300],
            )
    except IntegrityError as exc:
        raise BusinessError(errors.SERIAL_EXISTS, field="serial_no") from exc


def stock_item_move(
    *,
    actor: User,
    item: StockItem | int,
    location_kind: str,
    location: str = "",
    placed_on: Any = None,
    keeper: User | None = None,
) -> StockItem:
    """Place a unit at a secondary outlet (from a day) or recall it to the warehouse (ORD-6)."""
    require(actor, "sales.change_stockitem")
    kind, name, day, who = _outlet(location_kind, location, placed_on, keeper)
    with transaction.atomic():
        locked = item_for(actor, item, action="change", lock=True)
        if locked.status == StockItem.Status.SOLD:
            raise BusinessError(errors.ITEM_STATE, item=str(locked), status=locked.get_status_display())
        locked.location_kind, locked.location, locked.placed_on, locked.keeper = kind, name, day, who
        locked.save(update_fields=["location_kind", "location", "placed_on", "keeper"])
    return locked


# rule: ORD-5 — reserve only what is still available, decided by the database row itself.
def reserve_item(item_id: int) -> bool:
    """available → reserved, atomically; False if another deposit got there first."""
    return (
        StockItem.objects.filter(pk=item_id, status=StockItem.Status.AVAILABLE).update(status=StockItem.Status.RESERVED)
        == 1
    )


def release_item(item_id: int) -> None:
    """reserved → available (a deposit voided or refunded); a sold unit stays sold."""
    StockItem.objects.filter(pk=item_id, status=StockItem.Status.RESERVED).update(status=StockItem.Status.AVAILABLE)


def sell_item(item_id: int) -> None:
    StockItem.objects.filter(pk=item_id).exclude(status=StockItem.Status.SOLD).update(status=StockItem.Status.SOLD)
