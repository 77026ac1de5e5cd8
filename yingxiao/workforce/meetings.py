"""Meetings (会议, HR-6): schedule with attendees, record arrivals, mark held, send the minutes.

"参加任何会议和培训…必须提前3分钟到达, 迟到者罚款20元" (seed 002 §27): an attendee arriving after
``meeting_early_minutes`` before the start is late, and the late arrival is recorded as a
violation (``meeting_late_fine``) at once. "不及时组织召开会议发现一次乐捐50元" (seed 000): a meeting
still scheduled when its day is over was not held — the ``HR-6`` rule in ``rules.py`` records
the organiser's violation (``meeting_missed_fine``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import Department, User
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from . import errors
from .common import later, require_perm, text
from .models import Meeting, MeetingAttendance

MAX_ATTENDEES = 500


def _link(meeting: Meeting) -> str:
    return reverse("workforce:meeting", args=[meeting.pk])


def _may_run(actor: User, meeting: Meeting) -> None:
    """The organiser runs the meeting; someone who may change meetings in scope can stand in."""
    if meeting.organiser_id == actor.pk:
        return
    if Meeting.objects.restrict(actor, "change").filter(pk=meeting.pk).exists():  # type: ignore[attr-defined]
        return
    raise BusinessError(errors.NOT_ORGANISER)


def meeting_schedule(
    *,
    actor: User,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    attendees: Iterable[User],
    place: str = "",
    agenda: str = "",
    department: Department | None = None,
) -> Meeting:
    """rule: HR-6 — schedule a meeting (the actor organises it) and tell the attendees."""
    require_perm(actor, "workforce.add_meeting")
    if kind not in Meeting.Kind.values:
        raise BusinessError(errors.BAD_VALUE, field="kind", field_name="kind")
    title = text(title, "title", limit=200)
    place = text(place, "place", required=False, limit=200)
    agenda = text(agenda, "agenda", required=False)
    if ends_at <= starts_at:
        raise BusinessError(errors.BAD_DATES, field="ends_at")
    if starts_at < timezone.now():
        raise BusinessError(errors.BAD_VALUE, field="starts_at", field_name="starts_at")
    people = {p.pk: p for p in attendees if p is not None and p.pk != actor.pk}
    if not people:
        raise BusinessError(errors.NO_ATTENDEES, field="attendees")
    if len(people) > MAX_ATTENDEES:
        raise BusinessError(errors.BAD_VALUE, field="attendees", field_name="attendees")
    if any(not p.is_active or p.status == User.Status.LEFT for p in people.values()):
        raise BusinessError(errors.BAD_VALUE, field="attendees", field_name="attendees")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            title=title,
            department=department or primary_department(actor),
            organiser=actor,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            agenda=agenda,
            created_by=actor,
        )
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=meeting, person=p, department=primary_department(p)) for p in people.values()
        )
        message = format_lazy(
            _("Meeting: {title}, {start} at {place}."),
            title=title,
            start=f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
            place=place or "—",
        )
        for person in people.values():
            later(person, message, _link(meeting), actor)
    return meeting


def meeting_record_arrival(
    *, actor: User, meeting: Meeting, person: User, arrived_at: dt.datetime | None = None
) -> MeetingAttendance:
    """rule: HR-6 — record an attendee's arrival; later than the required lead is a violation.

    Attendees sign in themselves (the server's clock); the organiser records others, with a time.
    """
    from yingxiao.performance.services import violation_record

    if person.pk == actor.pk and arrived_at is None:
        require_perm(actor, "workforce.view_meeting")
    else:
        _may_run(actor, meeting)
    now = timezone.now()
    moment = arrived_at or now
    if moment > now:
        raise BusinessError(errors.BAD_VALUE, field="arrived_at", field_name="arrived_at")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status not in (Meeting.Status.SCHEDULED, Meeting.Status.HELD):
            raise BusinessError(errors.MEETING_CLOSED)
        attendance = MeetingAttendance.objects.select_for_update().filter(meeting=locked, person=person).first()
        if attendance is None:
            raise BusinessError(errors.NOT_ATTENDEE, field="person")
        if attendance.arrived_at is not None:
            raise BusinessError(errors.ALREADY_ARRIVED)
        # rule: HR-6 — arriving after the required lead (提前N分钟) is late: a violation at once.
        required = locked.starts_at - dt.timedelta(minutes=int(policy_value("meeting_early_minutes")))
        late = max(0, math.ceil((moment - required).total_seconds() / 60))
        attendance.arrived_at = moment
        attendance.late_minutes = late
        attendance.status = MeetingAttendance.Status.LATE if late else MeetingAttendance.Status.PRESENT
        attendance.save(update_fields=["arrived_at", "late_minutes", "status"])
        if late:
            violation_record(
                actor_or_system=None,
                person=person,
                rule_id="HR-6",
                evidence=str(
                    format_lazy(
                        _("Late for the meeting {title} ({start}): arrived at {arrived}, {minutes} minutes late."),
                        title=locked.title,
                        start=f"{timezone.localtime(locked.starts_at):%Y-%m-%d %H:%M}",
                        arrived=f"{timezone.localtime(moment):%H:%M}",
                        minutes=late,
                    )
                ),
                amount=policy_value("meeting_late_fine"),
                subject=attendance,
                breach_key=f"HR-6:late:{attendance.pk}",
            )
    return attendance


def meeting_mark_held(*, actor: User, meeting: Meeting) -> Meeting:
    """rule: HR-6 — the organiser marks the meeting held; attendees not signed in are absent."""
    _may_run(actor, meeting)
    now = timezone.now()
    if now < meeting.starts_at:
        raise BusinessError(errors.MEETING_NOT_STARTED)
    with transaction.atomic():
        changed = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.SCHEDULED).update(
            status=Meeting.Status.HELD, held_at=now
        )
        if not changed:
            raise BusinessError(errors.MEETING_CLOSED)
        MeetingAttendance.objects.filter(meeting=meeting, status=MeetingAttendance.Status.EXPECTED).update(
            status=MeetingAttendance.Status.ABSENT
        )
    meeting.refresh_from_db()
    return meeting


# rule: HR-6 — minutes go to every attendee.
def meeting_send_minutes(*, actor: User, meeting: Meeting, minutes: str) -> Meeting:
    """rule: HR-6 — write the minutes of a held meeting and send them to every attendee."""
    _may_run(actor, meeting)
    minutes = text(minutes, "minutes", limit=20000)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != Meeting.Status.HELD:
            raise BusinessError(errors.MEETING_NOT_HELD)
        locked.minutes = minutes
        locked.minutes_sent_at = timezone.now()
        locked.save(update_fields=["minutes", "minutes_sent_at"])
        message = format_lazy(_("Minutes of the meeting {title} are ready."), title=locked.title)
        for attendance in locked.attendees.select_related("person"):
            later(attendance.person, message, _link(locked), actor)
    return locked


def meeting_cancel(*, actor: User, meeting: Meeting) -> Meeting:
    """Call a meeting off before it starts (a cancelled meeting is not a meeting missed)."""
    _may_run(actor, meeting)
    if timezone.now() >= meeting.starts_at:
        raise BusinessError(errors.MEETING_CLOSED)
    with transaction.atomic():
        changed = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.SCHEDULED).update(
            status=Meeting.Status.CANCELLED
        )
        if not changed:
            raise BusinessError(errors.MEETING_CLOSED)
        message = format_lazy(_("The meeting {title} was cancelled."), title=meeting.title)
        for attendance in meeting.attendees.select_related("person"):
            later(attendance.person, message, _link(meeting), actor)
    meeting.refresh_from_db()
    return meeting
