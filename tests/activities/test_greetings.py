"""CUS-12 birthday and holiday greetings reminded to the owner, greeting_lead_days ahead."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from tests.factories import ContactFactory, CustomerFactory
from yingxiao.activities.greetings import birthdays_between, holidays_between
from yingxiao.core.models import CalendarDay, Notification
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import run_sweep

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), tzinfo=SH)


@pytest.fixture
def customer(personas):
    return CustomerFactory(name="寿星公司", owner=personas.rep, department=personas.domestic)


def birthday_keys(as_of: dt.date) -> set[str]:
    result = run_sweep("CUS-12", as_of=morning(as_of), dry_run=True)
    return {p.breach_key for p in result.runs[0].previews if ":birthday:" in p.breach_key}


def test_cus_12_birthday_is_reminded_from_lead_days_before(personas, customer):
    contact = ContactFactory(customer=customer, name="王总", birthday=dt.date(1980, 6, 15))
    key = f"{personas.rep.pk}:birthday:{contact.pk}:2027-06-15"
    assert birthday_keys(dt.date(2027, 6, 11)) == set()  # 4 days before
    assert birthday_keys(dt.date(2027, 6, 12)) == {key}  # 3 days before (default lead)
    assert birthday_keys(dt.date(2027, 6, 15)) == {key}  # the day itself
    assert birthday_keys(dt.date(2027, 6, 16)) == set()


def test_cus_12_birthdays_across_month_and_year_ends(personas, customer):
    march = ContactFactory(customer=customer, birthday=dt.date(1990, 3, 1))
    new_year = ContactFactory(customer=customer, birthday=dt.date(1975, 1, 2))
    assert birthday_keys(dt.date(2027, 2, 26)) == {f"{personas.rep.pk}:birthday:{march.pk}:2027-03-01"}
    assert birthday_keys(dt.date(2027, 12, 30)) == {f"{personas.rep.pk}:birthday:{new_year.pk}:2028-01-02"}


def test_cus_12_a_29_february_birthday_is_greeted_on_the_28th_in_other_years(personas, customer):
    leap = ContactFactory(customer=customer, birthday=dt.date(1988, 2, 29))
    rows = birthdays_between(dt.date(2027, 2, 26), dt.date(2027, 3, 1))
    assert [(r["pk"], r["on"]) for r in rows] == [(leap.pk, dt.date(2027, 2, 28))]
    rows = birthdays_between(dt.date(2028, 2, 26), dt.date(2028, 3, 1))
    assert [(r["pk"], r["on"]) for r in rows] == [(leap.pk, dt.date(2028, 2, 29))]


def test_cus_12_contacts_of_unowned_or_archived_customers_are_not_reminded(personas):
    unowned = CustomerFactory(owner=None)
    archived = CustomerFactory(owner=personas.rep, is_archived=True)
    for owner in (unowned, archived):
        ContactFactory(customer=owner, birthday=dt.date(1980, 6, 15))
    assert birthdays_between(dt.date(2027, 6, 14), dt.date(2027, 6, 16)) == []


def test_cus_12_holidays_from_the_calendar_first_day_only_else_the_main_festivals(personas, customer):
    for offset in range(7):
        CalendarDay.objects.create(date=dt.date(2027, 10, 1) + dt.timedelta(days=offset), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=dt.date(2027, 9, 15), kind="holiday", name="中秋节")
    assert holidays_between(dt.date(2027, 9, 28), dt.date(2027, 10, 5)) == [(dt.date(2027, 10, 1), "国庆节")]
    # 2028 has no calendar yet: the built-in festivals stand in
    with translation.override("zh-hans"):
        assert holidays_between(dt.date(2028, 1, 24), dt.date(2028, 1, 27)) == [(dt.date(2028, 1, 26), "春节")]


def test_cus_12_dry_run_then_apply_reminds_each_owner_once(personas, customer, django_capture_on_commit_callbacks):
    contact = ContactFactory(customer=customer, name="王总", birthday=dt.date(1980, 10, 2))
    CalendarDay.objects.create(date=dt.date(2027, 10, 1), kind="holiday", name="国庆节")
    as_of = morning(dt.date(2027, 9, 29))
    preview = run_sweep("CUS-12", as_of=as_of, dry_run=True)
    assert preview.found == 2 and not RuleResult.objects.exists() and not Notification.objects.exists()
    applied = run_sweep("CUS-12", as_of=as_of)
    assert (applied.recorded, applied.applied) == (2, 2)
    assert {p.breach_key for p in preview.runs[0].previews} == set(
        RuleResult.objects.values_list("breach_key", flat=True)
    )
    for day in (30,):
        assert run_sweep("CUS-12", as_of=morning(dt.date(2027, 9, day))).recorded == 0
    notes = list(Notification.objects.filter(recipient=personas.rep).values_list("message", "link"))
    assert len(notes) == 2
    assert any("王总" in message for message, _link in notes) and any("国庆节" in message for message, _link in notes)
    assert contact.pk


def test_cus_12_greetings_page_lists_my_occasions(personas, customer, client):
    ContactFactory(customer=customer, name="王总", birthday=dt.date(1980, 6, 20))
    with time_machine.travel(morning(dt.date(2027, 6, 10)), tick=False):
        client.force_login(personas.rep)
        page = client.get(reverse("activities:greetings"))
        assert page.status_code == 200 and "王总" in page.content.decode()
        client.force_login(personas.other_rep)
        assert "王总" not in client.get(reverse("activities:greetings")).content.decode()
