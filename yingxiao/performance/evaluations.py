"""Monthly evaluation actions (PRF-1, PRF-2): prepare, score by the superior, finalise with the grade.

The superior (a head for the department, the director or HR for everyone) prepares a person's
evaluation: the indicators of the person's role come from the registry, computed ones are filled
from the records. The superior scores the rest and finalises; the grade follows the policy
thresholds in force at the end of the month. A final evaluation never changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import DataScope, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department, primary_position

from . import errors
from .indicators import indicators_for, source_for
from .models import Evaluation, EvaluationItem, Grade
from .selectors import month_bounds

_SCORE = Decimal("0.01")
EVALUATE_PERM = "performance.add_evaluation"


def _policy(name: str, at: dt.datetime | None = None) -> Any:
    from yingxiao.policy.values import policy_value

    return policy_value(name, at=at)


def month_end_instant(month: dt.date) -> dt.datetime:
    """The policy in force for a month is the one at its end (or now, for the running month)."""
    _start, end = month_bounds(month)
    last = timezone.make_aware(dt.datetime.combine(end, dt.time.min)) - dt.timedelta(seconds=1)
    return min(last, timezone.now())


def may_evaluate(actor: User, person: User) -> bool:
    """A head evaluates their department, the director and HR everyone; nobody themselves."""
    if actor.pk == person.pk or not actor.has_perm(EVALUATE_PERM):
        return False
    scope = scope_for(actor)
    if scope.is_all:
        return True
    department = primary_department(person)
    return scope.level == DataScope.DEPARTMENT and department is not None and department.pk in scope.department_ids


def _check_evaluator(actor: User, person: User) -> None:
    if not may_evaluate(actor, person):
        raise BusinessError(errors.NOT_EVALUATOR)


# rule: PRF-1 — the grade from the configured thresholds.
def grade_for(score: Decimal, *, at: dt.datetime | None = None) -> str:
    """优秀 / 良好 / 合格 / 不合格: the highest threshold the score reaches (boundaries included)."""
    if score >= Decimal(_policy("grade_excellent_score", at)):
        return Grade.EXCELLENT
    if score >= Decimal(_policy("grade_good_score", at)):
        return Grade.GOOD
    if score >= Decimal(_policy("grade_pass_score", at)):
        return Grade.PASS
    return Grade.FAIL


def weighted_score(items: list[EvaluationItem]) -> Decimal:
    total_weight = sum(item.weight for item in items)
    if not total_weight:
        return Decimal("0.00")
    total = sum((Decimal(item.weight) * (item.score or Decimal(0)) for item in items), Decimal(0))
    return (total / total_weight).quantize(_SCORE, ROUND_HALF_UP)


def _fill_items(evaluation: Evaluation, person: User, month: dt.date) -> None:
    existing = {item.code: item for item in evaluation.items.all()}
    for indicator, weight in indicators_for(evaluation.role_code):
        source = source_for(indicator.code)
        result = source(person, month) if source is not None else None
        item = existing.get(indicator.code) or EvaluationItem(evaluation=evaluation, code=indicator.code)
        item.label = str(indicator.label)[:120]
        item.weight = weight
        if result is not None:
            item.source = EvaluationItem.Source.COMPUTED
            item.score = max(Decimal(0), min(Decimal(100), result.score)).quantize(_SCORE, ROUND_HALF_UP)
            item.detail = result.detail[:500]
            item.sources = [ref.as_json() for ref in result.sources]
        else:
            if item.source == EvaluationItem.Source.COMPUTED:  # the data went away: the superior scores it
                item.score = None
            item.source = EvaluationItem.Source.SUPERIOR
            item.detail = ""
            item.sources = []
        item.save()


def evaluation_prepare(*, actor: User, person: User, month: dt.date) -> Evaluation:
    """Create (or refresh, while being scored) ``person``'s evaluation of ``month``."""
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise BusinessError(errors.FUTURE_MONTH, field="month")
    _check_evaluator(actor, person)
    position = primary_position(person)
    role_code = position.role.code if position is not None else ""
    try:
        with transaction.atomic():
            evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
                person=person,
                month=month,
                defaults={
                    "department": position.department if position else None,
                    "role_code": role_code,
                    "prepared_by": actor,
                },
            )
            if evaluation.status == Evaluation.Status.FINAL:
                raise BusinessError(errors.EVALUATION_FINAL)
            _fill_items(evaluation, person, month)
    except IntegrityError:  # prepared concurrently: refresh the one that won
        return evaluation_prepare(actor=actor, person=person, month=month)
    return evaluation


