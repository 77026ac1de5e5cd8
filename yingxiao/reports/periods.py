"""Report periods: a week, month, quarter or year — ``start`` inclusive, ``end`` exclusive (local dates)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from yingxiao.core.errors import BusinessError

from . import errors

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # exclusive

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes for range filters on an indexed timestamp."""
        return (
            timezone.make_aware(dt.datetime.combine(self.start, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(self.end, dt.time.min)),
        )

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def months(self) -> list[dt.date]:
        """First days of the calendar months the period touches."""
        result, day = [], self.start.replace(day=1)
        while day < self.end:
            result.append(day)
            day = _next_month(day)
        return result

    def year_before(self) -> Period:
        """The same span one year earlier (new-customer growth compares against it)."""
        return Period(f"{self.label} −1y", _shift_year(self.start), _shift_year(self.end))


def _shift_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    return Period(f"{start:%Y-%m}", start, _next_month(start))


def week_of(day: dt.date) -> Period:
    """The ISO week (Monday to Sunday) containing ``day``."""
    start = day - dt.timedelta(days=day.weekday())
    year, week, _weekday = start.isocalendar()
    return Period(f"{year}-W{week:02d}", start, start + dt.timedelta(days=7))


def parse_period(text: str | None, *, today: dt.date | None = None) -> Period:
    """``2026-03`` month, ``2026-Q1`` quarter, ``2026`` year, ``2026-W09`` ISO week; empty → this month."""
    value = (text or "").strip()
    today = today or timezone.localdate()
    try:
        if not value:
            return month_of(today)
        if match := _MONTH.match(value):
            return month_of(dt.date(int(match[1]), int(match[2]), 1))
        if match := _QUARTER.match(value):
            year, quarter = int(match[1]), int(match[2])
            start = dt.date(year, 3 * quarter - 2, 1)
            end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
            return Period(f"{year}-Q{quarter}", start, end)
        if match := _YEAR.match(value):
            year = int(match[1])
            return Period(str(year), dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
        if match := _WEEK.match(value):
            return week_of(dt.date.fromisocalendar(int(match[1]), int(match[2]), 1))
    except ValueError as exc:
        raise BusinessError(errors.BAD_PERIOD, field="period") from exc
    raise BusinessError(errors.BAD_PERIOD, field="period")
