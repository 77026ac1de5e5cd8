"""The business calendar: working days, working hours, holidays and 调休 make-up days.

Every working-hours deadline (QUO-1's 8 working hours, CMP-2's one day …) is computed here,
in Asia/Shanghai, so a Friday-evening request and a Golden-Week request are due when people
are actually at work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .models import CalendarDay, WorkSchedule

_MAX_SCAN_DAYS = 3660


@dataclass
class BusinessCalendar:
    """A snapshot of the calendar tables; build one per computation with ``BusinessCalendar.load()``."""

    overrides: dict[dt.date, str]
    periods: list[tuple[dt.time, dt.time]]
    tz: ZoneInfo

    @classmethod
    def load(cls) -> BusinessCalendar:
        schedule = WorkSchedule.objects.filter(name="default").first() or WorkSchedule()
        return cls(
            overrides=dict(CalendarDay.objects.values_list("date", "kind")),
            periods=schedule.periods(),
            tz=ZoneInfo(settings.TIME_ZONE),
        )

    def is_workday(self, day: dt.date) -> bool:
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY
        return day.weekday() < 5

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        candidate = day + dt.timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(candidate):
                return candidate
            candidate += dt.timedelta(days=1)
        raise ValueError("no working day within ten years")

    def add_workdays(self, day: dt.date, count: int) -> dt.date:
        for _ in range(count):
            day = self.next_workday(day)
        return day

    def _intervals_from(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        local = timezone.localtime(start, self.tz)
        day = local.date()
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(day):
                for begin, end in self.periods:
                    a = dt.datetime.combine(day, begin, tzinfo=self.tz)
                    b = dt.datetime.combine(day, end, tzinfo=self.tz)
                    if b > local:
                        yield max(a, local), b
            day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time.min, tzinfo=self.tz)

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment ``hours`` working hours after ``start``."""
        remaining = dt.timedelta(hours=hours)
        if remaining <= dt.timedelta(0):
            return start
        for begin, end in self._intervals_from(start):
            span = end - begin
            if span >= remaining:
                return begin + remaining
            remaining -= span
        raise ValueError("deadline beyond ten years")

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working hours elapsed from ``start`` to ``end`` (0 when end precedes start)."""
        total = dt.timedelta(0)
        if end <= start:
            return 0.0
        for begin, stop in self._intervals_from(start):
            if begin >= end:
                break
            total += min(stop, end) - begin
        return total.total_seconds() / 3600
