"""Dates for the demo data: a year back from an anchor day, on days people are at work.

All times are drawn as day offsets from the anchor, so a given seed always produces the same
customers, owners and counts; the anchor (default: today) only slides the whole year along.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings

from .holidays import HOLIDAY, WORKDAY, official_calendar

HISTORY_DAYS = 365


class Clock:
    """Draws aware Asia/Shanghai datetimes within the demo year, skipping Sundays and public holidays.

    Sales staff work some Saturdays, so only Sundays (unless a 调休 make-up day) and holidays are avoided.
    """

    def __init__(self, anchor: dt.date) -> None:
        self.anchor = anchor
        self.tz = ZoneInfo(settings.TIME_ZONE)
        calendar = official_calendar()
        self.holidays = {day for day, kind, _ in calendar if kind == HOLIDAY}
        self.makeup = {day for day, kind, _ in calendar if kind == WORKDAY}
        # Nothing is dated on or after the anchor day itself, so "today" is never in the future.
        self.last_day = anchor - dt.timedelta(days=1)

    def is_open(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        return day.weekday() != 6 or day in self.makeup

    def open_day(self, day: dt.date, *, not_before: dt.date) -> dt.date:
        """The nearest open day at or before ``day`` (or after it, if that would go below ``not_before``)."""
        back = day
        while not self.is_open(back) and back > not_before:
            back -= dt.timedelta(days=1)
        if self.is_open(back):
            return back
        forward = day
        while not self.is_open(forward) and forward < self.last_day:
            forward += dt.timedelta(days=1)
        return forward

    def at(self, day: dt.date, rng: random.Random) -> dt.datetime:
        """A working-hours moment on ``day`` (08:30–17:59)."""
        minute = rng.randint(8 * 60 + 30, 17 * 60 + 59)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=self.tz)

    def registration_time(self, rng: random.Random) -> dt.datetime:
        first = self.anchor - dt.timedelta(days=HISTORY_DAYS)
        day = self.anchor - dt.timedelta(days=rng.randint(1, HISTORY_DAYS))
        return self.at(self.open_day(day, not_before=first), rng)

    def between(self, rng: random.Random, start: dt.datetime, end_day: dt.date) -> dt.datetime:
        """A moment after ``start`` and on or before ``end_day``."""
        start_day = start.astimezone(self.tz).date()
        if end_day <= start_day:
            return start + dt.timedelta(minutes=rng.randint(10, 120))
        day = start_day + dt.timedelta(days=rng.randint(0, (end_day - start_day).days))
        moment = self.at(self.open_day(day, not_before=start_day), rng)
        if moment <= start:
            moment = start + dt.timedelta(minutes=rng.randint(10, 120))
        return moment

    def days_ago(self, days: int) -> dt.date:
        return self.anchor - dt.timedelta(days=days)
