"""HR-5 leave balances per person: HR keeps entitlements, everyone sees the balances in scope (ORG-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from tests.api.base import assert_error_format
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User
from yingxiao.workforce import leave_balances
from yingxiao.workforce.models import Leave, LeaveEntitlement

from .conftest import fresh

pytestmark = pytest.mark.django_db
YEAR = 2025


def _leave(person, kind="annual", days=2, status=Leave.Status.APPROVED, start=dt.date(2025, 3, 3)):
    handover = User.objects.exclude(pk=person.pk).first()
    return Leave.objects.create(
        person=person, kind=kind, requested_kind=kind, start_date=start, end_date=start + dt.timedelta(days=days - 1),
        days=Decimal(days), reason="休假", handover=handover, status=status,
    )  # fmt: skip


def _set(actor, person, days, year=YEAR):
    return leave_balances.leave_entitlement_set(actor=fresh(actor), person=person, year=year, days=days)


def _rows(actor, people, year=YEAR):
    return {row["person"].username: row for row in leave_balances.leave_balances(fresh(actor), year, people)}


def test_hr_5_balance_per_person_counts_taken_pending_and_other_kinds(wf):
    _set(wf.hr, wf.rep, "10")
    _leave(wf.rep, days=3)
    _leave(wf.rep, days=1, status=Leave.Status.PENDING, start=dt.date(2025, 4, 1))
    _leave(wf.rep, days=5, status=Leave.Status.REJECTED, start=dt.date(2025, 5, 5))  # not counted
    _leave(wf.rep, kind="sick", days=2, start=dt.date(2025, 6, 2))
    _leave(wf.rep, days=4, start=dt.date(2024, 12, 2))  # another year
    row = _rows(wf.hr, [wf.rep])["rep"]
    assert (row["entitled"], row["taken"], row["pending"], row["remaining"]) == (10, 3, 1, 6)
    assert dict(row["other"])[Leave.Kind.SICK] == 2
    assert dict(row["other"])[Leave.Kind.PERSONAL] == 0


def test_hr_5_entitlement_is_set_changed_and_kept_in_history(wf):
    entitlement = _set(wf.hr, wf.rep, "5")
    _set(wf.hr, wf.rep, "7.5")
    entitlement.refresh_from_db()
    assert entitlement.annual_days == Decimal("7.5")
    assert entitlement.department == wf.domestic
    versions = list(entitlement.history.order_by("history_id").values_list("annual_days", "history_user_id"))
    assert versions == [(Decimal("5.0"), wf.hr.pk), (Decimal("7.5"), wf.hr.pk)]


@pytest.mark.parametrize(("days", "code"), [("-1", "workforce.bad_entitlement"), ("367", "workforce.bad_entitlement"),
                                            ("2.3", "workforce.bad_entitlement"), ("abc", "workforce.bad_entitlement"),
                                            ("NaN", "workforce.bad_entitlement")])  # fmt: skip
def test_hr_5_entitlement_refuses_bad_days(wf, days, code):
    with pytest.raises(BusinessError) as error:
        _set(wf.hr, wf.rep, days)
    assert error.value.code == code
    assert not LeaveEntitlement.objects.exists()


def test_hr_5_entitlement_refuses_a_bad_year(wf):
    with pytest.raises(BusinessError) as error:
        _set(wf.hr, wf.rep, "5", year=1999)
    assert error.value.code == "workforce.bad_year"


def test_hr_5_entitlement_never_drops_below_what_is_taken_or_requested(wf):
    _set(wf.hr, wf.rep, "10")
    _leave(wf.rep, days=3)
    _leave(wf.rep, days=2, status=Leave.Status.PENDING, start=dt.date(2025, 4, 1))
    with pytest.raises(BusinessError) as error:
        _set(wf.hr, wf.rep, "4.5")
    assert error.value.code == "workforce.entitlement_below_used"
    assert LeaveEntitlement.objects.get().annual_days == 10
    assert _set(wf.hr, wf.rep, "5").annual_days == 5


def test_hr_5_only_hr_sets_entitlements(wf):
    for actor in (wf.rep, wf.head):
        with pytest.raises(BusinessError) as error:
            _set(actor, wf.teammate, "5")
        assert error.value.code == "workforce.no_permission"
    assert not LeaveEntitlement.objects.exists()


def test_hr_5_grant_gives_days_to_everyone_without_an_entitlement_and_keeps_the_others(wf):
    _set(wf.hr, wf.rep, "12")
    people = User.objects.filter(pk__in=[wf.rep.pk, wf.teammate.pk, wf.other_rep.pk])
    count = leave_balances.leave_entitlements_grant(actor=fresh(wf.hr), year=YEAR, days="5", people=people)
    assert count == 2
    days = dict(LeaveEntitlement.objects.values_list("person__username", "annual_days"))
    assert days == {"rep": 12, "teammate": 5, "other_rep": 5}
    granted = LeaveEntitlement.objects.get(person=wf.teammate)
    assert granted.history.get().history_user == wf.hr
    assert leave_balances.leave_entitlements_grant(actor=fresh(wf.hr), year=YEAR, days="5", people=people) == 0


def test_org_5_balances_show_only_the_people_in_scope(wf):
    people = [wf.rep, wf.teammate, wf.other_rep, wf.head]
    assert set(_rows(wf.rep, people)) == {"rep"}
    assert set(_rows(wf.head, people)) == {"rep", "teammate", "head"}
    assert set(_rows(wf.hr, people)) == {"rep", "teammate", "other_rep", "head"}


def test_hr_5_balances_page_lists_the_scope_and_hr_saves_from_it(wf):
    _set(wf.hr, wf.rep, "8")
    head = Client()
    head.force_login(wf.head)
    page = head.get("/workforce/leaves/balances/?year=2025")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="balance-row-rep"' in html and 'data-testid="balance-row-other_rep"' not in html
    assert 'name="days"' not in html  # a head reads, HR keeps the entitlements
    assert head.post(f"/workforce/leaves/balances/{wf.rep.pk}/", {"year": 2025, "days": "20"}).status_code == 302
    assert LeaveEntitlement.objects.get().annual_days == 8  # refused: the message says so
    assert head.post(f"/workforce/leaves/balances/{wf.other_rep.pk}/", {"year": 2025, "days": "20"}).status_code == 404

    hr = Client()
    hr.force_login(wf.hr)
    response = hr.post(f"/workforce/leaves/balances/{wf.rep.pk}/", {"year": 2025, "days": "9.5"}, follow=True)
    assert LeaveEntitlement.objects.get().annual_days == Decimal("9.5")
    assert "9.5" in response.content.decode()
    response = hr.post(f"/workforce/leaves/balances/{wf.rep.pk}/", {"year": 2025, "days": "-3"}, follow=True)
    assert LeaveEntitlement.objects.get().annual_days == Decimal("9.5")
    assert response.status_code == 200 and "alert" in response.content.decode()
    response = hr.post("/workforce/leaves/balances/grant/", {"year": 2025, "days": "5", "department": wf.domestic.pk})
    assert response.status_code == 302
    assert LeaveEntitlement.objects.filter(person=wf.teammate, annual_days=5).exists()
    assert not LeaveEntitlement.objects.filter(person=wf.other_rep).exists()  # another department


def test_hr_5_balances_and_entitlements_through_the_api(wf, api_as):
    hr = api_as("hr")
    response = hr.post("/api/v1/leaves/entitlements/", {"person": wf.rep.pk, "year": 2025, "days": "6"}, format="json")
    assert response.status_code == 200, response.json()
    assert_error_format(
        hr.post("/api/v1/leaves/entitlements/", {"person": wf.rep.pk, "year": 2025, "days": "x"}, format="json"), 400
    )
    assert_error_format(
        api_as("head").post(
            "/api/v1/leaves/entitlements/", {"person": wf.rep.pk, "year": 2025, "days": "9"}, format="json"
        ),
        403,
    )
    assert_error_format(
        api_as("rep").post(
            "/api/v1/leaves/entitlements/", {"person": wf.other_rep.pk, "year": 2025, "days": "9"}, format="json"
        ),
        404,
    )
    body = api_as("head").get("/api/v1/leaves/balances/?year=2025").json()
    rows = {row["person"]: row for row in body["results"]}
    assert wf.other_rep.pk not in rows
    assert rows[wf.rep.pk]["entitled"] == "6.0" and rows[wf.rep.pk]["remaining"] == "6.0"
