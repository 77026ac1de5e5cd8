"""HR-1 clock-in/out and HR-2 lateness tiers, the monthly sheet and corrections by approval."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yingxiao.core.errors import BusinessError
from yingxiao.core.models import CalendarDay
from yingxiao.workforce import attendance, selectors
from yingxiao.workforce.models import AttendanceCorrection, AttendanceRecord, Tier

from .conftest import approve, at, fresh, waiting_for

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 3, 3)


def clock_in(user, moment):
    with time_machine.travel(moment, tick=False):
        return attendance.attendance_clock_in(actor=fresh(user))


def clock_out(user, moment):
    with time_machine.travel(moment, tick=False):
        return attendance.attendance_clock_out(actor=fresh(user))


def test_hr_1_clock_in_and_out_one_record_per_day(wf):
    record = clock_in(wf.rep, at(MON, 8, 55))
    assert record.clock_in == at(MON, 8, 55) and record.late_tier == Tier.NONE
    assert record.department == wf.domestic and record.is_workday
    record = clock_out(wf.rep, at(MON, 18, 5))
    assert record.clock_out == at(MON, 18, 5) and record.early_tier == Tier.NONE
    assert AttendanceRecord.objects.filter(person=wf.rep).count() == 1


def test_hr_1_clocking_in_twice_or_out_first_is_refused(wf):
    with pytest.raises(BusinessError) as error:
        clock_out(wf.rep, at(MON, 18))
    assert error.value.code == "workforce.not_clocked_in"
    clock_in(wf.rep, at(MON, 9))
    with pytest.raises(BusinessError) as error:
        clock_in(wf.rep, at(MON, 9, 1))
    assert error.value.code == "workforce.already_clocked_in"
    clock_out(wf.rep, at(MON, 18))
    with pytest.raises(BusinessError) as error:
        clock_out(wf.rep, at(MON, 18, 30))
    assert error.value.code == "workforce.already_clocked_out"
    record = AttendanceRecord.objects.get(person=wf.rep)
    assert record.clock_in == at(MON, 9) and record.clock_out == at(MON, 18)


@pytest.mark.parametrize(("minute", "tier"), [(10, Tier.MINOR), (11, Tier.GENERAL)])
def test_hr_2_ten_minutes_late_is_minor_eleven_is_general(wf, minute, tier):
    record = clock_in(wf.rep, at(MON, 9, minute))
    assert record.late_minutes == minute
    assert record.late_tier == tier


def test_hr_2_fourth_minor_lateness_in_a_month_is_general(wf):
    tiers = [clock_in(wf.rep, at(MON + dt.timedelta(days=n), 9, 5)).late_tier for n in range(4)]
    assert tiers == [Tier.MINOR, Tier.MINOR, Tier.MINOR, Tier.GENERAL]
    # a new month starts the count again
    assert clock_in(wf.rep, at(dt.date(2025, 4, 1), 9, 5)).late_tier == Tier.MINOR


def test_hr_2_early_leave_counts_with_lateness(wf):
    clock_in(wf.rep, at(MON, 9, 5))
    record = clock_out(wf.rep, at(MON, 17, 52))
    assert (record.early_minutes, record.early_tier) == (8, Tier.MINOR)
    clock_in(wf.rep, at(MON + dt.timedelta(days=1), 9, 3))
    record = clock_out(wf.rep, at(MON + dt.timedelta(days=1), 17, 40))
    assert (record.early_minutes, record.early_tier) == (20, Tier.GENERAL)


def test_hr_2_arriving_after_the_morning_is_half_a_day_absent(wf):
    record = clock_in(wf.rep, at(MON, 12, 0))
    assert record.late_tier == Tier.HALF_DAY
    record = clock_out(wf.rep, at(MON, 13, 0))
    assert record.early_tier == Tier.HALF_DAY


def test_hr_1_no_clock_in_expected_on_a_holiday(wf):
    holiday = dt.date(2025, 4, 4)  # 清明 (a Friday)
    CalendarDay.objects.create(date=holiday, kind=CalendarDay.Kind.HOLIDAY, name="清明节")
    record = clock_in(wf.rep, at(holiday, 10, 30))
    assert not record.is_workday and record.late_tier == Tier.NONE
    with time_machine.travel(at(dt.date(2025, 4, 7), 8), tick=False):
        row = selectors.attendance_sheet(fresh(wf.director), dt.date(2025, 4, 1), [wf.teammate])[0]
    assert row.expected_days == 3  # 1–3 April; the 4th is a holiday
    assert row.absent_days == 3


def test_hr_2_a_tiaoxiu_saturday_is_a_working_day(wf):
    saturday = dt.date(2025, 2, 8)
    CalendarDay.objects.create(date=saturday, kind=CalendarDay.Kind.WORKDAY, name="春节调休")
    record = clock_in(wf.rep, at(saturday, 9, 30))
    assert record.is_workday and record.late_tier == Tier.GENERAL
    with time_machine.travel(at(dt.date(2025, 2, 10), 8), tick=False):
        row = selectors.attendance_sheet(fresh(wf.director), dt.date(2025, 2, 1), [wf.rep])[0]
    assert row.expected_days == 6  # Mon 3 – Fri 7 and the 调休 Saturday
    assert row.present_days == 1 and row.general == 1


def test_hr_2_monthly_sheet_lists_deductions_with_their_clause(wf):
    for n in range(4):  # three minor, then general
        day = MON + dt.timedelta(days=n)
        clock_in(wf.rep, at(day, 9, 5))
        clock_out(wf.rep, at(day, 18))
    # Friday 7 March: no clock-in at all → a day absent
    with time_machine.travel(at(dt.date(2025, 3, 10), 8), tick=False):
        rows = selectors.attendance_sheet(fresh(wf.head), dt.date(2025, 3, 1), [wf.rep])
    row = rows[0]
    assert (row.minor, row.general, row.absent_days, row.present_days) == (3, 1, 1, 4)
    amounts = {d.label: d for d in row.deductions}
    assert all(d.clause == "HR-2" for d in row.deductions)
    assert sorted(d.amount for d in row.deductions if d.amount is not None) == [50, 60]
    assert row.fixed_total == 110
    assert row.terminate and any(d.bonus_pct == 100 for d in amounts.values())


def test_hr_2_half_day_deducts_the_configured_share_and_warns(wf):
    clock_in(wf.rep, at(MON, 12, 10))
    clock_out(wf.rep, at(MON, 18))
    with time_machine.travel(at(MON + dt.timedelta(days=1), 8), tick=False):
        row = selectors.attendance_sheet(fresh(wf.director), MON, [wf.rep])[0]
    assert row.half_days == 1 and row.warning and not row.terminate
    assert [d.bonus_pct for d in row.deductions] == [50]


def test_hr_2_sheet_scope_staff_own_head_department_hr_all(wf):
    assert list(selectors.visible_people(fresh(wf.rep))) == [wf.rep]
    head_sees = set(selectors.visible_people(fresh(wf.head)))
    assert {wf.head, wf.rep, wf.teammate} <= head_sees and wf.other_rep not in head_sees
    hr_sees = set(selectors.visible_people(fresh(wf.hr)))
    assert {wf.rep, wf.other_rep, wf.head, wf.director} <= hr_sees
    assert list(selectors.visible_people(fresh(wf.resource_director))) == [wf.resource_director]


def test_hr_2_correction_by_approved_request_keeps_the_original(wf):
    clock_in(wf.rep, at(MON, 9, 30))
    with time_machine.travel(at(MON, 10), tick=False):
        correction = attendance.correction_request(
            actor=fresh(wf.rep), day=MON, clock_in=at(MON, 8, 58), clock_out=None, reason="门禁故障"
        )
    record = AttendanceRecord.objects.get(person=wf.rep, day=MON)
    assert record.clock_in == at(MON, 9, 30) and record.late_tier == Tier.GENERAL  # unchanged until approved
    assert waiting_for(correction, "attendance_correction") == wf.head
    approve(wf.head, correction, "attendance_correction")
    record.refresh_from_db()
    correction.refresh_from_db()
    assert record.clock_in == at(MON, 8, 58) and record.late_tier == Tier.NONE and record.corrected
    assert correction.status == AttendanceCorrection.Status.APPROVED
    assert correction.original_clock_in == at(MON, 9, 30)
    assert record.history.filter(clock_in=at(MON, 9, 30)).exists()


def test_hr_2_correction_that_changes_nothing_is_refused(wf):
    clock_in(wf.rep, at(MON, 9, 30))
    with pytest.raises(BusinessError) as error:
        attendance.correction_request(actor=fresh(wf.rep), day=MON, clock_in=None, clock_out=None, reason="x")
    assert error.value.code == "workforce.nothing_to_correct"
    assert not AttendanceCorrection.objects.exists()


def test_hr_1_clock_page_has_one_big_button_and_clocks(wf, client):
    client.force_login(wf.rep)
    page = client.get("/workforce/")
    assert page.status_code == 200 and b'data-testid="clock-button"' in page.content
    with time_machine.travel(at(MON, 8, 50), tick=False):
        response = client.post("/workforce/clock/")
    assert response.status_code == 302
    assert AttendanceRecord.objects.get(person=wf.rep).clock_in == at(MON, 8, 50)
    with time_machine.travel(at(MON, 10), tick=False):
        sheet = client.get("/workforce/sheet/?month=2025-03")
    assert sheet.status_code == 200 and [r.person for r in sheet.context["rows"]] == [wf.rep]


def test_prf_1_sheet_shows_the_month_grade_to_whoever_may_see_the_evaluation(wf):
    from yingxiao.performance.models import Evaluation, Grade

    clock_in(wf.rep, at(MON, 9, 5))
    Evaluation.objects.create(
        person=wf.rep,
        month=dt.date(2025, 3, 1),
        department=wf.domestic,
        status=Evaluation.Status.FINAL,
        score="85.00",
        grade=Grade.GOOD,
    )
    Evaluation.objects.create(  # another month: not on March's sheet
        person=wf.teammate, month=dt.date(2025, 2, 1), department=wf.domestic, status="final", score=50, grade="fail"
    )
    with time_machine.travel(at(dt.date(2025, 3, 10), 8), tick=False):
        rows = selectors.attendance_sheet(fresh(wf.director), dt.date(2025, 3, 1), [wf.rep, wf.teammate])
        selectors.attach_evaluations(fresh(wf.director), dt.date(2025, 3, 1), rows)
    assert rows[0].evaluation.grade == Grade.GOOD and rows[1].evaluation is None
    # ORG-5: a reader outside the rep's scope gets no grade even when handed the row.
    selectors.attach_evaluations(fresh(wf.other_rep), dt.date(2025, 3, 1), rows)
    assert rows[0].evaluation is None


def test_prf_1_sheet_page_links_the_grade_to_the_evaluation(wf, client):
    from yingxiao.performance.models import Evaluation, Grade

    evaluation = Evaluation.objects.create(
        person=wf.rep,
        month=dt.date(2025, 3, 1),
        department=wf.domestic,
        status="final",
        score=92,
        grade=Grade.EXCELLENT,
    )
    client.force_login(wf.director)
    with time_machine.travel(at(dt.date(2025, 3, 10), 8), tick=False):
        page = client.get(f"/workforce/sheet/?month=2025-03&department={wf.domestic.pk}")
    assert page.status_code == 200
    assert f'href="/performance/evaluations/{evaluation.pk}/"' in page.content.decode()
