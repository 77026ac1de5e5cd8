"""Competitor intelligence (竞品信息, MKT-4): collected monthly, analysed quarterly.

An entry names the month, the competitor, its product, the price seen and the news. The quarterly
analysis groups the entries the viewer may see by competitor and product: the price per month
(average of that month's entries), its change over the quarter, and the news — the chart data
is built here and drawn by a static ECharts script (no inline JS under the CSP).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.core.guards import require_permission
from yingxiao.org.models import User

from .. import errors
from ..models import CompetitorEntry
from .common import department_of, in_scope, money, text, versioned

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})-?[Qq]([1-4])\s*$")


def parse_month(value: Any) -> dt.date:
    """``YYYY-MM`` (or a date) → the first day of that month."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or ""))
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise BusinessError(errors.BAD_MONTH, field="month")
    return dt.date(int(match[1]), int(match[2]), 1)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def months(self) -> list[dt.date]:
        first = 3 * (self.number - 1) + 1
        return [dt.date(self.year, first + i, 1) for i in range(3)]

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(value: Any) -> Quarter:
    match = _QUARTER.match(str(value or ""))
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise BusinessError(errors.BAD_QUARTER, field="quarter")
    return Quarter(int(match[1]), int(match[2]))


# rule: MKT-4 — monthly collection.
def competitor_entry_record(
    *,
    actor: User,
    month: Any,
    competitor: str,
    product: str,
    price: Any = None,
    news: str = "",
    source: str = "",
) -> CompetitorEntry:
    """rule: MKT-4 — a month's information on a competitor's product: price and/or news."""
    require_permission(actor, "marketing.add_competitorentry")
    first = parse_month(month)
    competitor = text(competitor, field="competitor", max_length=200)
    product = text(product, field="product", max_length=200)
    amount = money(price, field="price", required=False)
    news = text(news, field="news", max_length=4000, required=False)
    source = text(source, field="source", max_length=200, required=False)
    if amount is None and not news:
        raise BusinessError(errors.TEXT_REQUIRED, field="news")
    department = department_of(actor)
    with transaction.atomic():
        entry = CompetitorEntry(
            month=first,
            competitor=competitor,
            product=product,
            price=amount,
            news=news,
            source=source,
            reporter=actor,
            department=department,
        )
        versioned(entry, actor, _("Competitor information recorded"))
        entry.save()
    return entry


def competitor_entry_void(*, actor: User, entry: CompetitorEntry | int, reason: str) -> CompetitorEntry:
    require_permission(actor, "marketing.change_competitorentry")
    reason = text(reason, field="reason", max_length=500)
    with transaction.atomic():
        found = in_scope(CompetitorEntry, actor, entry, "change", lock=True)
        found.voided = True
        versioned(found, actor, reason)
        found.save(update_fields=["voided"])
    return found


@dataclass
class PriceTrend:
    """One competitor's product over a quarter: the average price per month and its change."""

    competitor: str
    product: str
    prices: list[Decimal | None] = field(default_factory=list)  # one per month of the quarter
    entries: int = 0

    @property
    def label(self) -> str:
        return f"{self.competitor} · {self.product}"

    @property
    def change(self) -> Decimal | None:
        known = [p for p in self.prices if p is not None]
        if len(known) < 2 or not known[0]:
            return None
        return ((known[-1] - known[0]) * 100 / known[0]).quantize(Decimal("0.1"))


@dataclass
class QuarterAnalysis:
    quarter: Quarter
    trends: list[PriceTrend]
    news: list[CompetitorEntry]

    def chart(self) -> dict[str, Any]:
        """ECharts options' data: months on the x axis, one line per competitor product."""
        return {
            "months": [f"{m:%Y-%m}" for m in self.quarter.months],
            "series": [
                {"name": t.label, "data": [None if p is None else float(p) for p in t.prices]} for t in self.trends
            ],
        }


# rule: MKT-4 — quarterly analysis.
def quarterly_analysis(actor: User, quarter: Quarter, *, limit: int = 50) -> QuarterAnalysis:
    """rule: MKT-4 — the quarter's price trend per competitor and product, within the viewer's scope."""
    months = quarter.months
    visible = CompetitorEntry.objects.restrict(actor, "view").filter(
        voided=False, month__gte=months[0], month__lte=months[-1]
    )
    rows = (
        visible.filter(price__isnull=False)
        .values("competitor", "product", "month")
        .annotate(avg=Avg("price"), n=Count("pk"))
        .order_by("competitor", "product", "month")
    )
    trends: dict[tuple[str, str], PriceTrend] = {}
    for row in rows:
        key = (row["competitor"], row["product"])
        trend = trends.get(key)
        if trend is None:
            if len(trends) >= limit:
                continue
            trend = trends[key] = PriceTrend(row["competitor"], row["product"], [None, None, None])
        trend.prices[months.index(row["month"])] = Decimal(row["avg"]).quantize(Decimal("0.01"))
        trend.entries += row["n"]
    news = list(visible.exclude(news="").select_related("reporter").order_by("competitor", "month", "pk")[:200])
    return QuarterAnalysis(quarter, list(trends.values()), news)
