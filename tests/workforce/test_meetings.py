"""HR-6 meetings: attendees, arrivals and lateness (a violation), minutes sent to the attendees,
and the organiser's violation for a scheduled meeting never held."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.performance.models import Violation
from yingxiao.policy.registry import run_sweep
from yingxiao.workforce import meetings
from yingxiao.workforce.models import Meeting, MeetingAttendance

from .conftest import at, fresh

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 3, 3)


def schedule(wf, day=MON, hour=9, attendees=None, kind=Meeting.Kind.MORNING):
    with time_machine.travel(at(day, 7), tick=False):
        return meetings.meeting_schedule(
            actor=fresh(wf.head),
            kind=kind,
            title="国内部晨会",
            starts_at=at(day, hour),
            ends_at=at(day, hour, 30),
            attendees=attendees or [wf.rep, wf.teammate],
            place="会议室",
        )


def arrive(actor, meeting, person, moment, arrived_at=None):
    with time_machine.travel(moment, tick=False):
        return meetings.meeting_record_arrival(
            actor=fresh(actor), meeting=meeting, person=fresh(person), arrived_at=arrived_at
        )


def test_hr_6_a_meeting_is_scheduled_with_its_attendees_who_are_told(wf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(wf)
    assert meeting.organiser == wf.head and meeting.status == Meeting.Status.SCHEDULED
    assert set(meeting.attendees.values_list("person", flat=True)) == {wf.rep.pk, wf.teammate.pk}
    assert Notification.objects.filter(recipient=wf.rep, link=f"/workforce/meetings/{meeting.pk}/").exists()


def test_hr_6_bad_input_is_refused(wf):
    with time_machine.travel(at(MON, 7), tick=False):
        for kwargs, code in [
            ({"starts_at": at(MON, 9), "ends_at": at(MON, 8)}, "workforce.bad_dates"),
            ({"starts_at": at(MON, 9), "ends_at": at(MON, 10), "attendees": []}, "workforce.no_attendees"),
            ({"starts_at": at(MON, 6), "ends_at": at(MON, 6, 30)}, "workforce.bad_value"),
            ({"starts_at": at(MON, 9), "ends_at": at(MON, 10), "kind": "party"}, "workforce.bad_value"),
        ]:
            params = {"kind": Meeting.Kind.WEEKLY, "title": "周例会", "attendees": [wf.rep], **kwargs}
            with pytest.raises(BusinessError) as error:
                meetings.meeting_schedule(actor=fresh(wf.head), **params)
            assert error.value.code == code
        with pytest.raises(BusinessError) as error:
            meetings.meeting_schedule(
                actor=fresh(wf.rep), kind="weekly", title="x", starts_at=at(MON, 9), ends_at=at(MON, 10),
                attendees=[wf.teammate],
            )  # fmt: skip
        assert error.value.code == "workforce.no_permission"
    assert not Meeting.objects.exists()


def test_hr_6_arriving_after_the_required_lead_is_late_and_a_violation(wf):
    meeting = schedule(wf)
    # 提前3分钟到达: 8:57 is on time, 8:58 is late.
    on_time = arrive(wf.teammate, meeting, wf.teammate, at(MON, 8, 57))
    assert on_time.status == MeetingAttendance.Status.PRESENT and on_time.late_minutes == 0
    late = arrive(wf.rep, meeting, wf.rep, at(MON, 8, 58))
    assert late.status == MeetingAttendance.Status.LATE and late.late_minutes == 1
    violation = Violation.objects.get(rule_id="HR-6", person=wf.rep, kind=Violation.Kind.OWN)
    assert violation.amount == Decimal("20.00") and violation.object_id == late.pk
    assert not Violation.objects.filter(person=wf.teammate).exists()
    with pytest.raises(BusinessError) as error:
        arrive(wf.rep, meeting, wf.rep, at(MON, 9))
    assert error.value.code == "workforce.already_arrived"


def test_hr_6_the_organiser_records_arrivals_others_cannot(wf):
    meeting = schedule(wf)
    with pytest.raises(BusinessError) as error:
        arrive(wf.rep, meeting, wf.teammate, at(MON, 9, 10), arrived_at=at(MON, 8, 50))
    assert error.value.code == "workforce.not_organiser"
    record = arrive(wf.head, meeting, wf.teammate, at(MON, 9, 10), arrived_at=at(MON, 9, 6))
    assert record.late_minutes == 9 and record.status == MeetingAttendance.Status.LATE
    with pytest.raises(BusinessError) as error:
        arrive(wf.head, meeting, wf.other_rep, at(MON, 9, 10), arrived_at=at(MON, 9))
    assert error.value.code == "workforce.not_attendee"


def test_hr_6_minutes_are_sent_to_the_attendees_of_a_held_meeting(wf, django_capture_on_commit_callbacks):
    meeting = schedule(wf)
    arrive(wf.rep, meeting, wf.rep, at(MON, 8, 50))
    with time_machine.travel(at(MON, 9, 40), tick=False):
        with pytest.raises(BusinessError) as error:
            meetings.meeting_send_minutes(actor=fresh(wf.head), meeting=meeting, minutes="决议")
        assert error.value.code == "workforce.meeting_not_held"
        meeting = meetings.meeting_mark_held(actor=fresh(wf.head), meeting=meeting)
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meetings.meeting_send_minutes(actor=fresh(wf.head), meeting=meeting, minutes="1. 本周目标")
    assert meeting.status == Meeting.Status.HELD and meeting.minutes_sent_at == at(MON, 9, 40)
    statuses = dict(meeting.attendees.values_list("person", "status"))
    assert statuses == {wf.rep.pk: "present", wf.teammate.pk: "absent"}
    told = set(Notification.objects.filter(message__contains="国内部晨会").values_list("recipient", flat=True))
    assert {wf.rep.pk, wf.teammate.pk} <= told and wf.other_rep.pk not in told


def test_hr_6_a_scheduled_meeting_not_held_by_the_end_of_its_day_is_the_organisers_violation(wf):
    missed = schedule(wf)
    held = schedule(wf, hour=14)
    cancelled = schedule(wf, hour=16)
    with time_machine.travel(at(MON, 15), tick=False):
        meetings.meeting_mark_held(actor=fresh(wf.head), meeting=held)
        meetings.meeting_cancel(actor=fresh(wf.head), meeting=cancelled)
        assert run_sweep("HR-6", as_of=at(MON, 23, 59)).recorded == 0  # the day is not over yet
    with time_machine.travel(at(MON + dt.timedelta(days=1), 8), tick=False):
        first = run_sweep("HR-6", as_of=at(MON + dt.timedelta(days=1), 8))
        again = run_sweep("HR-6", as_of=at(MON + dt.timedelta(days=1), 9))
    assert (first.recorded, first.applied, again.recorded) == (1, 1, 0)
    violation = Violation.objects.get(rule_id="HR-6", kind=Violation.Kind.OWN)
    assert violation.person == wf.head and violation.amount == Decimal("50.00") and violation.object_id == missed.pk
    missed.refresh_from_db()
    assert missed.status == Meeting.Status.NOT_HELD


def test_hr_6_scope_outsiders_get_404(wf, client, api_as):
    meeting = schedule(wf)
    client.force_login(wf.other_rep)
    assert client.get(f"/workforce/meetings/{meeting.pk}/").status_code == 404
    assert api_as("other_rep").get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    client.force_login(wf.rep)
    page = client.get(f"/workforce/meetings/{meeting.pk}/")
    assert page.status_code == 200 and page.context["mine"] is not None
    assert api_as("director").get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200


def test_hr_6_meetings_through_the_api(wf, api_as):
    with time_machine.travel(at(MON, 7), tick=False):
        response = api_as("head").post(
            "/api/v1/meetings/",
            {"kind": "weekly", "title": "周例会", "starts_at": "2025-03-03T16:00:00+08:00",
             "ends_at": "2025-03-03T15:00:00+08:00", "attendees": [wf.rep.pk]},
            format="json",
        )  # fmt: skip
        assert response.status_code == 400 and response.json()["code"] == "workforce.bad_dates"
        response = api_as("head").post(
            "/api/v1/meetings/",
            {"kind": "weekly", "title": "周例会", "starts_at": "2025-03-03T16:00:00+08:00",
             "ends_at": "2025-03-03T17:00:00+08:00", "attendees": [wf.rep.pk]},
            format="json",
        )  # fmt: skip
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    with time_machine.travel(at(MON, 16, 1), tick=False):
        response = api_as("rep").post(f"/api/v1/meetings/{meeting_id}/arrival/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["attendees"][0]["status"] == "late"
