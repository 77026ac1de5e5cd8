"""Change requests for logged calls (TEL-3): the original ``CallLog`` is never touched.

A correction is a ``CallCorrection`` row with the corrected values and the reason, submitted to
the approvals engine (the agent's superior decides). Approved, it becomes what the call shows;
rejected, it stays as a record of the attempt.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingxiao.approvals.services import approval_submit
from yingxiao.core.errors import NOT_FOUND, BusinessError

from . import errors, summary
from .models import CallCorrection, CallLog
from .services import _duration, _text, check_outcome

if TYPE_CHECKING:
    from yingxiao.approvals.models import Instance
    from yingxiao.org.models import User

CORRECTION_REQUEST = "call_correction"


def effective(call: CallLog) -> CallLog | CallCorrection:
    """What the call's record says now: the latest approved correction, else the original."""
    approved = [c for c in call.corrections.all() if c.status == CallCorrection.Status.APPROVED]
    return max(approved, key=lambda c: (c.decided_at or c.created_at, c.pk)) if approved else call


def correction_request(
    *,
    actor: User,
    call: CallLog,
    reason: str,
    outcome: str | None = None,
    duration_seconds: Any = None,
    notes: str | None = None,
    next_follow_up_at: dt.datetime | None = None,
) -> CallCorrection:
    """rule: TEL-3 — ask to correct a logged call; the agent's superior approves it."""
    if not actor.has_perm("telesales.add_callcorrection"):
        raise BusinessError(errors.NO_PERMISSION)
    reason = _text(reason, "reason", limit=2000, required=True)
    with transaction.atomic():
        locked = CallLog.objects.restrict(actor, "view").select_for_update().filter(pk=call.pk).first()
        if locked is None or (locked.agent_id != actor.pk and not actor.has_perm("telesales.change_callcorrection")):
            raise BusinessError(NOT_FOUND)
        if locked.corrections.filter(status=CallCorrection.Status.PENDING).exists():
            raise BusinessError(errors.CORRECTION_OPEN)
        current = effective(locked)
        correction = CallCorrection(
            call=locked,
            requested_by=actor,
            department=locked.department,
            reason=reason,
            outcome=check_outcome(outcome) if outcome else current.outcome,
            duration_seconds=(
                _duration(duration_seconds) if duration_seconds not in (None, "") else current.duration_seconds
            ),
            notes=_text(notes, "notes", limit=4000) if notes is not None else current.notes,
            next_follow_up_at=next_follow_up_at if next_follow_up_at is not None else current.next_follow_up_at,
        )
        fields = ("outcome", "duration_seconds", "notes", "next_follow_up_at")
        if all(getattr(correction, f) == getattr(current, f) for f in fields):
            raise BusinessError(errors.NO_CHANGE)
        correction.save()
        instance = approval_submit(
            actor=actor,
            request_type=CORRECTION_REQUEST,
            subject=correction,
            note=reason,
            title=_("Correct call of %(when)s") % {"when": f"{locked.started_at:%Y-%m-%d %H:%M}"},
            department=locked.department,
        )
        correction.approval = instance
        correction.save(update_fields=["approval"])
        correction.refresh_from_db()
    return correction


def _of(instance: Instance) -> CallCorrection | None:
    if instance.object_id is None:
        return None
    return CallCorrection.objects.select_for_update().filter(pk=instance.object_id).first()


def correction_on_approved(instance: Instance) -> None:
    correction = _of(instance)
    if correction is not None and correction.status == CallCorrection.Status.PENDING:
        correction.status = CallCorrection.Status.APPROVED
        correction.decided_at = timezone.now()
        correction.save(update_fields=["status", "decided_at"])
        summary.add_correction(correction)  # rule: TEL-4 — data accuracy of the agent's day


def correction_on_rejected(instance: Instance) -> None:
    correction = _of(instance)
    if correction is not None and correction.status == CallCorrection.Status.PENDING:
        correction.status = CallCorrection.Status.REJECTED
        correction.decided_at = timezone.now()
        correction.save(update_fields=["status", "decided_at"])
