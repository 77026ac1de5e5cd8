"""Periods of the analysis (CMP-9) and of the monthly after-sales report (CMP-8)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from yingxiao.core.errors import BusinessError

from . import errors

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    """A month or a quarter: ``start`` inclusive, ``end`` exclusive (local dates)."""

    label: str
    start: dt.date
    end: dt.date

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes for range filters on an indexed timestamp."""
        return (
            timezone.make_aware(dt.datetime.combine(self.start, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(self.end, dt.time.min)),
        )

    def months(self) -> list[dt.date]:
        result, day = [], self.start
        while day < self.end:
            result.append(day)
            day = next_month(day)
        return result


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    return Period(f"{start:%Y-%m}", start, next_month(start))


def previous_month(day: dt.date) -> Period:
    return month_of(day.replace(day=1) - dt.timedelta(days=1))


def parse_period(text: str | None, *, today: dt.date | None = None) -> Period:
    """``2025-03`` → March 2025, ``2025-Q1`` → the first quarter; empty → the current month."""
    value = (text or "").strip()
    if not value:
        return month_of(today or timezone.localdate())
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return month_of(dt.date(year, month, 1))
    if match := _QUARTER.match(value):
        year, quarter = int(match[1]), int(match[2])
        if 2000 <= year <= 2100:
            start = dt.date(year, 3 * quarter - 2, 1)
            end = next_month(next_month(next_month(start)))
            return Period(f"{year}-Q{quarter}", start, end)
    raise BusinessError(errors.BAD_PERIOD, field="period")


def report_due(month: dt.date, day: int) -> dt.date:
    """rule: CMP-8 — the report of ``month`` is due *before* ``day``: the first late day.

    A month without that day (day 30 in February) makes the first of the next month the first late day.
    """
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=day) if day <= last else next_month(month)