def _parse_score(value: Any) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError(errors.BAD_SCORE, field="score") from exc
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise BusinessError(errors.BAD_SCORE, field="score")
    return score.quantize(_SCORE, ROUND_HALF_UP)


def evaluation_score(
    *, actor: User, evaluation: Evaluation, scores: dict[str, Any], comment: str | None = None
) -> Evaluation:
    """The superior scores the indicators the system cannot compute (0–100 each)."""
    _check_evaluator(actor, evaluation.person)
    parsed = {code: _parse_score(value) for code, value in scores.items() if value not in (None, "")}
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status == Evaluation.Status.FINAL:
            raise BusinessError(errors.EVALUATION_FINAL)
        items = {item.code: item for item in locked.items.all()}
        for code, score in parsed.items():
            item = items.get(code)
            if item is None:
                raise BusinessError(errors.UNKNOWN_INDICATOR, field=code)
            if item.source == EvaluationItem.Source.COMPUTED:
                raise BusinessError(errors.COMPUTED_INDICATOR, field=code)
            item.score = score
            item.save(update_fields=["score"])
        if comment is not None:
            locked.comment = comment.strip()[:4000]
            locked.save(update_fields=["comment"])
    evaluation.refresh_from_db()
    return evaluation


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


# rule: PRF-2 — consecutive failing months, counted back from this one.
def fail_streak(person_id: int, month: dt.date, grade: str) -> int:
    if grade != Grade.FAIL:
        return 0
    earlier = dict(
        Evaluation.objects.filter(person_id=person_id, month__lt=month, status=Evaluation.Status.FINAL)
        .order_by("-month")
        .values_list("month", "grade")[:36]
    )
    streak, cursor = 1, _previous_month(month)
    while earlier.get(cursor) == Grade.FAIL:
        streak += 1
        cursor = _previous_month(cursor)
    return streak


def _hr_people() -> list[User]:
    from .services import _hr_people as hr

    return hr()


def evaluation_finalise(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """Compute the weighted score and the grade; flag ``fail_months`` failing months in a row (PRF-2)."""
    _check_evaluator(actor, evaluation.person)
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status == Evaluation.Status.FINAL:
            raise BusinessError(errors.EVALUATION_FINAL)
        items = list(locked.items.all())
        missing = [item.label for item in items if item.score is None]
        if missing:
            raise BusinessError(errors.UNSCORED, missing="、".join(missing))
        at = month_end_instant(locked.month)
        score = weighted_score(items)
        grade = grade_for(score, at=at)
        streak = fail_streak(locked.person_id, locked.month, grade)
        flagged = streak >= int(_policy("fail_months", at))
        updated = Evaluation.objects.filter(pk=locked.pk, status=Evaluation.Status.DRAFT).update(
            status=Evaluation.Status.FINAL,
            score=score,
            grade=grade,
            fail_streak=streak,
            review_flagged=flagged,
            finalised_by=actor,
            finalised_at=timezone.now(),
        )
        if updated != 1:
            raise BusinessError(errors.EVALUATION_FINAL)
        if flagged:
            _notify_review(locked, streak)
    evaluation.refresh_from_db()
    return evaluation


def _notify_review(evaluation: Evaluation, streak: int) -> None:
    message = format_lazy(
        _("{person} failed the monthly evaluation {count} months in a row (to {month}): review needed (PRF-2)."),
        person=evaluation.person,
        count=streak,
        month=f"{evaluation.month:%Y-%m}",
    )
    link = reverse("performance:evaluation", args=[evaluation.pk])
    recipients = _hr_people()

    def send() -> None:
        from yingxiao.core.notifications import notify

        for person in recipients:
            notify(person, message=message, link=link)

    transaction.on_commit(send)


# --- reads -------------------------------------------------------------------------------------
def evaluations_for(actor: User) -> QuerySet[Evaluation]:
    return Evaluation.objects.restrict(actor).select_related("person", "department")


def get_evaluation_for(actor: User, pk: Any) -> Evaluation:
    return get_restricted_or_404(Evaluation, actor, pk, queryset=evaluations_for(actor))


def people_to_evaluate(actor: User) -> QuerySet[User]:
    """Active people whose evaluation ``actor`` may prepare (their scope, never themselves)."""
    if not actor.has_perm(EVALUATE_PERM):
        return User.objects.none()
    scope = scope_for(actor)
    people = User.objects.filter(is_active=True, assignments__ended_on__isnull=True).exclude(pk=actor.pk)
    if not scope.is_all:
        if scope.level != DataScope.DEPARTMENT:
            return User.objects.none()
        people = people.filter(assignments__position__department_id__in=scope.department_ids)
    return people.distinct().order_by("display_name", "username")
