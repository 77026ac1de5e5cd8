"""Helpers shared by the workforce services: permission checks, text fields, after-commit notices."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from yingxiao.core.errors import BusinessError
from yingxiao.core.models import WorkSchedule
from yingxiao.core.notifications import notify
from yingxiao.org.models import User

from . import errors

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from yingxiao.approvals.models import Instance


def require_perm(actor: User, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise BusinessError(errors.NO_PERMISSION)


def text(value: Any, field: str, *, required: bool = True, limit: int = 4000) -> str:
    result = str(value if value is not None else "").strip()
    if required and not result:
        raise BusinessError(errors.REQUIRED, field=field, field_name=field)
    if len(result) > limit:
        raise BusinessError(errors.BAD_VALUE, field=field, field_name=field)
    return result


def later(recipient: User | None, message: str | Promise, link: str = "", actor: User | None = None) -> None:
    """Notify after the transaction commits (nothing is sent for a rolled-back action)."""
    if recipient is not None:
        transaction.on_commit(lambda: notify(recipient, message=message, link=link, actor=actor))


def schedule() -> WorkSchedule:
    return WorkSchedule.objects.filter(name="default").first() or WorkSchedule()


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month containing ``month``."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def subject_pk(instance: Instance) -> int:
    """The id of the record an approval request is about (every workforce request has one)."""
    if instance.object_id is None:
        raise ValueError(f"approval request {instance.pk} has no subject")
    return instance.object_id
