"""Rules of business trips (HR-4): a missed morning check-in is reminded, then recorded.

- ``HR-4r`` (remind): from the end of the morning period (``WorkSchedule.morning_end``) a
  traveller on an approved trip who has not checked in today is reminded — once per trip and day
  (the breach key is the date).
- ``HR-4`` (escalate): a past day of the trip without a check-in is recorded as an attendance
  mark (``AttendanceRecord.mark = trip_missed``, shown on the monthly sheet) and the superior is
  told. It is not a fine: the rules name no amount for it; a head who wants one records a
  violation by hand. Days up to ``LOOKBACK_DAYS`` back are examined, so sweeps stay bounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.org.selectors import superior_of
from yingxiao.policy.registry import Action, Finding, Rule, register

from .common import at_local, schedule
from .models import AttendanceRecord, Trip, TripCheckin

LOOKBACK_DAYS = 7


def _missing(first: dt.date, last: dt.date) -> Iterable[tuple[Trip, dt.date]]:
    """(trip, day) for every day in [first, last] of an approved trip without a check-in."""
    trips = Trip.objects.filter(status=Trip.Status.APPROVED, start_date__lte=last, end_date__gte=first).select_related(
        "person"
    )
    done = set(TripCheckin.objects.filter(day__gte=first, day__lte=last, trip__in=trips).values_list("trip_id", "day"))
    for trip in trips.iterator():
        day = max(first, trip.start_date)
        while day <= min(last, trip.end_date):
            if (trip.pk, day) not in done:
                yield trip, day
            day += dt.timedelta(days=1)


def _finding(trip: Trip, day: dt.date) -> Finding:
    return Finding(
        subject_id=trip.pk,
        key=day.isoformat(),
        person_id=trip.person_id,
        facts={"person": str(trip.person), "destination": trip.destination, "day": day.isoformat()},
    )


@register
class TripCheckinReminder(Rule):
    id = "HR-4r"
    title = _("Remind a traveller who has not checked in this morning")
    action = Action.REMIND
    subject_model = "workforce.Trip"
    explanation = _("%(person)s has not checked in on the trip to %(destination)s today (%(day)s).")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = timezone.localdate(as_of)
        if as_of < at_local(today, schedule().morning_end):
            return
        for trip, day in _missing(today, today):
            yield _finding(trip, day)


@register
class TripCheckinMissed(Rule):
    id = "HR-4"
    title = _("Record a missed trip check-in on the attendance sheet")
    action = Action.ESCALATE
    subject_model = "workforce.Trip"
    explanation = _("%(person)s did not check in on the trip to %(destination)s on %(day)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = timezone.localdate(as_of)
        for trip, day in _missing(today - dt.timedelta(days=LOOKBACK_DAYS), today - dt.timedelta(days=1)):
            yield _finding(trip, day)

    def apply(self, finding: Finding) -> bool:
        trip = Trip.objects.filter(pk=finding.subject_id, status=Trip.Status.APPROVED).first()
        if trip is None or finding.person_id is None:
            return False
        day = dt.date.fromisoformat(finding.key)
        if TripCheckin.objects.filter(trip=trip, day=day).exists():
            return False
        record, created = AttendanceRecord.objects.get_or_create(
            person_id=finding.person_id,
            day=day,
            defaults={"department": trip.department, "mark": AttendanceRecord.Mark.TRIP_MISSED},
        )
        if not created:
            changed = AttendanceRecord.objects.filter(Q(mark="") & Q(pk=record.pk)).update(
                mark=AttendanceRecord.Mark.TRIP_MISSED
            )
            if not changed:
                return False
        person = User.objects.get(pk=finding.person_id)
        superior = superior_of(person)
        notify(person, message=finding.explanation)  # inside the engine's transaction, like reminders
        if superior is not None:
            notify(superior, message=finding.explanation)
        return True
