"""Plan vs actual on the dashboard (PLN-3, KPI 计划完成): the targets of the period and their actuals.

The reports registry names ``plan_achievement`` (a dashboard *source*, see
``yingxiao/reports/kpis.py``). For a dashboard period that is a month, a quarter or a year, the
rows are the viewer's targets of exactly that period in published plans (ORG-5: ``restrict``;
a department filter keeps that subtree), at the finest level the viewer sees — a target whose
split into parts of the same period is visible is represented by those parts, so nothing is
counted twice. Each row carries its target and its actual (``actuals_by_unit``: one GROUP BY per
metric and kind of unit, counted within the viewer's scope); it counts as reached when the actual
is at least the target. Targets whose metric has no data source yet are left out.

The headline is the share of targets reached; the breakdown has one bar per metric (销售额, 回款,
新客户 …), whose label carries that metric's actual against its target.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

from yingxiao.reports.kpis import Provided, Row, Segment
from yingxiao.reports.scope import department_ids

from .actuals import UnitScope, actuals_by_unit
from .models import Metric, PeriodKind, Target, TargetPlan, period_bounds

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from yingxiao.org.models import Department, User
    from yingxiao.reports.periods import Period


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _period_of(period: Period) -> tuple[int, str, int] | None:
    """(year, kind, index) of the targets that cover exactly the dashboard period, or None (a week)."""
    last = period.end - dt.timedelta(days=1)
    year = period.start.year
    candidates = [(PeriodKind.YEAR, 0), *((PeriodKind.QUARTER, q) for q in range(1, 5))]
    candidates += [(PeriodKind.MONTH, m) for m in range(1, 13)]
    for kind, index in candidates:
        if period_bounds(year, kind, index) == (period.start, last):
            return year, kind, index
    return None


def _url(target: Target) -> str:
    try:
        return reverse("planning:progress", args=[target.plan_id])
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class _Measured:
    """One target of the period with its actual (the metric has a data source)."""

    target_id: int
    metric: str
    amount: Decimal
    actual: Decimal

    @property
    def hit(self) -> bool:
        return self.actual >= self.amount


# (target id, metric, amount, person id, department id) — what measuring a target needs.
_Item = tuple[int, str, Decimal, "int | None", int]


class PlanAchievement:
    """rule: PLN-3 — plan vs actual of the viewer's targets of the period."""

    def _targets(self, viewer: User, period: Period, department: Department | None) -> QuerySet[Target] | None:
        match = _period_of(period)
        if match is None:
            return None
        year, kind, index = match
        qs = Target.objects.restrict(viewer, "view").filter(
            plan__year=year,
            plan__status=TargetPlan.Status.PUBLISHED,
            plan__metric__in=list(Metric.values),
            period_kind=kind,
            period_index=index,
        )
        if department is not None:
            qs = qs.filter(department_id__in=department_ids(department))
        return qs

    def targets(self, viewer: User, period: Period, department: Department | None) -> list[Target]:
        qs = self._targets(viewer, period, department)
        if qs is None:
            return []
        targets = list(
            qs.select_related("plan", "department", "person").order_by(
                "plan__metric", "department__path", "person_id", "pk"
            )
        )
        # The finest level: a target split into visible parts of the same period is counted by its parts.
        split = {t.parent_id for t in targets if t.parent_id is not None}
        return [t for t in targets if t.pk not in split]

    def _items(self, viewer: User, period: Period, department: Department | None) -> list[_Item]:
        """The same targets as ``targets``, as plain values: the headline builds no model instance,
        link or label per target."""
        qs = self._targets(viewer, period, department)
        if qs is None:
            return []
        rows = list(
            qs.order_by().values_list("pk", "parent_id", "plan__metric", "amount", "person_id", "department_id")
        )
        split = {parent for _pk, parent, *_rest in rows if parent is not None}
        return [(pk, metric, amount, person, dept) for pk, _p, metric, amount, person, dept in rows if pk not in split]

    def _measure(self, viewer: User, period: Period, items: list[_Item]) -> list[_Measured]:
        """Each target's actual: one GROUP BY per metric and kind of unit (``actuals_by_unit``)."""
        match = _period_of(period)
        if match is None or not items:
            return []
        bounds = period_bounds(*match)
        by_metric: dict[str, list[_Item]] = defaultdict(list)
        for item in items:
            by_metric[item[1]].append(item)
        measured: list[_Measured] = []
        for metric, group in by_metric.items():
            scopes = {pk: _scope(person, dept) for pk, _m, _a, person, dept in group}
            actuals = actuals_by_unit(metric, list(set(scopes.values())), bounds, viewer)
            for pk, _m, amount, _person, _dept in group:
                actual = actuals.get(scopes[pk])
                if actual is None:
                    continue  # the metric has no data source yet
                measured.append(_Measured(pk, metric, amount, actual))
        return measured

    def _rows(self, viewer: User, period: Period, department: Department | None) -> list[Row]:
        targets = {t.pk: t for t in self.targets(viewer, period, department)}
        items = [(t.pk, t.plan.metric, t.amount, t.person_id, t.department_id) for t in targets.values()]
        labels = dict(Metric.choices)
        rows: list[Row] = []
        for m in self._measure(viewer, period, items):
            target = targets[m.target_id]
            rows.append(
                Row(
                    pk=target.pk,
                    label=f"{labels.get(m.metric, m.metric)} · {target.unit_label} · {target.period_label}",
                    owner=str(target.person) if target.person_id else "",
                    department=target.department.name,
                    when=target.bounds()[0],
                    hit=m.hit,
                    status=f"{m.actual} / {target.amount}",
                    url=_url(target),
                    segment=m.metric,
                    amount=target.amount,
                    numerator=m.actual,
                    denominator=target.amount,
                )
            )
        return rows

    def figure(self, viewer: User, period: Period, department: Department | None) -> Provided:
        measured = self._measure(viewer, period, self._items(viewer, period, department))
        labels = dict(Metric.choices)
        segments = []
        for metric in Metric.values:
            part = [m for m in measured if m.metric == metric]
            if not part:
                continue
            actual = sum((m.actual for m in part), Decimal(0))
            planned = sum((m.amount for m in part), Decimal(0))
            rate = _percent(actual, planned)
            label = f"{labels[metric]} {rate}%" if rate is not None else str(labels[metric])
            segments.append(Segment(metric, label, len(part), sum(1 for m in part if m.hit)))
        hits = sum(1 for m in measured if m.hit)
        return Provided(value=_percent(hits, len(measured)), hits=hits, total=len(measured), segments=segments)

    def records(self, viewer: User, period: Period, department: Department | None, segment: str = "") -> list[Row]:
        rows = self._rows(viewer, period, department)
        return [row for row in rows if row.segment == segment] if segment else rows

    def to_row(self, record: Row) -> Row:
        return record


def _scope(person_id: int | None, department_id: int) -> UnitScope:
    if person_id is not None:
        return UnitScope(person_id=person_id)
    return UnitScope(department_id=department_id)


plan_achievement = PlanAchievement()
