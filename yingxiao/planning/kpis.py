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
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

from yingxiao.reports.kpis import Provided, Row, Segment
from yingxiao.reports.scope import department_ids

from .actuals import UnitScope, actuals_by_unit
from .models import Metric, PeriodKind, Target, TargetPlan, period_bounds

if TYPE_CHECKING:
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


class PlanAchievement:
    """rule: PLN-3 — plan vs actual of the viewer's targets of the period."""

    def targets(self, viewer: User, period: Period, department: Department | None) -> list[Target]:
        match = _period_of(period)
        if match is None:
            return []
        year, kind, index = match
        qs = (
            Target.objects.restrict(viewer, "view")
            .filter(
                plan__year=year,
                plan__status=TargetPlan.Status.PUBLISHED,
                plan__metric__in=list(Metric.values),
                period_kind=kind,
                period_index=index,
            )
            .select_related("plan", "department", "person")
            .order_by("plan__metric", "department__path", "person_id", "pk")
        )
        if department is not None:
            qs = qs.filter(department_id__in=department_ids(department))
        targets = list(qs)
        # The finest level: a target split into visible parts of the same period is counted by its parts.
        split = {t.parent_id for t in targets if t.parent_id is not None}
        return [t for t in targets if t.pk not in split]

    def _rows(self, viewer: User, period: Period, department: Department | None) -> list[Row]:
        targets = self.targets(viewer, period, department)
        by_metric: dict[str, list[Target]] = defaultdict(list)
        for target in targets:
            by_metric[target.plan.metric].append(target)
        labels = dict(Metric.choices)
        rows: list[Row] = []
        for metric, group in by_metric.items():
            scopes = {t.pk: _unit(t) for t in group}
            bounds = group[0].bounds()
            actuals = actuals_by_unit(metric, list(set(scopes.values())), bounds, viewer)
            for target in group:
                actual = actuals.get(scopes[target.pk])
                if actual is None:
                    continue  # the metric has no data source yet
                rows.append(
                    Row(
                        pk=target.pk,
                        label=f"{labels.get(metric, metric)} · {target.unit_label} · {target.period_label}",
                        owner=str(target.person) if target.person_id else "",
                        department=target.department.name,
                        when=bounds[0],
                        hit=actual >= target.amount,
                        status=f"{actual} / {target.amount}",
                        url=_url(target),
                        segment=metric,
                        amount=target.amount,
                        numerator=actual,
                        denominator=target.amount,
                    )
                )
        return rows

    def figure(self, viewer: User, period: Period, department: Department | None) -> Provided:
        rows = self._rows(viewer, period, department)
        labels = dict(Metric.choices)
        segments = []
        for metric in Metric.values:
            part = [row for row in rows if row.segment == metric]
            if not part:
                continue
            actual = sum((row.numerator or 0 for row in part), Decimal(0))
            planned = sum((row.denominator or 0 for row in part), Decimal(0))
            rate = _percent(actual, planned)
            label = f"{labels[metric]} {rate}%" if rate is not None else str(labels[metric])
            segments.append(Segment(metric, label, len(part), sum(1 for row in part if row.hit)))
        hits = sum(1 for row in rows if row.hit)
        return Provided(value=_percent(hits, len(rows)), hits=hits, total=len(rows), segments=segments)

    def records(self, viewer: User, period: Period, department: Department | None, segment: str = "") -> list[Row]:
        rows = self._rows(viewer, period, department)
        return [row for row in rows if row.segment == segment] if segment else rows

    def to_row(self, record: Row) -> Row:
        return record


def _unit(target: Target) -> UnitScope:
    if target.person_id is not None:
        return UnitScope(person_id=target.person_id)
    return UnitScope(department_id=target.department_id)


plan_achievement = PlanAchievement()
