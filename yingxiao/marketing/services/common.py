"""Input parsing shared by the marketing services: bad input raises before anything is written."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.functional import Promise

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import Department, User
from yingxiao.org.selectors import primary_department

from .. import errors

_MONEY_MAX = Decimal("1000000000000")  # fits DecimalField(max_digits=14, decimal_places=2)
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv")


def text(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Trimmed text; empty refused when required, over-long always refused."""
    cleaned = str(value if value is not None else "").strip()
    if required and not cleaned:
        raise BusinessError(errors.TEXT_REQUIRED, field=field)
    if len(cleaned) > max_length:
        raise BusinessError(errors.TEXT_TOO_LONG, field=field, limit=max_length)
    return cleaned


def money(value: Any, *, field: str, required: bool = True) -> Decimal | None:
    """A non-negative amount in yuan, rounded to the fen; negative or garbage refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BusinessError(errors.BAD_AMOUNT, field=field)
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError(errors.BAD_AMOUNT, field=field) from exc
    if not amount.is_finite() or amount < 0 or amount >= _MONEY_MAX:
        raise BusinessError(errors.BAD_AMOUNT, field=field)
    return amount.quantize(Decimal("0.01"))


def count(value: Any, *, field: str) -> int:
    """A whole number of zero or more (participants, exposure)."""
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.SUMMARY_INCOMPLETE, field=field) from exc
    if number < 0 or number > 2_000_000_000:
        raise BusinessError(errors.SUMMARY_INCOMPLETE, field=field)
    return number


def date_range(start: dt.date, end: dt.date, *, field: str = "ends_on") -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise BusinessError(errors.DATES_OUT_OF_ORDER, field=field)
    if end < start:
        raise BusinessError(errors.DATES_OUT_OF_ORDER, field=field)


def department_of(actor: User) -> Department:
    department = primary_department(actor)
    if department is None:
        raise BusinessError(errors.NO_DEPARTMENT)
    return department


def in_scope[M: models.Model](model: type[M], actor: User, obj: M | int, action: str, lock: bool = False) -> M:
    """``obj`` re-read within the actor's scope for ``action`` (ORG-5), optionally locked; else not found (404)."""
    pk = obj if isinstance(obj, int) else obj.pk
    queryset = model.objects.restrict(actor, action).filter(pk=pk)  # type: ignore[attr-defined]
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found  # type: ignore[no-any-return]


def versioned(obj: models.Model, actor: User | None, reason: str | Promise) -> None:
    """simple-history records who and why with the row it writes on the next save()."""
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = str(reason)  # type: ignore[attr-defined]


def media_kind(name: str) -> str | None:
    """``photo`` / ``video`` by the file's extension, None for anything else (MKT-5)."""
    extension = os.path.splitext(name or "")[1].lower()
    if extension in PHOTO_EXTENSIONS:
        return "photo"
    if extension in VIDEO_EXTENSIONS:
        return "video"
    return None


def refuse_media(name: str) -> BusinessError:
    return BusinessError(
        errors.BAD_MEDIA,
        field="file",
        name=name,
        photo=" ".join(PHOTO_EXTENSIONS),
        video=" ".join(VIDEO_EXTENSIONS),
    )
