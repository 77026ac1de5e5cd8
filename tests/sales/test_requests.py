"""QUO-1: non-standard quotes go to the market department's quoting engineer and are due within
``{nonstandard_quote_hours}`` working hours on the business calendar — reminder before, violation after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yingxiao.core.errors import BusinessError
from yingxiao.core.models import CalendarDay, Notification
from yingxiao.performance.models import Violation
from yingxiao.policy.registry import run_sweep
from yingxiao.sales import services
from yingxiao.sales.models import Quote, QuoteLine, QuoteRequest

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
# Friday 2025-03-07 17:00: one working hour left that day (the day ends at 18:00).
FRIDAY_5PM = dt.datetime(2025, 3, 7, 17, 0, tzinfo=SH)


def _request(world, customer, when=FRIDAY_5PM):
    with time_machine.travel(when, tick=False):
        return services.quote_request_create(
            actor=world.p.rep, customer=customer, product=world.product.pk, quantity="2", configuration="加长导轨 3 米"
        )


def test_quo_1_request_goes_to_the_quoting_engineer_with_a_working_hour_deadline(
    world, rep_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = _request(world, rep_customer)
    assert request.assignee == world.quoter
    # 17:00–18:00 Friday (1 h) + Monday 09:00–12:00 (3 h) + 13:30–17:30 (4 h) = 8 working hours.
    assert request.due_at == dt.datetime(2025, 3, 10, 17, 30, tzinfo=SH)
    assert Notification.objects.filter(recipient=world.quoter).exists()


def test_quo_1_friday_5pm_over_a_weekend_and_a_monday_holiday_is_due_tuesday_afternoon(world, rep_customer):
    CalendarDay.objects.create(date=dt.date(2025, 3, 10), kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    request = _request(world, rep_customer)
    due = request.due_at.astimezone(SH)
    assert due == dt.datetime(2025, 3, 11, 17, 30, tzinfo=SH)
    assert 9 <= due.hour < 18  # due when people are at work, never at night


def test_quo_1_engineer_is_reminded_before_the_deadline_once(world, rep_customer):
    _request(world, rep_customer)  # due Monday 17:30; the lead time is 2 working hours
    reminders = Notification.objects.filter(recipient=world.quoter, message__contains="2025-03-10 17:30")
    run_sweep("QUO-1r", as_of=dt.datetime(2025, 3, 10, 14, 0, tzinfo=SH))  # 3.5 working hours left
    assert not reminders.exists()
    run_sweep("QUO-1r", as_of=dt.datetime(2025, 3, 10, 15, 30, tzinfo=SH))  # 2 working hours left
    run_sweep("QUO-1r", as_of=dt.datetime(2025, 3, 10, 16, 0, tzinfo=SH))  # same due time: not again
    assert reminders.count() == 1


def test_quo_1_breach_at_the_8_working_hour_boundary_is_one_violation_of_the_engineer(world, rep_customer):
    request = _request(world, rep_customer)
    run_sweep("QUO-1", as_of=dt.datetime(2025, 3, 10, 17, 29, tzinfo=SH))
    assert not Violation.objects.filter(rule_id="QUO-1").exists()
    run_sweep("QUO-1", as_of=dt.datetime(2025, 3, 10, 17, 31, tzinfo=SH))
    run_sweep("QUO-1", as_of=dt.datetime(2025, 3, 11, 9, 0, tzinfo=SH))  # swept again: still one
    violation = Violation.objects.get(rule_id="QUO-1", person=world.quoter)
    assert violation.amount == Decimal("50.00")
    assert violation.breach_key == f"QUO-1:request:{request.pk}"


def test_quo_1_answered_in_time_is_no_violation_and_makes_a_draft_quote_for_the_rep(world, rep_customer):
    request = _request(world, rep_customer)
    with time_machine.travel(dt.datetime(2025, 3, 10, 17, 0, tzinfo=SH), tick=False):
        answered = services.quote_request_answer(actor=world.quoter, request=request, unit_price="15800.00")
    run_sweep("QUO-1", as_of=dt.datetime(2025, 3, 12, 9, 0, tzinfo=SH))
    assert not Violation.objects.filter(rule_id="QUO-1").exists()
    quote = answered.quote
    assert quote.owner == world.p.rep and quote.status == Quote.Status.DRAFT
    line = QuoteLine.objects.get(revision__quote=quote)
    assert line.list_price == Decimal("15800.00") and line.amount == Decimal("31600.00")
    with pytest.raises(BusinessError) as caught:
        services.quote_request_answer(actor=world.quoter, request=request, unit_price="1")
    assert caught.value.code == "sales.request_answered"


def test_quo_1_answered_late_is_still_a_violation(world, rep_customer):
    request = _request(world, rep_customer)
    with time_machine.travel(dt.datetime(2025, 3, 11, 10, 0, tzinfo=SH), tick=False):
        services.quote_request_answer(actor=world.quoter, request=request, unit_price="15800")
    run_sweep("QUO-1", as_of=dt.datetime(2025, 3, 11, 11, 0, tzinfo=SH))
    assert Violation.objects.filter(rule_id="QUO-1", person=world.quoter).count() == 1


def test_quo_1_only_the_assigned_engineer_answers(world, rep_customer):
    request = _request(world, rep_customer)
    for user in (world.p.rep, world.p.director):
        with pytest.raises((BusinessError, Exception)):
            services.quote_request_answer(actor=user, request=request, unit_price="1")
    assert QuoteRequest.objects.get(pk=request.pk).is_open


def test_quo_1_without_a_quoting_engineer_the_request_is_refused(world, rep_customer):
    from yingxiao.org.models import Assignment

    Assignment.objects.filter(user=world.quoter).update(ended_on=dt.date(2020, 1, 1))
    with pytest.raises(BusinessError) as caught:
        _request(world, rep_customer)
    assert caught.value.code == "sales.no_quoter"
    assert not QuoteRequest.objects.exists()
