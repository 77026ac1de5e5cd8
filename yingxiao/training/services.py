"""Training and onboarding actions (HR-9, ORG-6). Each checks the actor's permission and scope."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yingxiao.core.errors import BusinessError
from yingxiao.core.guards import require_permission
from yingxiao.org.models import DataScope, Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department

from . import errors
from .models import Attendance, Onboarding, TrainingNeed, TrainingPlan, TrainingSession

_SCORE = Decimal("0.01")


def _in_scope(actor: User, person: User) -> bool:
    scope = scope_for(actor)
    if scope.is_all or "hr" in scope.role_codes:
        return True
    department = primary_department(person)
    return scope.level == DataScope.DEPARTMENT and department is not None and department.pk in scope.department_ids


def _title(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise BusinessError(errors.NO_TITLE, field="title")
    return text[:200]


# rule: HR-9 — annual, quarterly and monthly training plans.
def plan_create(
    *,
    actor: User,
    period: str,
    year: int,
    title: str,
    number: int | None = None,
    goals: str = "",
    department: Department | None = None,
) -> TrainingPlan:
    require_permission(actor, "training.add_trainingplan")
    if period not in TrainingPlan.Period.values:
        raise BusinessError(errors.BAD_PERIOD, field="period")
    if not 2000 <= int(year) <= 2999:
        raise BusinessError(errors.BAD_YEAR, field="year")
    limits = {TrainingPlan.Period.QUARTERLY: 4, TrainingPlan.Period.MONTHLY: 12}
    if period == TrainingPlan.Period.ANNUAL:
        number = None
    elif number is None or not 1 <= int(number) <= limits[TrainingPlan.Period(period)]:
        raise BusinessError(errors.BAD_PERIOD, field="number")
    return TrainingPlan.objects.create(
        period=period,
        year=int(year),
        number=number,
        title=_title(title),
        goals=(goals or "").strip()[:8000],
        department=department,
        created_by=actor,
    )


def session_create(
    *,
    actor: User,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    plan: TrainingPlan | None = None,
    topic: str = "",
    trainer: User | None = None,
    trainer_name: str = "",
    place: str = "",
    department: Department | None = None,
) -> TrainingSession:
    require_permission(actor, "training.add_trainingsession")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise BusinessError(errors.BAD_TIMES, field="ends_at")
    return TrainingSession.objects.create(
        plan=plan,
        title=_title(title),
        topic=(topic or "").strip()[:4000],
        trainer=trainer,
        trainer_name=(trainer_name or "").strip()[:100],
        starts_at=starts_at,
        ends_at=ends_at,
        place=(place or "").strip()[:200],
        department=department,
        created_by=actor,
    )


def _score(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError(errors.BAD_SCORE, field="score") from exc
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise BusinessError(errors.BAD_SCORE, field="score")
    return score.quantize(_SCORE, ROUND_HALF_UP)


# rule: HR-9 — attendance and assessment; an attended session closes the person's open training needs.
def attendance_record(
    *, actor: User, session: TrainingSession, person: User, attended: bool, score: Any = None, note: str = ""
) -> Attendance:
    require_permission(actor, "training.add_attendance")
    if not _in_scope(actor, person):
        raise BusinessError(errors.NOT_ALLOWED)
    if session.status == TrainingSession.Status.CANCELLED:
        raise BusinessError(errors.SESSION_CANCELLED)
    value = _score(score)
    if value is not None and not attended:
        raise BusinessError(errors.BAD_SCORE, field="score")
    now = timezone.now()
    with transaction.atomic():
        record, _created = Attendance.objects.select_for_update().get_or_create(
            session=session,
            person=person,
            defaults={"department": primary_department(person), "recorded_by": actor},
        )
        record.attended = bool(attended)
        record.score = value
        record.note = (note or "").strip()[:500]
        record.recorded_by = actor
        record.recorded_at = now
        record.save()
        if attended:
            TrainingSession.objects.filter(pk=session.pk, status=TrainingSession.Status.SCHEDULED).update(
                status=TrainingSession.Status.HELD
            )
            TrainingNeed.objects.filter(person=person, status=TrainingNeed.Status.OPEN).update(
                status=TrainingNeed.Status.DONE, session=session, closed_at=now
            )
    return record


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# rule: ORG-6 — a new hire gets a mentor; probation length and target are the policy at the start.
def onboarding_start(*, actor: User, person: User, mentor: User, started_on: dt.date, note: str = "") -> Onboarding:
    from yingxiao.policy.values import policy_value

    require_permission(actor, "training.add_onboarding")
    if not _in_scope(actor, person):
        raise BusinessError(errors.NOT_ALLOWED)
    if mentor.pk == person.pk:
        raise BusinessError(errors.SELF_MENTOR, field="mentor")
    at = timezone.make_aware(dt.datetime.combine(started_on, dt.time(12)))
    at = min(at, timezone.now())
    months = int(policy_value("probation_months", at=at))
    required = int(policy_value("probation_sales", at=at))
    try:
        with transaction.atomic():
            return Onboarding.objects.create(
                person=person,
                department=primary_department(person),
                mentor=mentor,
                started_on=started_on,
                probation_months=months,
                required_sales=required,
                ends_on=add_months(started_on, months),
                note=(note or "").strip()[:4000],
                created_by=actor,
            )
    except IntegrityError as exc:
        raise BusinessError(errors.ALREADY_ONBOARDED) from exc


def training_need_raise(*, person_id: int, reason: str, rule_id: str, key: str) -> tuple[TrainingNeed, bool]:
    """Record that someone needs (re)training (the system's action, e.g. PRF-4); idempotent by ``key``."""
    person = User.objects.get(pk=person_id)
    try:
        with transaction.atomic():
            need, created = TrainingNeed.objects.get_or_create(
                source_key=key[:200],
                defaults={
                    "person": person,
                    "department": primary_department(person),
                    "rule_id": rule_id,
                    "reason": reason[:500],
                },
            )
    except IntegrityError:  # raised concurrently by another sweep
        return TrainingNeed.objects.get(source_key=key[:200]), False
    return need, created


def need_close(*, actor: User, need: TrainingNeed, session: TrainingSession | None = None) -> TrainingNeed:
    require_permission(actor, "training.change_trainingneed")
    updated = TrainingNeed.objects.filter(pk=need.pk, status=TrainingNeed.Status.OPEN).update(
        status=TrainingNeed.Status.DONE, session=session, closed_at=timezone.now()
    )
    if updated != 1:
        raise BusinessError(errors.NEED_CLOSED)
    need.refresh_from_db()
    return need
