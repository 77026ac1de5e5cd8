"""ACT-4 来人来电统计表: daily per team and person, monthly per team, scoped, exported safely."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import ActivityFactory, CustomerFactory
from yingxiao.activities.models import Activity
from yingxiao.activities.statistics import daily_statistics, monthly_statistics

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2027, 5, 10)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


def contacts(staff, customer, day, **kinds):
    """kinds: visit=2, call_in=1, call_out=1, letter=1, email=1."""
    spec = {
        "visit": (Activity.Kind.VISIT, "in"),
        "home_visit": (Activity.Kind.HOME_VISIT, "out"),
        "call_in": (Activity.Kind.CALL, "in"),
        "call_out": (Activity.Kind.CALL, "out"),
        "letter": (Activity.Kind.LETTER, "in"),
        "email": (Activity.Kind.EMAIL, "in"),
        "sms": (Activity.Kind.SMS, "out"),
    }
    for name, count in kinds.items():
        kind, direction = spec[name]
        for _n in range(count):
            ActivityFactory(customer=customer, staff=staff, kind=kind, direction=direction, occurred_at=at(day))


@pytest.fixture
def data(personas):
    domestic = CustomerFactory(owner=personas.rep, department=personas.domestic)
    intl = CustomerFactory(owner=personas.other_rep, department=personas.international)
    contacts(personas.rep, domestic, DAY, visit=2, home_visit=1, call_in=3, call_out=1, letter=1, email=2, sms=4)
    contacts(personas.teammate, domestic, DAY, call_in=1)
    contacts(personas.other_rep, intl, DAY, visit=1, email=1)
    contacts(personas.rep, domestic, DAY - dt.timedelta(days=1), visit=5)  # another day
    ActivityFactory(customer=domestic, staff=personas.rep, kind="visit", occurred_at=at(DAY, hour=23))  # 23:xx local
    return domestic, intl


def by_staff(stats):
    return {row.staff_id: row for row in stats.rows}


def test_act_4_daily_counts_per_team_and_person(personas, data):
    stats = daily_statistics(personas.director, start=DAY)
    rows = by_staff(stats)
    rep = rows[personas.rep.pk]
    assert (rep.visits, rep.inbound_calls, rep.outbound_calls, rep.letters, rep.emails) == (4, 3, 1, 1, 2)
    assert rep.team_id == personas.domestic.pk and rep.team == "国内部" and rep.day == DAY
    assert rows[personas.teammate.pk].inbound_calls == 1
    assert (rows[personas.other_rep.pk].team_id, rows[personas.other_rep.pk].visits) == (personas.international.pk, 1)
    assert stats.total.visits == 5 and stats.total.inbound_calls == 4


def test_act_4_statistics_are_one_aggregate_query_whatever_the_rows(personas, data, django_assert_max_num_queries):
    personas.director.has_perm("activities.view_activity")  # warm the permission cache
    with django_assert_max_num_queries(6):
        daily_statistics(personas.director, start=DAY)
    contacts(personas.rep, data[0], DAY, visit=30, call_in=30)
    with django_assert_max_num_queries(6):
        daily_statistics(personas.director, start=DAY)


def test_act_4_statistics_are_scoped_and_filtered_by_department(personas, data):
    assert set(by_staff(daily_statistics(personas.head, start=DAY))) == {personas.rep.pk, personas.teammate.pk}
    assert set(by_staff(daily_statistics(personas.other_rep, start=DAY))) == {personas.other_rep.pk}
    filtered = daily_statistics(personas.director, start=DAY, department_id=personas.international.pk)
    assert set(by_staff(filtered)) == {personas.other_rep.pk}
    centre = daily_statistics(personas.director, start=DAY, department_id=personas.center.pk)
    assert len(centre.rows) == 3  # the subtree


def test_act_4_monthly_per_team(personas, data):
    stats = monthly_statistics(personas.director, month=DAY)
    teams = {row.team_id: row for row in stats.rows}
    assert teams[personas.domestic.pk].visits == 4 + 5
    assert teams[personas.domestic.pk].inbound_calls == 4
    assert teams[personas.international.pk].emails == 1
    assert monthly_statistics(personas.director, month=dt.date(2027, 6, 1)).rows == []


def test_act_4_page_export_and_api(personas, data, client, api_as):
    personas.rep.display_name = "=cmd|' /C calc'!A0"
    personas.rep.save()
    client.force_login(personas.director)
    page = client.get(reverse("activities:statistics"), {"day": DAY.isoformat()})
    assert page.status_code == 200 and 'data-testid="statistics-daily"' in page.content.decode()
    assert client.get(reverse("activities:statistics"), {"day": "2027-02-30"}).status_code == 400
    export = client.get(reverse("activities:statistics_export"), {"day": DAY.isoformat()})
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    cells = [cell.value for row in book.worksheets[0].iter_rows() for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells and "=cmd|' /C calc'!A0" not in cells
    assert len(book.worksheets) == 2
    daily = api_as("head").get("/api/v1/activity-statistics/daily/", {"day": DAY.isoformat()})
    assert daily.status_code == 200 and {r["staff"] for r in daily.json()["rows"]} == {
        personas.rep.pk,
        personas.teammate.pk,
    }
    monthly = api_as("director").get("/api/v1/activity-statistics/monthly/", {"month": "2027-05"})
    assert monthly.status_code == 200 and monthly.json()["total"]["visits"] == 10
    assert api_as("finance").get("/api/v1/activity-statistics/daily/").status_code == 403
    with time_machine.travel(at(DAY), tick=False):
        assert api_as("director").get("/api/v1/activity-statistics/monthly/", {"month": "x"}).status_code == 400
