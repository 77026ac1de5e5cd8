"""HR-10 duty roster: posts including lunch duty, assignments, swaps approved by the head, and an
unattended post reported as a violation of the person on duty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from yingxiao.core.errors import BusinessError
from yingxiao.performance.models import Violation
from yingxiao.workforce import roster
from yingxiao.workforce.models import DutyAssignment, DutyPost, DutySwap, UnattendedPost

from .conftest import approve, at, fresh, waiting_for

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 3, 3)


@pytest.fixture
def lunch(wf):
    return DutyPost.objects.create(
        department=wf.domestic, kind=DutyPost.Kind.LUNCH, name="午间值班", starts=dt.time(12), ends=dt.time(13, 30)
    )


def assign(wf, post, person, day=MON):
    with time_machine.travel(at(MON, 8), tick=False):
        return roster.duty_assign(actor=fresh(wf.head), post=post, day=day, person=fresh(person))


def test_hr_10_the_head_puts_people_on_lunch_duty_and_the_week_grid_shows_it(wf, lunch):
    assign(wf, lunch, wf.rep)
    assign(wf, lunch, wf.teammate, day=MON + dt.timedelta(days=1))
    grid = roster.roster_week(fresh(wf.teammate), wf.domestic, MON)
    assert grid.days[0] == MON and len(grid.days) == 7
    (post, cells), *_rest = grid.rows
    assert post == lunch and [c.person if c else None for c in cells[:3]] == [wf.rep, wf.teammate, None]
    assert roster.roster_week(fresh(wf.other_rep), wf.domestic, MON).rows[0][1] == [None] * 7  # not their roster


def test_hr_10_bad_assignments_are_refused(wf, lunch):
    assign(wf, lunch, wf.rep)
    cases = [
        (wf.head, wf.teammate, MON, "workforce.post_taken"),
        (wf.head, wf.other_rep, MON + dt.timedelta(days=1), "workforce.not_in_department"),
        (wf.head, wf.rep, MON - dt.timedelta(days=1), "workforce.duty_past"),
        (wf.rep, wf.teammate, MON + dt.timedelta(days=1), "workforce.no_permission"),
    ]
    for actor, person, day, code in cases:
        with time_machine.travel(at(MON, 8), tick=False), pytest.raises(BusinessError) as error:
            roster.duty_assign(actor=fresh(actor), post=lunch, day=day, person=fresh(person))
        assert error.value.code == code
    assert DutyAssignment.objects.count() == 1
    with pytest.raises(BusinessError) as error:
        roster.duty_post_create(
            actor=fresh(wf.head), department=wf.domestic, kind="lunch", name="x", starts=dt.time(13), ends=dt.time(12)
        )
    assert error.value.code == "workforce.bad_dates"
    with pytest.raises(BusinessError) as error:
        roster.assignments_between(fresh(wf.head), MON, MON - dt.timedelta(days=1))
    assert error.value.code == "workforce.bad_range"


def test_hr_10_a_swap_is_approved_by_the_head(wf, lunch):
    duty = assign(wf, lunch, wf.rep)
    with time_machine.travel(at(MON, 9), tick=False):
        with pytest.raises(BusinessError) as error:
            roster.duty_swap_request(actor=fresh(wf.teammate), assignment=duty, substitute=wf.rep, reason="x")
        assert error.value.code == "workforce.not_your_duty"
        with pytest.raises(BusinessError) as error:
            roster.duty_swap_request(actor=fresh(wf.rep), assignment=duty, substitute=wf.other_rep, reason="x")
        assert error.value.code == "workforce.bad_substitute"
        swap = roster.duty_swap_request(actor=fresh(wf.rep), assignment=duty, substitute=wf.teammate, reason="外出拜访")
    duty.refresh_from_db()
    assert duty.person == wf.rep and waiting_for(swap, "duty_swap") == wf.head
    approve(wf.head, swap, "duty_swap")
    duty.refresh_from_db()
    swap.refresh_from_db()
    assert swap.status == DutySwap.Status.APPROVED and duty.person == wf.teammate
    assert duty.history.filter(person=wf.rep).exists()


def test_hr_10_an_unattended_post_reported_is_a_violation_of_the_person_on_duty(wf, lunch):
    duty = assign(wf, lunch, wf.rep)
    with time_machine.travel(at(MON, 11), tick=False), pytest.raises(BusinessError) as error:
        roster.duty_report_unattended(actor=fresh(wf.head), assignment=duty, note="没人")
    assert error.value.code == "workforce.not_on_duty_time"
    with time_machine.travel(at(MON, 12, 20), tick=False):
        with pytest.raises(BusinessError) as error:
            roster.duty_report_unattended(actor=fresh(wf.teammate), assignment=duty, note="没人")
        assert error.value.code == "workforce.no_permission"  # a colleague without the permission
        report = roster.duty_report_unattended(actor=fresh(wf.head), assignment=duty, note="12:20 前台无人")
        with pytest.raises(BusinessError) as error:
            roster.duty_report_unattended(actor=fresh(wf.director), assignment=duty, note="again")
        assert error.value.code == "workforce.already_reported"
    duty.refresh_from_db()
    assert duty.status == DutyAssignment.Status.UNATTENDED and report.found_at == at(MON, 12, 20)
    violation = Violation.objects.get(rule_id="HR-10", kind=Violation.Kind.OWN)
    assert violation.person == wf.rep and violation.amount == Decimal("50.00")
    assert violation.object_id == report.pk and "12:20" in violation.evidence
    assert UnattendedPost.objects.count() == 1 and Violation.objects.filter(rule_id="HR-10", kind="own").count() == 1


def test_hr_10_roster_page_and_api(wf, lunch, client, api_as):
    duty = assign(wf, lunch, wf.rep)
    client.force_login(wf.teammate)
    with time_machine.travel(at(MON, 9), tick=False):
        page = client.get(f"/workforce/roster/?week=2025-03-05&department={wf.domestic.pk}")
    assert page.status_code == 200 and page.context["grid"].rows[0][1][0] == duty
    assert page.context["assign_form"] is None
    client.force_login(wf.head)
    with time_machine.travel(at(MON, 9), tick=False):
        response = client.post(
            "/workforce/roster/assign/",
            {"department": wf.domestic.pk, "post": lunch.pk, "day": "2025-03-04", "person": wf.teammate.pk},
        )
    assert response.status_code == 302 and DutyAssignment.objects.filter(day=dt.date(2025, 3, 4)).exists()
    assert api_as("other_rep").get(f"/api/v1/duty/{duty.pk}/").status_code == 404
    assert api_as("teammate").get(f"/api/v1/duty/{duty.pk}/").status_code == 200
    response = api_as("head").get("/api/v1/duty/?from=2025-03-05&to=2025-03-01")
    assert response.status_code == 400 and response.json()["code"] == "workforce.bad_range"
    with time_machine.travel(at(MON, 9), tick=False):
        response = api_as("rep").post(
            f"/api/v1/duty/{duty.pk}/swap/", {"substitute": wf.teammate.pk, "reason": "拜访客户"}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert DutySwap.objects.get().status == DutySwap.Status.PENDING
    with time_machine.travel(at(MON, 12, 40), tick=False):
        response = api_as("director").post(f"/api/v1/duty/{duty.pk}/unattended/", {"note": "空岗"}, format="json")
    assert response.status_code == 201, response.json()
