"""HR-7 work reports (deadlines, the daily-summary pre-fill, the late-report sweep) and HR-8
(submitted to the superior and acknowledged by them, both stamped to the minute)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.factories import ActivityFactory, CustomerFactory
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import CalendarDay, Notification
from yingxiao.performance.models import Violation
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import run_sweep
from yingxiao.workforce import reports
from yingxiao.workforce.models import Leave, WorkReport

from .conftest import at, fresh

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 3, 3)
SAT = dt.date(2025, 3, 8)
PLAN = WorkReport.Kind.DAILY_PLAN
SUMMARY = WorkReport.Kind.DAILY_SUMMARY


def submit(user, moment, kind=PLAN, day=None, content="拜访甲公司, 跟进报价"):
    with time_machine.travel(moment, tick=False):
        return reports.report_submit(actor=fresh(user), kind=kind, day=day or moment.date(), content=content)


def due(kind, day):
    start, end = reports.period_of(kind, day)
    return reports.Deadlines.load().due(kind, start, end)


# --- deadlines ----------------------------------------------------------------------------------
def test_hr_7_daily_deadlines_come_from_the_policy():
    assert due(PLAN, MON) == at(MON, 9, 30)
    assert due(SUMMARY, MON) == at(MON, 19, 0)


def test_hr_7_weekly_report_is_due_saturday_and_a_holiday_moves_it_to_the_next_working_day():
    assert due(WorkReport.Kind.WEEKLY, dt.date(2025, 3, 5)) == at(SAT, 18, 0)
    CalendarDay.objects.create(date=SAT, kind=CalendarDay.Kind.HOLIDAY, name="假日")
    assert due(WorkReport.Kind.WEEKLY, dt.date(2025, 3, 5)) == at(dt.date(2025, 3, 10), 18, 0)


def test_hr_7_monthly_report_counts_working_days_across_a_holiday():
    # September 2025 ends on a Tuesday; 1–8 October is the National Day holiday.
    assert due(WorkReport.Kind.MONTHLY, dt.date(2025, 8, 15)) == at(dt.date(2025, 9, 3), 19, 0)
    for n in range(1, 9):
        CalendarDay.objects.create(date=dt.date(2025, 10, n), kind=CalendarDay.Kind.HOLIDAY, name="国庆")
    assert due(WorkReport.Kind.MONTHLY, dt.date(2025, 9, 30)) == at(dt.date(2025, 10, 13), 19, 0)
    assert due(WorkReport.Kind.QUARTERLY, dt.date(2025, 8, 1)) == at(dt.date(2025, 10, 13), 19, 0)
    assert reports.period_of(WorkReport.Kind.QUARTERLY, dt.date(2025, 8, 1)) == (
        dt.date(2025, 7, 1),
        dt.date(2025, 9, 30),
    )


def test_hr_7_daily_reports_are_owed_on_working_days_only():
    holiday, tiaoxiu = dt.date(2025, 4, 4), dt.date(2025, 4, 27)  # 清明 (Fri), 调休 (Sun)
    CalendarDay.objects.create(date=holiday, kind=CalendarDay.Kind.HOLIDAY, name="清明节")
    CalendarDay.objects.create(date=tiaoxiu, kind=CalendarDay.Kind.WORKDAY, name="调休")
    deadlines = reports.Deadlines.load()

    def daily_kinds(day):
        found = deadlines.periods_due_between(at(day, 0), at(day, 23, 59))
        return {kind for kind, start, _due in found if start == day}

    assert daily_kinds(holiday) == set()
    assert daily_kinds(dt.date(2025, 4, 6)) == set()  # an ordinary Sunday
    assert daily_kinds(tiaoxiu) == {PLAN, SUMMARY}


# --- HR-8 submission and acknowledgement ---------------------------------------------------------
def test_hr_8_report_goes_to_the_superior_stamped_to_the_minute(wf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(wf.rep, at(MON, 9, 12) + dt.timedelta(seconds=41))
    assert report.submitted_at == at(MON, 9, 12) and not report.is_late
    assert report.recipient == wf.head and report.due_at == at(MON, 9, 30)
    assert Notification.objects.filter(recipient=wf.head, link=f"/workforce/reports/{report.pk}/").exists()
    late = submit(wf.rep, at(MON, 19, 1), kind=SUMMARY)
    assert late.is_late


def test_hr_8_only_the_recipient_acknowledges_to_the_minute(wf):
    report = submit(wf.rep, at(MON, 9, 5))
    for other in (wf.teammate, wf.director, wf.rep):
        with pytest.raises(BusinessError) as error:
            reports.report_acknowledge(actor=fresh(other), report=report)
        assert error.value.code == "workforce.not_recipient"
    report.refresh_from_db()
    assert report.status == WorkReport.Status.SUBMITTED and report.acknowledged_at is None
    with time_machine.travel(at(MON, 10, 5) + dt.timedelta(seconds=59), tick=False):
        report = reports.report_acknowledge(actor=fresh(wf.head), report=report, comment="好")
    assert report.acknowledged_at == at(MON, 10, 5) and report.acknowledged_by == wf.head
    with pytest.raises(BusinessError) as error:
        reports.report_acknowledge(actor=fresh(wf.head), report=report)
    assert error.value.code == "workforce.already_acknowledged"


def test_hr_7_bad_input_is_refused_and_changes_nothing(wf):
    submit(wf.rep, at(MON, 9))
    cases = [
        ({"kind": PLAN, "day": MON}, "workforce.already_submitted"),
        ({"kind": SUMMARY, "day": MON + dt.timedelta(days=1)}, "workforce.future_period"),
        ({"kind": PLAN, "day": dt.date(2025, 3, 9)}, "workforce.not_a_workday"),  # a Sunday
        ({"kind": "hourly", "day": MON}, "workforce.bad_value"),
    ]
    for kwargs, code in cases:
        with time_machine.travel(at(MON, 10), tick=False), pytest.raises(BusinessError) as error:
            reports.report_submit(actor=fresh(wf.rep), content="x", **kwargs)
        assert error.value.code == code
    with time_machine.travel(at(MON, 10), tick=False), pytest.raises(BusinessError) as error:
        reports.report_submit(actor=fresh(wf.rep), kind=SUMMARY, day=MON, content="   ")
    assert error.value.code == "workforce.required"
    assert WorkReport.objects.count() == 1
    with pytest.raises(BusinessError) as error:
        reports.reports_between(fresh(wf.head), MON, MON - dt.timedelta(days=1))
    assert error.value.code == "workforce.bad_dates"


# --- the daily summary pre-fill -------------------------------------------------------------------
def _call(agent, moment, outcome):
    from yingxiao.telesales.models import CallEntry, CallList, CallLog

    call_list = CallList.objects.create(name="名单", owner=agent, created_by=agent)
    entry = CallEntry.objects.create(call_list=call_list, name="王先生", phone="13900000000", agent=agent, row_number=1)
    return CallLog.objects.create(entry=entry, agent=agent, started_at=moment, outcome=outcome)


def _quote(owner, customer, moment, number):
    from yingxiao.sales.models import Quote

    with time_machine.travel(moment, tick=False):
        return Quote.objects.create(number=number, customer=customer, owner=owner, total=Decimal("12800.00"))


def test_hr_7_daily_summary_is_prefilled_from_the_persons_own_records_of_the_day(wf):
    customer = CustomerFactory(name="甲公司", owner=wf.rep, department=wf.domestic)
    ActivityFactory(customer=customer, staff=wf.rep, subject="上门演示", occurred_at=at(MON, 10, 30))
    ActivityFactory(
        customer=customer, staff=wf.rep, subject="昨天的电话", occurred_at=at(MON, 0, 0) - dt.timedelta(minutes=1)
    )
    ActivityFactory(customer=customer, staff=wf.teammate, subject="同事的拜访", occurred_at=at(MON, 11))
    _call(wf.rep, at(MON, 14), "intent_a")
    _call(wf.rep, at(MON, 14, 30), "no_answer")
    _call(wf.teammate, at(MON, 15), "deal")
    _quote(wf.rep, customer, at(MON, 16), "Q-1")
    _quote(wf.rep, customer, at(MON - dt.timedelta(days=1), 16), "Q-0")

    digest = reports.daily_summary_prefill(fresh(wf.rep), MON)

    assert [a["subject"] for a in digest.activities] == ["上门演示"]
    assert len(digest.calls) == 2 and digest.connected_calls == 1
    assert [q["number"] for q in digest.quotes] == ["Q-1"] and digest.quotes[0]["total"] == Decimal("12800.00")
    text = digest.as_text()
    assert "上门演示" in text and "甲公司" in text and "Q-1" in text
    assert "同事的拜访" not in text and "Q-0" not in text and "昨天的电话" not in text


def test_hr_7_daily_summary_page_starts_from_the_prefill(wf, client):
    customer = CustomerFactory(name="乙公司", owner=wf.rep, department=wf.domestic)
    ActivityFactory(customer=customer, staff=wf.rep, subject="电话回访", occurred_at=at(MON, 10))
    client.force_login(wf.rep)
    with time_machine.travel(at(MON, 18), tick=False):
        page = client.get("/workforce/reports/?kind=daily_summary")
        assert page.status_code == 200 and "电话回访" in page.context["form"].initial["content"]
        response = client.post("/workforce/reports/", {"kind": SUMMARY, "day": "2025-03-03", "content": "总结"})
    assert response.status_code == 302
    assert WorkReport.objects.get(person=wf.rep).kind == SUMMARY


# --- the sweep: reminder, then violation ----------------------------------------------------------
def _violations(person, day=MON, kind=Violation.Kind.OWN):
    """HR-7 violations of ``person`` for the daily reports of ``day`` (the sweep also looks a week back)."""
    return Violation.objects.filter(person=person, rule_id="HR-7", kind=kind, breach_key__contains=f":{day}")


def test_hr_7_reminder_before_the_deadline_then_a_violation_and_the_superior_pays_double(wf):
    submit(wf.teammate, at(MON, 8, 50))
    with time_machine.travel(at(MON, 8, 40), tick=False):
        run_sweep("HR-7r", as_of=at(MON, 8, 40))
    reminded = set(Notification.objects.filter(message__contains="HR-7r").values_list("recipient", flat=True))
    assert wf.rep.pk in reminded and wf.teammate.pk not in reminded
    with time_machine.travel(at(MON, 9, 45), tick=False):
        run_sweep("HR-7", as_of=at(MON, 9, 45))
    own = _violations(wf.rep).get()  # the plan; the summary is not due yet
    assert own.amount == Decimal("50.00") and "daily_plan" in own.breach_key
    # rule: DIS-1 — the rep is frontline: the head pays double (乐捐加倍).
    share = Violation.objects.get(origin=own, kind=Violation.Kind.SUPERVISOR)
    assert share.person == wf.head and share.amount == Decimal("100.00")
    assert not _violations(wf.teammate).exists()


def test_hr_7_sweeps_are_idempotent(wf):
    with time_machine.travel(at(MON, 20), tick=False):
        first = run_sweep("HR-7", as_of=at(MON, 20))
        again = run_sweep("HR-7", as_of=at(MON, 20, 30))
    assert first.recorded > 0 and again.recorded == 0 and again.applied == 0
    assert _violations(wf.rep).count() == 2  # the plan and the summary, once each
    assert RuleResult.objects.filter(rule_id="HR-7", person=wf.rep, breach_key__contains=f":{MON}").count() == 2


def test_hr_7_late_submission_is_still_a_violation_on_time_is_not(wf):
    submit(wf.rep, at(MON, 9, 29))
    submit(wf.teammate, at(MON, 9, 31))
    with time_machine.travel(at(MON, 12), tick=False):
        run_sweep("HR-7", as_of=at(MON, 12))
    assert not _violations(wf.rep).exists()
    late = _violations(wf.teammate).get()
    assert late.object_id == WorkReport.objects.get(person=wf.teammate).pk


def test_hr_7_no_daily_report_is_owed_on_approved_leave(wf):
    Leave.objects.create(
        person=wf.rep, department=wf.domestic, kind="annual", requested_kind="annual", start_date=MON,
        end_date=MON, days=1, reason="年假", handover=wf.teammate, status=Leave.Status.APPROVED,
    )  # fmt: skip
    with time_machine.travel(at(MON, 20), tick=False):
        run_sweep("HR-7", as_of=at(MON, 20))
    assert not _violations(wf.rep).exists() and _violations(wf.teammate).count() == 2


def test_hr_7_people_without_the_obligation_owe_nothing(wf):
    with time_machine.travel(at(MON, 20), tick=False):
        run_sweep("HR-7", as_of=at(MON, 20))
    assert not Violation.objects.filter(person=wf.admin, rule_id="HR-7").exists()
    assert Violation.objects.filter(person=wf.rep, rule_id="HR-7", kind=Violation.Kind.OWN).count() > 2


# --- scope (ORG-5) ----------------------------------------------------------------------------------
def test_hr_8_scope_a_rep_cannot_see_anothers_report(wf, client):
    report = submit(wf.teammate, at(MON, 9))
    client.force_login(wf.rep)
    assert client.get(f"/workforce/reports/{report.pk}/").status_code == 404
    assert client.post(f"/workforce/reports/{report.pk}/", {"comment": ""}).status_code == 404
    client.force_login(wf.other_rep)
    assert client.get(f"/workforce/reports/{report.pk}/").status_code == 404
    client.force_login(wf.head)
    with time_machine.travel(at(MON, 12), tick=False):
        inbox = client.get("/workforce/reports/team/?from=2025-03-01&to=2025-03-31")
        assert [r.pk for r in inbox.context["reports"]] == [report.pk]
        response = client.post(f"/workforce/reports/{report.pk}/", {"comment": "收到"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.acknowledged_at == at(MON, 12)
    assert client.get("/workforce/reports/team/?from=2025-03-31&to=2025-03-01").status_code == 400


def test_hr_8_api_scope_and_acknowledgement(wf, api_as):
    report = submit(wf.teammate, at(MON, 9))
    assert api_as("rep").get(f"/api/v1/work-reports/{report.pk}/").status_code == 404
    assert report.pk not in {r["id"] for r in api_as("rep").get("/api/v1/work-reports/").json()["results"]}
    response = api_as("director").post(f"/api/v1/work-reports/{report.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "workforce.not_recipient"
    with time_machine.travel(at(MON, 9, 40), tick=False):
        response = api_as("head").post(f"/api/v1/work-reports/{report.pk}/acknowledge/", {}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "acknowledged"
        response = api_as("rep").post(
            "/api/v1/work-reports/", {"kind": "daily_plan", "day": "2025-03-03", "content": "计划"}, format="json"
        )
    assert response.status_code == 201 and response.json()["is_late"] is True


def test_hr_7_nothing_is_owed_for_the_days_before_someone_joined(wf):
    wf.rep.date_joined = at(MON, 10)
    wf.rep.save()
    with time_machine.travel(at(MON + dt.timedelta(days=1), 20), tick=False):
        run_sweep("HR-7", as_of=at(MON + dt.timedelta(days=1), 20))
    keys = set(Violation.objects.filter(person=wf.rep, rule_id="HR-7", kind="own").values_list("breach_key", flat=True))
    assert keys and all("2025-03-04" in key for key in keys)  # only the day after joining
