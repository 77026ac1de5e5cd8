"""Periodic rankings (PRF-4): conversion and contact capture (留电率) every ``ranking_months`` months.

Periods are blocks of ``ranking_months`` calendar months counted from January 2000 (with the
default 2: Jan–Feb, Mar–Apr, …). The figures come from the telesales call log (TEL-2), per agent:

* conversion rate (转化率) = calls ending in a deal / connected calls;
* contact capture (留电率) = calls where the customer left a way to follow up (an intent, an
  appointment or a deal) / connected calls.

Agents without a connected call are not ranked. The bottom ``ranking_bottom_percent`` of each
ranking (at least one person, when two or more are ranked) is flagged for retraining.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

_PCT = Decimal("0.1")


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day of the first month
    end: dt.date  # first day after the last month

    @property
    def key(self) -> str:
        last = (self.end - dt.timedelta(days=1)).replace(day=1)
        return f"{self.start:%Y-%m}..{last:%Y-%m}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(day: dt.date, months: int) -> Period:
    index = (day.year - 2000) * 12 + day.month - 1
    first = _add_months(dt.date(2000, 1, 1), index - index % months)
    return Period(first, _add_months(first, months))


def last_completed_period(as_of: dt.date, months: int) -> Period:
    current = period_containing(as_of, months)
    return period_containing(_add_months(current.start, -1), months)


@dataclass
class RankRow:
    person_id: int
    name: str
    connected: int
    deals: int
    captured: int
    conversion_rank: int = 0
    capture_rank: int = 0
    flags: set[str] = field(default_factory=set)

    @staticmethod
    def _pct(part: int, whole: int) -> Decimal:
        return (Decimal(100) * part / whole).quantize(_PCT, ROUND_HALF_UP)

    @property
    def conversion(self) -> Decimal:
        return self._pct(self.deals, self.connected)

    @property
    def capture(self) -> Decimal:
        return self._pct(self.captured, self.connected)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class Ranking:
    period: Period
    rows: list[RankRow]
    bottom_count: int

    @property
    def flagged(self) -> list[RankRow]:
        return [row for row in self.rows if row.flagged]


def bottom_count(ranked: int, percent: Decimal) -> int:
    if ranked < 2:
        return 0
    return max(1, math.ceil(ranked * percent / 100))


# rule: PRF-4 — conversion and contact-capture rankings; the bottom is flagged for retraining.
def ranking(period: Period, *, person_ids: set[int] | None = None, at: dt.datetime | None = None) -> Ranking:
    """The ranking of ``period`` (company-wide; ``person_ids`` narrows the rows shown, not the ranks)."""
    from yingxiao.policy.values import policy_value

    if not apps.is_installed("yingxiao.telesales"):
        return Ranking(period, [], 0)
    from yingxiao.telesales.models import CallLog

    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end, dt.time.min))
    grouped = (
        CallLog.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("agent_id", "agent__display_name", "agent__username")
        .annotate(
            connected=Count("pk", filter=~Q(outcome__in=CallLog.NOT_CONNECTED)),
            deals=Count("pk", filter=Q(outcome=CallLog.Outcome.DEAL)),
            captured=Count("pk", filter=Q(outcome__in=CallLog.INTENT)),
        )
        .order_by("agent_id")
    )
    rows = [
        RankRow(
            r["agent_id"],
            r["agent__display_name"] or r["agent__username"],
            r["connected"],
            r["deals"],
            r["captured"],
        )
        for r in grouped
        if r["connected"]
    ]
    percent = Decimal(policy_value("ranking_bottom_percent", at=at or min(end, timezone.now())))
    count = bottom_count(len(rows), percent)
    for attribute, rank_field, flag in (
        ("conversion", "conversion_rank", "conversion"),
        ("capture", "capture_rank", "capture"),
    ):
        ordered = sorted(rows, key=lambda r, a=attribute: (-getattr(r, a), -r.connected, r.person_id))  # type: ignore[misc]
        for position, row in enumerate(ordered, start=1):
            setattr(row, rank_field, position)
        for row in ordered[len(ordered) - count :] if count else []:
            row.flags.add(flag)
    rows.sort(key=lambda r: (r.conversion_rank, r.person_id))
    if person_ids is not None:
        rows = [row for row in rows if row.person_id in person_ids]
    return Ranking(period, rows, count)


def describe(row: RankRow, period: Period) -> dict[str, Any]:
    return {
        "person": row.name,
        "period": period.key,
        "conversion": str(row.conversion),
        "capture": str(row.capture),
        "flags": ", ".join(sorted(row.flags)),
    }
