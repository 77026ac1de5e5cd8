"""The indicator registry of the monthly evaluation (PRF-1).

An indicator has a code, a label and a weight per role (``"*"``: every other role). Its score
(0–100) is either *computed* by a source — a plain function ``(person, month) → IndicatorResult |
None`` that any app may register with ``register_source`` — or, when no source is registered or
the source has no data for the month (``None``), *scored by the superior*.

Sources registered here read other apps' records directly (read-only, no scope: the evaluation
is about the person, whoever prepares it):

* ``satisfaction`` — complaint satisfaction surveys (``service.Survey``) of the month on complaints
  the person was responsible for, or whose customer they own: mean satisfaction (1–5) as 0–100;
* ``data_accuracy`` — telesales calls of the month: share without an approved correction (TEL-3);
* ``return_visits`` — return-visit punctuality (回访及时率, ACT-2) of the person's customers.

``task_completion`` has no source until the planning app (targets) registers one; the training
app registers ``training`` (HR-9: assessment feeds performance).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from yingxiao.org.models import User

HUNDRED = Decimal(100)
_SCORE = Decimal("0.01")
ANY_ROLE = "*"


@dataclass(frozen=True)
class SourceRef:
    """The records behind a computed score."""

    model: str  # "app_label.ModelName"
    ids: tuple[int, ...]

    def as_json(self) -> dict[str, Any]:
        return {"model": self.model, "ids": list(self.ids)}


@dataclass(frozen=True)
class IndicatorResult:
    score: Decimal  # 0–100
    detail: str = ""
    sources: tuple[SourceRef, ...] = ()


Source = Callable[["User", dt.date], IndicatorResult | None]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    weights: Mapping[str, int] = field(default_factory=dict)  # role code → weight; "*" for the others

    def weight_for(self, role_code: str) -> int:
        if role_code in self.weights:
            return self.weights[role_code]
        return self.weights.get(ANY_ROLE, 0)


_indicators: dict[str, Indicator] = {}
_sources: dict[str, Source] = {}


def register_indicator(indicator: Indicator) -> Indicator:
    _indicators[indicator.code] = indicator
    return indicator


def register_source(code: str, source: Source) -> None:
    """Let ``source`` compute indicator ``code`` (the last registration wins)."""
    _sources[code] = source


def unregister_source(code: str) -> None:
    _sources.pop(code, None)


def source_for(code: str) -> Source | None:
    return _sources.get(code)


def indicators_for(role_code: str) -> list[tuple[Indicator, int]]:
    """The indicators that weigh for ``role_code``, heaviest first."""
    rows = [(ind, ind.weight_for(role_code)) for ind in _indicators.values()]
    return sorted([(ind, w) for ind, w in rows if w > 0], key=lambda r: (-r[1], r[0].code))


def all_indicators() -> list[Indicator]:
    return list(_indicators.values())


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return (HUNDRED * Decimal(part) / Decimal(whole)).quantize(_SCORE, ROUND_HALF_UP)


# --- the standard indicators (PRF-1: task completion, quality, efficiency, teamwork, satisfaction;
# telesales: customers developed, sales, satisfaction, data accuracy). Weights sum to 100 per role.
_SALES = ("sales_rep", "regional_manager", "group_leader", "department_head")
_TELE = ("telesales",)


def _weights(default: int, sales: int, tele: int) -> dict[str, int]:
    return {ANY_ROLE: default, **dict.fromkeys(_SALES, sales), **dict.fromkeys(_TELE, tele)}


for _indicator in (
    Indicator("task_completion", _("Task completion"), _weights(40, 40, 25)),
    Indicator("quality", _("Work quality"), _weights(20, 15, 5)),
    Indicator("efficiency", _("Efficiency"), _weights(15, 10, 0)),
    Indicator("teamwork", _("Teamwork"), _weights(15, 10, 5)),
    Indicator("satisfaction", _("Customer satisfaction"), _weights(0, 10, 15)),
    Indicator("return_visits", _("Return-visit punctuality"), _weights(0, 10, 0)),
    Indicator("customers_developed", _("Customers developed"), _weights(0, 0, 25)),
    Indicator("data_accuracy", _("Data accuracy"), _weights(0, 0, 20)),
    Indicator("training", _("Training assessment"), _weights(10, 5, 5)),
):
    register_indicator(_indicator)


def _month_range(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from .selectors import month_bounds

    start, end = month_bounds(month)
    from django.utils import timezone

    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end, dt.time.min)),
    )


def satisfaction_from_surveys(person: User, month: dt.date) -> IndicatorResult | None:
    """Mean complaint-survey satisfaction (1–5 → 0–100) of the month (CMP-5 surveys)."""
    if not apps.is_installed("yingxiao.service"):
        return None
    from django.db.models import Q

    from yingxiao.service.models import Survey

    start, end = _month_range(month)
    rows = list(
        Survey.objects.filter(called_at__gte=start, called_at__lt=end)
        .filter(Q(complaint__responsible_person=person) | Q(complaint__customer__owner=person))
        .values_list("pk", "satisfaction")
        .order_by("pk")
    )
    if not rows:
        return None
    total = sum(value for _pk, value in rows)
    score = (HUNDRED * Decimal(total) / (5 * len(rows))).quantize(_SCORE, ROUND_HALF_UP)
    return IndicatorResult(
        score,
        detail=f"{len(rows)} surveys, mean {Decimal(total) / len(rows):.2f}/5",
        sources=(SourceRef("service.Survey", tuple(pk for pk, _v in rows)),),
    )


def accuracy_from_corrections(person: User, month: dt.date) -> IndicatorResult | None:
    """Share of the month's calls without an approved correction (TEL-3 data accuracy)."""
    if not apps.is_installed("yingxiao.telesales"):
        return None
    from yingxiao.telesales.models import CallCorrection, CallLog

    start, end = _month_range(month)
    calls = CallLog.objects.filter(agent=person, started_at__gte=start, started_at__lt=end)
    total = calls.count()
    if not total:
        return None
    corrected = list(
        CallCorrection.objects.filter(call__in=calls, status=CallCorrection.Status.APPROVED)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    call_ids = len(set(CallCorrection.objects.filter(pk__in=corrected).values_list("call_id", flat=True)))
    return IndicatorResult(
        percent(total - call_ids, total),
        detail=f"{total} calls, {call_ids} corrected",
        sources=(SourceRef("telesales.CallCorrection", tuple(corrected)),),
    )


def punctuality_of_return_visits(person: User, month: dt.date) -> IndicatorResult | None:
    """回访及时率 of the person's customers in the month (ACT-2)."""
    if not apps.is_installed("yingxiao.activities"):
        return None
    from yingxiao.activities.return_visits import return_visit_punctuality

    report = return_visit_punctuality(person, month, person_id=person.pk)
    if not report.total.due:
        return None
    customers = tuple(sorted({item.customer_id for item in report.items}))
    return IndicatorResult(
        percent(report.total.on_time, report.total.due),
        detail=f"{report.total.on_time}/{report.total.due} on time",
        sources=(SourceRef("customers.Customer", customers),),
    )


register_source("satisfaction", satisfaction_from_surveys)
register_source("data_accuracy", accuracy_from_corrections)
register_source("return_visits", punctuality_of_return_visits)
