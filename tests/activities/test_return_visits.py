"""ACT-2 return visits (due dates, reminders, overdue list, punctuality) and ACT-3 (SMS streak)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CustomerFactory
from yingxiao.activities import errors
from yingxiao.activities.models import Activity
from yingxiao.activities.return_visits import DueStatus, due_rows, return_visit_punctuality, return_visits_due
from yingxiao.activities.services import activity_log
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.customers.models import Customer
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import run_sweep

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SH)  # 30 days later is 2027-03-31


def at(days: int, hour: int = 10) -> dt.datetime:
    return T0.replace(hour=hour) + dt.timedelta(days=days)


def deal_customer(owner, department, name="回访客户", when=T0):
    with time_machine.travel(when, tick=False):
        return CustomerFactory(name=name, owner=owner, department=department, stage=Customer.Stage.DEAL)


def log(actor, customer, when, kind=Activity.Kind.CALL, return_visit=True, **extra):
    with time_machine.travel(when, tick=False):
        return activity_log(
            actor=actor,
            customer=customer,
            kind=kind,
            occurred_at=when,
            subject="回访",
            result="满意",
            is_return_visit=return_visit,
            **extra,
        )


def due_list(actor, day):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=SH), tick=False):
        return {r.customer.pk: r for r in due_rows(return_visits_due(actor), today=day)}


# --- ACT-2: due date boundaries -------------------------------------------------------------


def test_act_2_return_visit_due_30_days_after_the_last_one_overdue_on_day_31(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    log(personas.rep, customer, T0)
    lead = 3
    assert customer.pk not in due_list(personas.rep, at(30 - lead - 1).date())  # not yet within the lead time
    day_29 = due_list(personas.rep, at(29).date())[customer.pk]
    assert (day_29.due, day_29.is_overdue) == (dt.date(2027, 3, 31), False)
    day_30 = due_list(personas.rep, at(30).date())[customer.pk]
    assert (day_30.is_overdue, day_30.days_overdue) == (False, 0)  # the due day itself is on time
    day_31 = due_list(personas.rep, at(31).date())[customer.pk]
    assert (day_31.is_overdue, day_31.days_overdue) == (True, 1)


def test_act_2_a_customer_without_return_visit_is_due_30_days_after_becoming_a_deal(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    assert due_list(personas.rep, at(30).date())[customer.pk].due == dt.date(2027, 3, 31)
    prospect = CustomerFactory(owner=personas.rep, department=personas.domestic)  # not transacted: never due
    assert prospect.pk not in due_list(personas.rep, at(200).date())


def test_act_2_overdue_list_is_scoped_to_the_actor(personas):
    mine = deal_customer(personas.rep, personas.domestic, "甲")
    theirs = deal_customer(personas.other_rep, personas.international, "乙")
    day = at(40).date()
    assert set(due_list(personas.rep, day)) == {mine.pk}
    assert set(due_list(personas.other_rep, day)) == {theirs.pk}
    assert set(due_list(personas.director, day)) == {mine.pk, theirs.pk}


# --- ACT-2: the reminder rule ---------------------------------------------------------------


def test_act_2_reminder_is_sent_lead_days_before_due_once_per_due_date(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    log(personas.rep, customer, T0)
    assert run_sweep("ACT-2", as_of=at(26)).found == 0  # due 03-31, lead 3 → from 03-28
    preview = run_sweep("ACT-2", as_of=at(27), dry_run=True)
    assert preview.found == 1 and RuleResult.objects.count() == 0
    assert Notification.objects.filter(recipient=personas.rep, message__contains="ACT-2").count() == 0
    applied = run_sweep("ACT-2", as_of=at(27))
    assert (applied.found, applied.recorded, applied.applied) == (1, 1, 1)
    assert {p.breach_key for p in preview.runs[0].previews} == {f"{customer.pk}:2027-03-31"}
    # the same due date, swept again the next days (also when overdue): no second reminder
    for day in (28, 30, 31, 35):
        assert run_sweep("ACT-2", as_of=at(day)).recorded == 0
    note = Notification.objects.get(recipient=personas.rep, message__contains="ACT-2")
    assert "2027-03-31" in note.message and customer.name in note.message


def test_act_2_a_new_return_visit_moves_the_due_date_and_the_next_reminder(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    log(personas.rep, customer, T0)
    run_sweep("ACT-2", as_of=at(28))
    log(personas.rep, customer, at(29))
    assert run_sweep("ACT-2", as_of=at(31)).found == 0  # now due 2027-04-29
    later = run_sweep("ACT-2", as_of=at(56))
    assert later.recorded == 1
    assert RuleResult.objects.filter(rule_id="ACT-2").order_by("pk").last().breach_key.endswith("2027-04-29")


def test_act_2_reminder_found_earlier_is_skipped_when_the_visit_happened_meanwhile(personas):
    from yingxiao.activities.rules import ReturnVisitDue
    from yingxiao.policy.registry import Finding

    customer = deal_customer(personas.rep, personas.domestic)
    log(personas.rep, customer, T0)
    finding = Finding(subject_id=customer.pk, key="2027-03-31", person_id=personas.rep.pk, as_of=at(28))
    log(personas.rep, customer, at(29))
    assert ReturnVisitDue().apply_batch([finding]) == [False]


# --- ACT-2: punctuality (回访及时率) -----------------------------------------------------------


def test_act_2_punctuality_per_person_and_department_with_the_records_behind_it(personas):
    on_time = deal_customer(personas.rep, personas.domestic, "准时")
    late = deal_customer(personas.rep, personas.domestic, "迟到")
    deal_customer(personas.teammate, personas.domestic, "未回访")
    log(personas.rep, on_time, at(30, hour=17))  # due 03-31, visited on the day
    log(personas.rep, late, at(31))  # one day late
    with time_machine.travel(at(45), tick=False):
        report = return_visit_punctuality(personas.director, dt.date(2027, 3, 1))
    assert (report.total.due, report.total.on_time, report.total.rate) == (3, 1, Decimal("0.3333"))
    statuses = {item.customer_name: item.status for item in report.items}
    assert statuses == {"准时": DueStatus.ON_TIME, "迟到": DueStatus.LATE, "未回访": DueStatus.OVERDUE}
    people = {row.key: (row.due, row.on_time, row.meets_target) for row in report.by_person}
    assert people == {personas.rep.pk: (2, 1, False), personas.teammate.pk: (1, 0, False)}
    with time_machine.travel(at(45), tick=False):
        only_on_time = return_visit_punctuality(personas.director, dt.date(2027, 3, 1), department_id=None)
    assert only_on_time.total.meets_target is False
    assert [(row.key, row.due) for row in report.by_department] == [(personas.domestic.pk, 3)]
    assert report.target == 1  # 100 %
    with time_machine.travel(at(45), tick=False):
        on_time_only = return_visit_punctuality(personas.director, dt.date(2027, 3, 1), person_id=personas.rep.pk)
    assert [i.customer_name for i in on_time_only.items if i.on_time] == ["准时"]
    with time_machine.travel(at(45), tick=False):
        own = return_visit_punctuality(personas.rep, dt.date(2027, 3, 1))
    assert own.total.due == 2  # scoped: the rep sees only their customers


def test_act_2_punctuality_counts_a_missed_period_and_ignores_what_is_not_yet_due(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    with time_machine.travel(at(75), tick=False):  # 05-15: due 03-31 missed (window closed 04-30), 04-30 overdue
        march = return_visit_punctuality(personas.rep, dt.date(2027, 3, 1))
        april = return_visit_punctuality(personas.rep, dt.date(2027, 4, 1))
        may = return_visit_punctuality(personas.rep, dt.date(2027, 5, 1))
    assert [i.status for i in march.items] == [DueStatus.MISSED]
    assert [(i.due, i.status) for i in april.items] == [(dt.date(2027, 4, 30), DueStatus.OVERDUE)]
    assert may.total.due == 0 and may.total.rate is None
    assert customer.pk == march.items[0].customer_id


# --- ACT-3: SMS streak ------------------------------------------------------------------------


def test_act_3_sms_return_visits_count_until_the_streak_then_stop(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    smses = [log(personas.rep, customer, at(n), kind=Activity.Kind.SMS) for n in range(4)]
    for sms in smses:
        sms.refresh_from_db()
    # N = 3: the 2nd (N-1) still counts, the 3rd (N) and the 4th (N+1) do not
    assert [(s.sms_streak, s.return_visit_counts) for s in smses] == [(1, True), (2, True), (3, False), (4, False)]
    # the last counted return visit is the 2nd SMS (03-02): due 30 days after it, not after the 4th
    assert due_list(personas.rep, at(31).date())[customer.pk].due == dt.date(2027, 4, 1)


def test_act_3_a_call_breaks_the_streak_even_when_logged_late(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    for n in (0, 2, 4):
        log(personas.rep, customer, at(n), kind=Activity.Kind.SMS)
    third = Activity.objects.get(customer=customer, occurred_at=at(4))
    assert not third.return_visit_counts
    log(personas.rep, customer, at(3), kind=Activity.Kind.CALL)  # a call on day 3, entered afterwards
    third.refresh_from_db()
    assert (third.sms_streak, third.return_visit_counts) == (1, True)
    after = log(personas.rep, customer, at(5), kind=Activity.Kind.SMS)
    after.refresh_from_db()
    assert (after.sms_streak, after.return_visit_counts) == (2, True)


def test_act_3_sms_that_is_not_a_return_visit_does_not_touch_the_streak(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    plain = log(personas.rep, customer, at(1), kind=Activity.Kind.SMS, return_visit=False)
    plain.refresh_from_db()
    assert (plain.sms_streak, plain.return_visit_counts) == (0, False)


def test_act_3_staff_is_reminded_once_of_each_invalid_sms_return_visit(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    for n in range(3):
        log(personas.rep, customer, at(n), kind=Activity.Kind.SMS)
    assert run_sweep("ACT-3", as_of=at(3), dry_run=True).found == 1
    assert RuleResult.objects.count() == 0
    assert run_sweep("ACT-3", as_of=at(3)).applied == 1
    assert run_sweep("ACT-3", as_of=at(4)).recorded == 0
    note = Notification.objects.get(recipient=personas.rep, message__contains="ACT-3")
    assert customer.name in note.message


def test_act_2_a_message_taken_cannot_be_a_return_visit(personas):
    customer = deal_customer(personas.rep, personas.domestic)
    with pytest.raises(BusinessError) as caught:
        log(personas.rep, customer, at(1), kind=Activity.Kind.MESSAGE, caller_name="王", caller_contact="139")
    assert caught.value.error == errors.RETURN_VISIT_KIND
    assert not Activity.objects.exists()


def test_act_2_return_visit_via_api_and_the_pages(personas, api_as, client):
    customer = deal_customer(personas.rep, personas.domestic)
    with time_machine.travel(at(1), tick=False):
        response = api_as("rep").post(
            "/api/v1/activities/",
            {
                "customer": customer.pk,
                "kind": "call",
                "occurred_at": at(1).isoformat(),
                "subject": "回访",
                "is_return_visit": True,
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["is_return_visit"] and response.json()["return_visit_counts"]
    with time_machine.travel(at(40), tick=False):
        client.force_login(personas.rep)
        page = client.get(reverse("activities:return_visits"))
        assert page.status_code == 200 and customer.name in page.content.decode()
        rates = client.get(reverse("activities:punctuality"), {"month": "2027-03"})
        assert rates.status_code == 200 and 'data-testid="punctuality-items"' in rates.content.decode()
        assert client.get(reverse("activities:punctuality"), {"month": "2027-13"}).status_code == 400
        api = api_as("rep").get("/api/v1/return-visits/due/")
        assert api.status_code == 200 and api.json()[0]["customer"] == customer.pk
        api = api_as("rep").get("/api/v1/return-visits/punctuality/", {"month": "2027-04"})
        assert api.status_code == 200 and api.json()["total"]["due"] == 1
