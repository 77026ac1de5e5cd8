"""Attendance actions (HR-1, HR-2): clock in and out, the lateness tiers, corrections by approval.

A person has one record per day. Lateness and early leave are classified when the record
changes, for the whole month in day order, because the tier of an incident depends on how many
minor ones came before it (``late_minor_per_month``). Corrections (补卡) never edit a record
directly: an ``attendance_correction`` request goes to the superior, and only its approval
changes the times; the request keeps the original times and the record keeps its history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_submit
from yingxiao.core.calendar import BusinessCalendar
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_values

from . import errors
from .common import at_local, later, month_bounds, require_perm, schedule, subject_pk, text
from .models import AttendanceCorrection, AttendanceRecord, Tier

CORRECTION_REQUEST = "attendance_correction"
_HR2_PARAMS = ("late_minor_minutes", "late_minor_per_month")


def _minutes(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


# rule: HR-2 — minor / general / half a day, in day order within the month.
def reclassify_month(person: User, month: dt.date) -> None:
    """Recompute the lateness and early-leave tiers of ``person``'s records in ``month``."""
    first, last = month_bounds(month)
    hours = schedule()
    records = list(
        AttendanceRecord.objects.select_for_update()
        .filter(person=person, day__gte=first, day__lte=last)
        .order_by("day")
    )
    minor_used = 0
    for record in records:
        params = policy_values(_HR2_PARAMS, at=record.clock_in or at_local(record.day, hours.morning_start))
        before = (record.late_minutes, record.early_minutes, record.late_tier, record.early_tier)
        late = early = 0
        late_tier: str = Tier.NONE
        early_tier: str = Tier.NONE
        if record.is_workday and record.clock_in is not None:
            late = _minutes(record.clock_in - at_local(record.day, hours.morning_start))
            if record.clock_in >= at_local(record.day, hours.morning_end):
                late_tier = Tier.HALF_DAY
            elif late:
                late_tier, minor_used = _tier(late, minor_used, params)
        if record.is_workday and record.clock_out is not None:
            early = _minutes(at_local(record.day, hours.afternoon_end) - record.clock_out)
            if record.clock_out <= at_local(record.day, hours.afternoon_start):
                early_tier = Tier.HALF_DAY
            elif early:
                early_tier, minor_used = _tier(early, minor_used, params)
        after = (late, early, late_tier, early_tier)
        if after != before:
            record.late_minutes, record.early_minutes, record.late_tier, record.early_tier = after
            record.save(update_fields=["late_minutes", "early_minutes", "late_tier", "early_tier"])


def _tier(minutes: int, minor_used: int, params: dict[str, Any]) -> tuple[str, int]:
    if minutes <= params["late_minor_minutes"] and minor_used < params["late_minor_per_month"]:
        return Tier.MINOR, minor_used + 1
    return Tier.GENERAL, minor_used


def _lock_person(person: User) -> None:
    User.objects.select_for_update().filter(pk=person.pk).first()


def attendance_clock_in(*, actor: User, at: dt.datetime | None = None) -> AttendanceRecord:
    """rule: HR-1 — clock in for today; a second clock-in the same day is refused."""
    require_perm(actor, "workforce.add_attendancerecord")
    moment = at or timezone.now()
    day = timezone.localdate(moment)
    with transaction.atomic():
        _lock_person(actor)
        record = AttendanceRecord.objects.filter(person=actor, day=day).first()
        if record is not None and record.clock_in is not None:
            raise BusinessError(errors.ALREADY_CLOCKED_IN)
        if record is None:
            record = AttendanceRecord(person=actor, day=day)
        record.department = primary_department(actor)
        record.is_workday = BusinessCalendar.load().is_workday(day)
        record.clock_in = moment
        record.save()
        reclassify_month(actor, day)
    record.refresh_from_db()
    return record


