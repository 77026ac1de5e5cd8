"""The business calendar: working hours across evenings, weekends, holidays and 调休 days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.core.models import CalendarDay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def test_eight_working_hours_from_friday_afternoon_end_on_monday():
    cal = BusinessCalendar.load()
    # Friday 2026-11-20 16:00 → 2h Friday, 3h Monday morning, 3h Monday afternoon → 16:30
    assert cal.add_working_hours(at(2026, 11, 20, 16), 8) == at(2026, 11, 23, 16, 30)


def test_holidays_are_skipped_and_make_up_days_count():
    CalendarDay.objects.create(date=dt.date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆")
    CalendarDay.objects.create(date=dt.date(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY, name="调休")
    cal = BusinessCalendar.load()
    assert not cal.is_workday(dt.date(2026, 10, 1))
    assert cal.is_workday(dt.date(2026, 10, 10))  # a Saturday
    assert cal.next_workday(dt.date(2026, 9, 30)) == dt.date(2026, 10, 2)


def test_working_hours_between_counts_only_working_periods():
    cal = BusinessCalendar.load()
    assert cal.working_hours_between(at(2026, 11, 23, 11), at(2026, 11, 23, 14)) == pytest.approx(1.5)
    assert cal.working_hours_between(at(2026, 11, 23, 14), at(2026, 11, 23, 11)) == 0
