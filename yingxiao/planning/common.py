"""Helpers shared by the planning services: permission checks, parsing, after-commit notices."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction

from yingxiao.core.errors import BusinessError
from yingxiao.core.notifications import notify

from . import errors

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from yingxiao.org.models import User

CENT = Decimal("0.01")
MAX_MONEY = Decimal("1e13")  # below the 16-digit columns


def require_perm(actor: User | Any, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise BusinessError(errors.NO_PERMISSION)


def text(value: Any, field: str, *, required: bool = True, limit: int = 4000) -> str:
    result = str(value if value is not None else "").strip()
    if required and not result:
        raise BusinessError(errors.REQUIRED, field=field, field_name=field)
    if len(result) > limit:
        raise BusinessError(errors.BAD_VALUE, field=field, field_name=field)
    return result


def money(value: Any, field: str = "amount", *, positive: bool = False) -> Decimal:
    """A non-negative amount in yuan (positive: greater than zero), rounded to the cent."""
    if isinstance(value, bool):
        raise BusinessError(errors.BAD_AMOUNT, field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError(errors.BAD_AMOUNT, field=field) from exc
    if not amount.is_finite() or amount < 0 or amount >= MAX_MONEY:
        raise BusinessError(errors.BAD_AMOUNT, field=field)
    if positive and amount == 0:
        raise BusinessError(errors.NOT_POSITIVE, field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def year_value(value: Any, field: str = "year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_YEAR, field=field) from exc
    if not 2000 <= year <= 2100:
        raise BusinessError(errors.BAD_YEAR, field=field)
    return year


def later(recipient: User | None, message: str | Promise, link: str = "", actor: User | None = None) -> None:
    """Notify after the transaction commits (nothing is sent for a rolled-back action)."""
    if recipient is not None:
        transaction.on_commit(lambda: notify(recipient, message=message, link=link, actor=actor))


def date_value(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_DATE, field=field) from exc
