"""HR-3 outings and HR-4 business trips with their daily morning check-in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.policy.registry import run_sweep
from yingxiao.workforce import selectors, trips
from yingxiao.workforce.models import AttendanceRecord, Outing, Trip, TripCheckin

from .conftest import approve, at, fresh, waiting_for

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 3, 3)


def test_hr_3_outing_registered_and_approved_by_the_superior(wf):
    outing = trips.outing_register(
        actor=fresh(wf.rep), starts_at=at(MON, 14), ends_at=at(MON, 16), place="甲公司", reason="送样品"
    )
    assert outing.status == Outing.Status.PENDING and waiting_for(outing, "outing") == wf.head
    approve(wf.head, outing, "outing")
    outing.refresh_from_db()
    assert outing.status == Outing.Status.APPROVED


def test_hr_3_outing_needs_place_and_ordered_times(wf):
    for kwargs, code in (
        ({"starts_at": at(MON, 16), "ends_at": at(MON, 14), "place": "甲公司"}, "workforce.bad_dates"),
        ({"starts_at": at(MON, 14), "ends_at": at(MON, 16), "place": " "}, "workforce.required"),
    ):
        with pytest.raises(BusinessError) as error:
            trips.outing_register(actor=fresh(wf.rep), reason="送样品", **kwargs)
        assert error.value.code == code
    assert not Outing.objects.exists()


def approved_trip(wf, start=MON, end=MON + dt.timedelta(days=2)):
    trip = trips.trip_register(actor=fresh(wf.rep), start_date=start, end_date=end, destination="上海", purpose="展会")
    assert waiting_for(trip, "business_trip") == wf.head
    approve(wf.head, trip, "business_trip")
    trip.refresh_from_db()
    assert trip.status == Trip.Status.APPROVED
    return trip


def test_hr_4_daily_checkin_with_optional_photo_once_a_day(wf):
    trip = approved_trip(wf)
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")
    with time_machine.travel(at(MON, 8, 40), tick=False):
        checkin = trips.trip_checkin(actor=fresh(wf.rep), trip=trip, place="上海国展中心", note="布展", photo=photo)
        assert checkin.day == MON and checkin.at == at(MON, 8, 40) and checkin.photo.name
        with pytest.raises(BusinessError) as error:
            trips.trip_checkin(actor=fresh(wf.rep), trip=trip, place="上海")
        assert error.value.code == "workforce.already_checked_in"
    with time_machine.travel(at(MON + dt.timedelta(days=5), 8), tick=False), pytest.raises(BusinessError) as error:
        trips.trip_checkin(actor=fresh(wf.rep), trip=trip, place="上海")
    assert error.value.code == "workforce.trip_not_active"
    assert TripCheckin.objects.count() == 1


def test_hr_4_checkin_only_on_an_approved_trip(wf):
    trip = trips.trip_register(actor=fresh(wf.rep), start_date=MON, end_date=MON, destination="上海", purpose="展会")
    with time_machine.travel(at(MON, 8), tick=False), pytest.raises(BusinessError) as error:
        trips.trip_checkin(actor=fresh(wf.rep), trip=trip, place="上海")
    assert error.value.code == "workforce.trip_not_active"


def test_hr_4_missed_checkin_reminded_once_then_recorded(wf):
    trip = approved_trip(wf)
    with time_machine.travel(at(MON, 8), tick=False):
        trips.trip_checkin(actor=fresh(wf.rep), trip=trip, place="上海")
    tuesday = MON + dt.timedelta(days=1)
    run_sweep("HR-4r", as_of=at(tuesday, 10))  # before the end of the morning: nothing yet
    assert not Notification.objects.filter(recipient=wf.rep).exists()
    run_sweep("HR-4r", as_of=at(tuesday, 12))
    run_sweep("HR-4r", as_of=at(tuesday, 15))
    assert Notification.objects.filter(recipient=wf.rep).count() == 1  # once per day
    run_sweep("HR-4", as_of=at(tuesday + dt.timedelta(days=1), 8))
    run_sweep("HR-4", as_of=at(tuesday + dt.timedelta(days=1), 9))
    record = AttendanceRecord.objects.get(person=wf.rep)
    assert record.day == tuesday and record.mark == AttendanceRecord.Mark.TRIP_MISSED
    assert Notification.objects.filter(recipient=wf.head, message__contains="2025-03-04").count() == 1
    with time_machine.travel(at(dt.date(2025, 3, 6), 8), tick=False):
        row = selectors.attendance_sheet(fresh(wf.hr), MON, [wf.rep])[0]
    assert row.trip_missed == 1 and row.trip_days == 3 and row.absent_days == 0


def test_hr_4_trip_pages_register_and_check_in(wf, client):
    trip = approved_trip(wf)
    client.force_login(wf.rep)
    assert client.get("/workforce/trips/").status_code == 200
    assert client.get("/workforce/outings/").status_code == 200
    with time_machine.travel(at(MON, 8, 30), tick=False):
        response = client.post(f"/workforce/trips/{trip.pk}/checkin/", {"place": "上海", "note": ""})
    assert response.status_code == 302 and trip.checkins.count() == 1
    client.force_login(wf.other_rep)
    assert client.get(f"/workforce/trips/{trip.pk}/checkin/").status_code == 404
