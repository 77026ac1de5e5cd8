"""Leave (请假, HR-5): requests routed by working days, the handover person, sick-leave
certificates, balances, and the absence that ORG-4 routing reads.

The request type ``leave`` always goes to the department head; from ``leave_tier1_days`` + 1
days the director approves as well, from ``leave_tier2_days`` + 1 days the general manager too
(APR-1 day thresholds). An approved leave marks the person absent (``User.status`` /
``absent_until``) for its dates: at once when it has started, otherwise from its first day by
``leave_sync_absences`` (a daily task).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.models import Flow, Instance
from yingxiao.approvals.services import approval_submit
from yingxiao.core.calendar import BusinessCalendar
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from . import errors
from .approval_types import register_leave_type
from .common import later, require_perm, subject_pk, text
from .models import Leave, LeaveEntitlement

LEAVE_REQUEST = "leave"
_MAX_LEAVE_DAYS = 366


def workdays_between(start: dt.date, end: dt.date, calendar: BusinessCalendar | None = None) -> int:
    """Working days from ``start`` to ``end`` inclusive, by the business calendar."""
    calendar = calendar or BusinessCalendar.load()
    count, day = 0, start
    while day <= end:
        count += calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return count


def days_used(person_ids: Sequence[int], year: int) -> dict[int, dict[tuple[str, str], Decimal]]:
    """person → (kind, status) → days, of their pending and approved leaves starting in ``year``
    (a leave counts in the year of its first day)."""
    rows = (
        Leave.objects.filter(person_id__in=list(person_ids), start_date__year=year, status__in=Leave.ACTIVE_STATUSES)
        .values("person_id", "kind", "status")
        .annotate(total=Sum("days"))
        .order_by()
    )
    used: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for row in rows:
        used[row["person_id"]][(row["kind"], row["status"])] = Decimal(row["total"] or 0)
    return used


def annual_balance(person: User, year: int) -> dict[str, Decimal]:
    """Entitlement, days taken (approved), days requested (pending) and what remains of annual leave."""
    entitled = LeaveEntitlement.objects.filter(person=person, year=year).values_list(
        "annual_days", flat=True
    ).first() or Decimal(0)
    used = days_used([person.pk], year).get(person.pk, {})
    taken = used.get((Leave.Kind.ANNUAL, Leave.Status.APPROVED), Decimal(0))
    pending = used.get((Leave.Kind.ANNUAL, Leave.Status.PENDING), Decimal(0))
    return {"entitled": entitled, "taken": taken, "pending": pending, "remaining": entitled - taken - pending}


def leave_request(
    *,
    actor: User,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    handover: User | None,
    certificate: UploadedFile | None = None,
) -> Leave:
    """rule: HR-5 — request leave; refused without a handover person or when it overlaps another leave."""
    require_perm(actor, "workforce.add_leave")
    if kind not in Leave.Kind.values:
        raise BusinessError(errors.BAD_VALUE, field="kind", field_name="kind")
    reason = text(reason, "reason")
    if end_date < start_date:
        raise BusinessError(errors.BAD_DATES, field="end_date")
    if (end_date - start_date).days >= _MAX_LEAVE_DAYS:
        raise BusinessError(errors.BAD_VALUE, field="end_date", field_name="end_date")
    # rule: HR-5 — a handover person is named: another colleague who is still with the company.
    if handover is None:
        raise BusinessError(errors.HANDOVER_REQUIRED, field="handover")
    if handover.pk == actor.pk or not handover.is_active or handover.status == User.Status.LEFT:
        raise BusinessError(errors.BAD_HANDOVER, field="handover")
    days = workdays_between(start_date, end_date)
    if days == 0:
        raise BusinessError(errors.NO_WORKDAYS, field="start_date")
    # rule: HR-5 — sick leave without a certificate counts as personal leave.
    effective = Leave.Kind.PERSONAL if kind == Leave.Kind.SICK and not certificate else kind
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()  # one request at a time per person
        overlapping = Leave.objects.filter(
            person=actor, status__in=Leave.ACTIVE_STATUSES, start_date__lte=end_date, end_date__gte=start_date
        )
        if overlapping.exists():
            raise BusinessError(errors.OVERLAP, field="start_date")
        if effective == Leave.Kind.ANNUAL:
            remaining = annual_balance(actor, start_date.year)["remaining"]
            if Decimal(days) > remaining:
                raise BusinessError(errors.BALANCE, field="kind", remaining=remaining, days=days)
        leave = Leave(
            person=actor,
            department=primary_department(actor),
            kind=effective,
            requested_kind=kind,
            start_date=start_date,
            end_date=end_date,
            days=Decimal(days),
            reason=reason,
            handover=handover,
        )
        if certificate:
            leave.certificate = certificate
        leave.save()
        if not Flow.objects.filter(request_type=LEAVE_REQUEST).exists():
            register_leave_type(policy_value("leave_tier1_days"), policy_value("leave_tier2_days"))
        approval_submit(
            actor=actor,
            request_type=LEAVE_REQUEST,
            subject=leave,
            days=days,
            note=reason,
            title=str(
                format_lazy(
                    _("{kind} · {person} · {start}–{end} ({days} days)"),
                    kind=leave.get_kind_display(),
                    person=actor,
                    start=start_date,
                    end=end_date,
                    days=days,
                )
            ),
        )
    later(handover, format_lazy(_("{person} names you to take over during their leave."), person=actor))
    leave.refresh_from_db()
    return leave


def _mark_absent(leave: Leave, today: dt.date) -> bool:
    """rule: HR-5, ORG-4 — a leave in progress makes its person unavailable for routing."""
    if not (leave.start_date <= today <= leave.end_date):
        return False
    person = User.objects.select_for_update().get(pk=leave.person_id)
    if person.status == User.Status.LEFT:
        return False
    if person.status == User.Status.ABSENT and person.absent_until and person.absent_until >= leave.end_date:
        return False
    person.status = User.Status.ABSENT
    person.absent_until = leave.end_date
    person.save(update_fields=["status", "absent_until"])
    return True


def leave_on_approved(instance: Instance) -> None:
    leave = Leave.objects.select_for_update().get(pk=subject_pk(instance))
    if leave.status != Leave.Status.PENDING:
        return
    leave.status = Leave.Status.APPROVED
    leave.save(update_fields=["status"])
    _mark_absent(leave, timezone.localdate())
    later(leave.person, _("Your leave was approved."), reverse("workforce:leaves"))


def leave_on_rejected(instance: Instance) -> None:
    Leave.objects.filter(pk=subject_pk(instance), status=Leave.Status.PENDING).update(status=Leave.Status.REJECTED)


def leave_on_cancelled(instance: Instance) -> None:
    Leave.objects.filter(pk=subject_pk(instance), status=Leave.Status.PENDING).update(status=Leave.Status.CANCELLED)


def leave_sync_absences(today: dt.date | None = None) -> int:
    """Mark absent everyone whose approved leave covers ``today``; idempotent. Returns how many changed."""
    today = today or timezone.localdate()
    changed = 0
    for leave in Leave.objects.filter(status=Leave.Status.APPROVED, start_date__lte=today, end_date__gte=today):
        with transaction.atomic():
            changed += _mark_absent(leave, today)
    return changed


def on_leave(person: User | Any, day: dt.date | None = None) -> bool:
    """True when ``person`` has approved leave on ``day`` (default today) — for ORG-4 ``is_available``."""
    day = day or timezone.localdate()
    return Leave.objects.filter(
        person_id=person.pk, status=Leave.Status.APPROVED, start_date__lte=day, end_date__gte=day
    ).exists()
