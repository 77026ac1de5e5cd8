"""Rules of the marketing app for the policy engine.

- ``MKT-3`` (violate): once a month has ended, every department with a marketing specialist
  (市场专员) that held fewer than ``roadshows_per_month`` counted roadshows (not voided, with
  photos) that month is in breach. One finding per department and month (the breach key), so a
  repeated sweep records nothing twice; the fine is ``roadshow_fine`` per missing roadshow. It is
  recorded against the department's marketing specialist when there is exactly one (the seed
  fines 市场专员), otherwise against the department head, who answers for the department's quota.
  The months examined are the previous month and the one before (a sweep missed over a month end
  still catches up); a department owes a month only when its specialist was in post by its end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.org.models import Assignment, Department, User
from yingxiao.org.selectors import heads_of
from yingxiao.policy.registry import Action, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .services.media import counted_roadshows

SPECIALIST_ROLE = "marketing_specialist"
LOOKBACK_MONTHS = 2


def _previous_month(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def roadshow_departments(month_end: dt.date) -> dict[int, list[int]]:
    """Department id → its current marketing specialists who were in post by ``month_end`` (who owe roadshows)."""
    rows = (
        Assignment.objects.filter(
            ended_on__isnull=True,
            started_on__lte=month_end,
            user__is_active=True,
            position__is_active=True,
            position__department__is_active=True,
            position__role__code=SPECIALIST_ROLE,
        )
        .values_list("position__department_id", "user_id")
        .order_by("position__department_id", "user_id")
    )
    result: dict[int, list[int]] = {}
    for department_id, user_id in rows:
        people = result.setdefault(department_id, [])
        if user_id not in people:
            people.append(user_id)
    return result


def answerable(department: Department, specialists: list[int]) -> int | None:
    """Who is fined: the only marketing specialist, else the department head (None: nobody)."""
    if len(specialists) == 1:
        return specialists[0]
    heads = heads_of(department)
    return heads[0].pk if heads else (specialists[0] if specialists else None)


# rule: MKT-3
@register
class RoadshowShortfall(Rule):
    """rule: MKT-3 — fewer roadshows with photos than ``roadshows_per_month`` in a month is a violation."""

    id = "MKT-3"
    title = _("Monthly roadshows short of the required number")
    params = ("roadshows_per_month", "roadshow_fine")
    action = Action.VIOLATE
    subject_model = "org.Department"
    explanation = _("%(department)s held %(held)s of %(required)s roadshows with photos in %(month)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        required = int(policy_value("roadshows_per_month", at=as_of))
        if required <= 0:
            return
        month = timezone.localdate(as_of)
        for _step in range(LOOKBACK_MONTHS):
            month_end = month.replace(day=1) - dt.timedelta(days=1)
            month = _previous_month(month)
            # A department owes a month only if its specialist was already in post then.
            owing = roadshow_departments(month_end)
            if not owing:
                continue
            departments = Department.objects.in_bulk(list(owing))
            held = dict(
                counted_roadshows(month)
                .filter(department_id__in=list(owing))
                .values("department_id")
                .annotate(n=Count("pk", distinct=True))
                .values_list("department_id", "n")
            )
            for department_id, specialists in owing.items():
                count = held.get(department_id, 0)
                department = departments.get(department_id)
                if count >= required or department is None:
                    continue
                yield Finding(
                    subject_id=department_id,
                    key=f"{month:%Y-%m}",
                    person_id=answerable(department, specialists),
                    facts={
                        "department": department.name,
                        "month": f"{month:%Y-%m}",
                        "held": count,
                        "required": required,
                        "missing": required - count,
                    },
                )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.performance.services import violation_record

        person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
        if person is None:
            return False
        month = dt.date.fromisoformat(f"{finding.key}-01")
        required = int(finding.facts["required"])
        held = counted_roadshows(month).filter(department_id=finding.subject_id).count()
        if held >= required:  # photos added since the check: no longer a breach
            return False
        fine = Decimal(str(policy_value("roadshow_fine", at=finding.as_of))) * (required - held)
        violation_record(
            actor_or_system=None,
            person=person,
            rule_id=self.id,
            evidence=finding.explanation,
            amount=fine,
            subject=Department.objects.get(pk=finding.subject_id),
            breach_key=f"MKT-3:roadshow:{finding.breach_key}",
        )
        return True