def attendance_clock_out(*, actor: User, at: dt.datetime | None = None) -> AttendanceRecord:
    """rule: HR-1 — clock out for today, after clocking in; once a day."""
    require_perm(actor, "workforce.add_attendancerecord")
    moment = at or timezone.now()
    day = timezone.localdate(moment)
    with transaction.atomic():
        _lock_person(actor)
        record = AttendanceRecord.objects.filter(person=actor, day=day).first()
        if record is None or record.clock_in is None:
            raise BusinessError(errors.NOT_CLOCKED_IN)
        if record.clock_out is not None:
            raise BusinessError(errors.ALREADY_CLOCKED_OUT)
        record.clock_out = moment
        record.save(update_fields=["clock_out"])
        reclassify_month(actor, day)
    record.refresh_from_db()
    return record


def today_record(person: User) -> AttendanceRecord | None:
    return AttendanceRecord.objects.filter(person=person, day=timezone.localdate()).first()


def correction_request(
    *,
    actor: User,
    day: dt.date,
    clock_in: dt.datetime | None,
    clock_out: dt.datetime | None,
    reason: str,
) -> AttendanceCorrection:
    """rule: HR-2 — ask the superior to correct a past day's times; the record changes only on approval."""
    require_perm(actor, "workforce.add_attendancecorrection")
    reason = text(reason, "reason")
    if day > timezone.localdate():
        raise BusinessError(errors.BAD_VALUE, field="day", field_name="day")
    for field, moment in (("clock_in", clock_in), ("clock_out", clock_out)):
        if moment is not None and timezone.localdate(moment) != day:
            raise BusinessError(errors.BAD_VALUE, field=field, field_name=field)
    if clock_in is not None and clock_out is not None and clock_out <= clock_in:
        raise BusinessError(errors.BAD_DATES, field="clock_out")
    record = AttendanceRecord.objects.filter(person=actor, day=day).first()
    original_in = record.clock_in if record else None
    original_out = record.clock_out if record else None
    if (clock_in is None or clock_in == original_in) and (clock_out is None or clock_out == original_out):
        raise BusinessError(errors.NOTHING_TO_CORRECT)
    with transaction.atomic():
        correction = AttendanceCorrection.objects.create(
            person=actor,
            department=primary_department(actor),
            day=day,
            record=record,
            original_clock_in=original_in,
            original_clock_out=original_out,
            clock_in=clock_in,
            clock_out=clock_out,
            reason=reason,
        )
        approval_submit(
            actor=actor,
            request_type=CORRECTION_REQUEST,
            subject=correction,
            note=reason,
            title=str(format_lazy(_("Attendance correction · {person} · {day}"), person=actor, day=day)),
        )
    correction.refresh_from_db()
    return correction


def _correction_of(instance: Instance) -> AttendanceCorrection:
    return AttendanceCorrection.objects.select_for_update().get(pk=subject_pk(instance))


def correction_on_approved(instance: Instance) -> None:
    """Apply the approved times (inside the approval's transaction); the originals stay on the request."""
    correction = _correction_of(instance)
    if correction.status != AttendanceCorrection.Status.PENDING:
        return
    person = correction.person
    record, _created = AttendanceRecord.objects.get_or_create(
        person=person,
        day=correction.day,
        defaults={
            "department": correction.department,
            "is_workday": BusinessCalendar.load().is_workday(correction.day),
        },
    )
    if correction.clock_in is not None:
        record.clock_in = correction.clock_in
    if correction.clock_out is not None:
        record.clock_out = correction.clock_out
    record.corrected = True
    record.save()
    correction.record = record
    correction.status = AttendanceCorrection.Status.APPROVED
    correction.save(update_fields=["record", "status"])
    reclassify_month(person, correction.day)
    later(person, _("Your attendance correction was approved."), reverse("workforce:attendance"))


def correction_on_rejected(instance: Instance) -> None:
    AttendanceCorrection.objects.filter(pk=subject_pk(instance), status=AttendanceCorrection.Status.PENDING).update(
        status=AttendanceCorrection.Status.REJECTED
    )
