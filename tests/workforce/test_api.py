"""Workforce API (tests/api/base.py): scope own / department / HR-management all, create, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.api.base import ApiResourceChecks, Expect, assert_error_format
from tests.factories import UserFactory
from yingxiao.workforce.models import AttendanceRecord, Leave, Trip

from .conftest import approve, at

pytestmark = pytest.mark.django_db

OWN = Expect(sees=True, creates=True)
HEAD = Expect(sees=True, creates=True)
ALL = Expect(sees=True, sees_other=True, creates=True)
WRITES = Expect(creates=True)


def _leave(person, department, handover):
    return Leave.objects.create(
        person=person,
        department=department,
        kind="personal",
        requested_kind="personal",
        start_date=dt.date(2025, 3, 3),
        end_date=dt.date(2025, 3, 3),
        days=Decimal(1),
        reason="事假",
        handover=handover,
    )


class TestLeaveApi(ApiResourceChecks):
    url = "/api/v1/leaves/"
    model = Leave
    expect = {
        "director": ALL, "head": HEAD, "rep": OWN, "teammate": WRITES,
        "other_rep": Expect(sees_other=True, creates=True), "finance": ALL, "admin": WRITES,
        "resource_director": WRITES,
    }  # fmt: skip
    bad_create = {
        "no_handover": {"kind": "personal", "start_date": "2025-03-03", "end_date": "2025-03-03", "reason": "x"},
        "dates_reversed": lambda p: {
            "kind": "personal",
            "start_date": "2025-03-05",
            "end_date": "2025-03-03",
            "reason": "x",
            "handover": p.teammate.pk,
        },
        "unknown_kind": lambda p: {
            "kind": "holiday",
            "start_date": "2025-03-03",
            "end_date": "2025-03-03",
            "reason": "x",
            "handover": p.teammate.pk,
        },
        "unknown_handover": {
            "kind": "personal",
            "start_date": "2025-03-03",
            "end_date": "2025-03-03",
            "reason": "x",
            "handover": 10**9,
        },
        "malformed_json": '{"kind": ',
    }

    def in_scope(self, p):
        return _leave(p.rep, p.domestic, p.teammate)

    def out_of_scope(self, p):
        return _leave(p.other_rep, p.international, p.rep)

    def create_payload(self, p):
        handover = UserFactory()
        return {"kind": "personal", "start_date": "2025-03-03", "end_date": "2025-03-04", "reason": "事假",
                "handover": handover.pk}  # fmt: skip


class TestAttendanceApi(ApiResourceChecks):
    url = "/api/v1/attendance/"
    model = AttendanceRecord
    expect = {
        "director": Expect(sees=True, sees_other=True), "head": Expect(sees=True), "rep": Expect(sees=True),
        "teammate": Expect(), "other_rep": Expect(sees_other=True), "finance": Expect(sees=True, sees_other=True),
        "admin": Expect(), "resource_director": Expect(),
    }  # fmt: skip

    _days = iter(range(1, 10_000))

    def _record(self, person, department):
        return AttendanceRecord.objects.create(
            person=person, department=department, day=dt.date(2020, 1, 1) + dt.timedelta(days=next(self._days))
        )

    def in_scope(self, p):
        return self._record(p.rep, p.domestic)

    def out_of_scope(self, p):
        return self._record(p.other_rep, p.international)


def test_hr_1_clock_in_and_out_through_the_api(api_as):
    client = api_as("rep")
    day = dt.date(2025, 3, 3)
    with time_machine.travel(at(day, 9, 11), tick=False):
        response = client.post("/api/v1/attendance/clock-in/")
        assert response.status_code == 201 and response.json()["late_tier"] == "general"
        assert_error_format(client.post("/api/v1/attendance/clock-in/"), 409)
    with time_machine.travel(at(day, 18, 1), tick=False):
        response = client.post("/api/v1/attendance/clock-out/")
    assert response.status_code == 200 and response.json()["early_tier"] == ""


def test_hr_4_trip_and_checkin_through_the_api(wf, api_as):
    client = api_as("rep")
    response = client.post(
        "/api/v1/trips/",
        {"start_date": "2025-03-03", "end_date": "2025-03-04", "destination": "广州", "purpose": "拜访客户"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    trip = Trip.objects.get(pk=response.json()["id"])
    approve(wf.head, trip, "business_trip")
    with time_machine.travel(at(dt.date(2025, 3, 3), 8, 30), tick=False):
        response = client.post(f"/api/v1/trips/{trip.pk}/checkin/", {"place": "广州", "note": "到达"}, format="json")
    assert response.status_code == 201, response.json()
    assert_error_format(api_as("other_rep").post(f"/api/v1/trips/{trip.pk}/checkin/", {"place": "x"}), 404)


def test_hr_3_outing_and_correction_through_the_api(api_as):
    client = api_as("rep")
    response = client.post(
        "/api/v1/outings/",
        {
            "starts_at": "2025-03-03T14:00:00+08:00",
            "ends_at": "2025-03-03T16:00:00+08:00",
            "place": "甲公司",
            "reason": "送样品",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    with time_machine.travel(at(dt.date(2025, 3, 4), 9), tick=False):
        response = client.post(
            "/api/v1/attendance-corrections/",
            {"day": "2025-03-03", "clock_in": "2025-03-03T08:55:00+08:00", "reason": "忘记打卡"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["original_clock_in"] is None and response.json()["status"] == "pending"
