"""Screening (TEL-1), the calling queue and call logging (TEL-2)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingxiao.core.errors import NOT_FOUND, BusinessError

from . import errors, summary
from .models import CallEntry, CallLog

if TYPE_CHECKING:
    from yingxiao.org.models import User

Outcome = CallLog.Outcome
MAX_CALL_SECONDS = 24 * 3600
RETRY_AFTER = dt.timedelta(hours=2)


def _text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise BusinessError(errors.REQUIRED, field=field, field_name=field)
    if len(text) > limit:
        raise BusinessError(errors.BAD_VALUE, field=field, field_name=field)
    return text


def _locked_entry(actor: User, entry: CallEntry) -> CallEntry:
    locked = CallEntry.objects.restrict(actor, "change").select_for_update().filter(pk=entry.pk).first()
    if locked is None:
        raise BusinessError(NOT_FOUND)
    if locked.status not in CallEntry.OPEN_STATUSES:
        raise BusinessError(errors.ENTRY_CLOSED)
    return locked


def entry_screen(*, actor: User, entry: CallEntry, action: str, category: str = "", reason: str = "") -> CallEntry:
    """rule: TEL-1 — classify the lead (a category) or exclude it (a reason is required)."""
    if action == "classify":
        category = _text(category, "category", limit=40, required=True)
        fields = {"status": CallEntry.Status.CLASSIFIED, "category": category}
    elif action == "exclude":
        reason = _text(reason, "reason", limit=500, required=True)
        fields = {"status": CallEntry.Status.EXCLUDED, "exclusion_reason": reason}
    else:
        raise BusinessError(errors.BAD_VALUE, field="action", field_name="action")
    with transaction.atomic():
        locked = _locked_entry(actor, entry)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
    return locked


def next_entry(actor: User, now: dt.datetime | None = None) -> CallEntry | None:
    """rule: TEL-2 — the agent's next number: follow-ups that are due first, then unscreened/classified leads."""
    now = now or timezone.now()
    return (
        CallEntry.objects.filter(agent=actor, status__in=CallEntry.OPEN_STATUSES)
        .filter(Q(next_follow_up_at__isnull=True) | Q(next_follow_up_at__lte=now))
        .select_related("call_list")
        .order_by(F("next_follow_up_at").asc(nulls_last=True), "call_list_id", "row_number")
        .first()
    )


def _duration(value: Any) -> int:
    try:
        seconds = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_VALUE, field="duration_seconds", field_name=_("duration")) from exc
    if not 0 <= seconds <= MAX_CALL_SECONDS:
        raise BusinessError(errors.BAD_VALUE, field="duration_seconds", field_name=_("duration"))
    return seconds


def check_outcome(outcome: Any) -> str:
    if outcome not in Outcome.values:
        raise BusinessError(errors.BAD_VALUE, field="outcome", field_name=_("outcome"))
    return str(outcome)


def call_log(
    *,
    actor: User,
    entry: CallEntry,
    outcome: str,
    duration_seconds: Any = 0,
    notes: str = "",
    next_follow_up_at: dt.datetime | None = None,
    started_at: dt.datetime | None = None,
) -> CallLog:
    """rule: TEL-2 — log a call (start, duration, outcome with intent level, notes, next follow-up)."""
    if not actor.has_perm("telesales.add_calllog"):
        raise BusinessError(errors.NO_PERMISSION)
    outcome = check_outcome(outcome)
    seconds = _duration(duration_seconds)
    notes = _text(notes, "notes", limit=4000)
    now = timezone.now()
    started_at = started_at or now - dt.timedelta(seconds=seconds)
    if started_at > now + dt.timedelta(minutes=5):
        raise BusinessError(errors.BAD_VALUE, field="started_at", field_name=_("start"))
    if next_follow_up_at is not None and next_follow_up_at <= started_at:
        raise BusinessError(errors.BAD_VALUE, field="next_follow_up_at", field_name=_("next follow-up"))
    with transaction.atomic():
        locked = _locked_entry(actor, entry)
        call = CallLog.objects.create(
            entry=locked,
            agent=actor,
            department=locked.department,
            started_at=started_at,
            duration_seconds=seconds,
            outcome=outcome,
            notes=notes,
            next_follow_up_at=next_follow_up_at,
        )
        summary.add_call(call)  # rule: TEL-4 — the agent's day row, in the same transaction
        locked.last_outcome = outcome
        locked.last_called_at = started_at
        locked.next_follow_up_at = next_follow_up_at
        if outcome in CallLog.NOT_CONNECTED and outcome not in CallLog.CLOSING and next_follow_up_at is None:
            locked.next_follow_up_at = started_at + RETRY_AFTER  # try again later, not at once
        elif outcome in CallLog.CLOSING or next_follow_up_at is None:
            locked.status = CallEntry.Status.CLOSED
        locked.save(update_fields=["last_outcome", "last_called_at", "next_follow_up_at", "status"])
    return call
