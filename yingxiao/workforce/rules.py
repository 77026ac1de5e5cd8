"""Rules of business trips (HR-4), meetings (HR-6) and work reports (HR-7).

Business trips (HR-4): a missed morning check-in is reminded, then recorded.

- ``HR-4r`` (remind): from the end of the morning period (``WorkSchedule.morning_end``) a
  traveller on an approved trip who has not checked in today is reminded — once per trip and day
  (the breach key is the date).
- ``HR-4`` (escalate): a past day of the trip without a check-in is recorded as an attendance
  mark (``AttendanceRecord.mark = trip_missed``, shown on the monthly sheet) and the superior is
  told. It is not a fine: the rules name no amount for it; a head who wants one records a
  violation by hand. Days up to ``LOOKBACK_DAYS`` back are examined, so sweeps stay bounded.

Meetings (HR-6): ``HR-6`` — a meeting still *scheduled* when its day is over was not held: the
organiser's violation (``meeting_missed_fine``); the meeting becomes *not held*.

Work reports (HR-7): ``HR-7r`` reminds the author of a report not yet submitted
``report_remind_minutes`` before its deadline; ``HR-7`` records a violation (``late_report_fine``;
the frontline author's superior pays double through DIS-1) for a deadline passed without an on-time
report. Each sweep computes the owed (kind, period) pairs whose deadline fell in its window, the
people who owe reports and those on leave once, and the on-time submissions in one query per
window — set-based; breach keys name person, kind and period, so repeated sweeps record nothing new.
On PostgreSQL both checks are one SELECT (``check_sql``) and HR-7's violations are applied by SQL
(``violation_sql``), the same findings and ledger as the Python path (``reports_sql``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.org.selectors import superior_of
from yingxiao.policy.registry import Action, ApplySQL, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .common import at_local, schedule
from .models import AttendanceRecord, Leave, Meeting, Trip, TripCheckin, WorkReport
from .reports import DAILY, DEADLINE_PARAMS, Deadlines, owing_people
from .reports_sql import late_report_apply_sql, reports_missing_sql

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


# --- HR-6 meetings ------------------------------------------------------------------------------
MEETING_LOOKBACK_DAYS = 31


# rule: HR-6 — the organiser of a meeting not held is fined.
@register
class MeetingNotHeld(Rule):
    """rule: HR-6 — a scheduled meeting not marked held by the end of its day: the organiser's violation."""

    id = "HR-6"
    title = _("Scheduled meeting not held")
    params = ("meeting_missed_fine",)
    action = Action.VIOLATE
    subject_model = "workforce.Meeting"
    explanation = _("%(organiser)s did not hold the meeting %(title)s scheduled for %(start)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = at_local(timezone.localdate(as_of), dt.time.min)
        rows = (
            Meeting.objects.filter(
                status=Meeting.Status.SCHEDULED,
                starts_at__lt=today,
                starts_at__gte=today - dt.timedelta(days=MEETING_LOOKBACK_DAYS),
            )
            .values("pk", "organiser_id", "organiser__display_name", "organiser__username", "title", "starts_at")
            .order_by("pk")
        )
        for row in rows.iterator():
            yield Finding(
                subject_id=row["pk"],
                person_id=row["organiser_id"],
                facts={
                    "organiser": row["organiser__display_name"] or row["organiser__username"],
                    "title": row["title"],
                    "start": timezone.localtime(row["starts_at"]).strftime("%Y-%m-%d %H:%M"),
                },
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.performance.services import violation_record

        changed = Meeting.objects.filter(pk=finding.subject_id, status=Meeting.Status.SCHEDULED).update(
            status=Meeting.Status.NOT_HELD
        )
        if not changed or finding.person_id is None:
            return False
        violation_record(
            actor_or_system=None,
            person=User.objects.get(pk=finding.person_id),
            rule_id="HR-6",
            evidence=finding.explanation,
            amount=policy_value("meeting_missed_fine", at=finding.as_of),
            subject=Meeting.objects.get(pk=finding.subject_id),
            breach_key=f"HR-6:not-held:{finding.subject_id}",
        )
        return True


# --- HR-7 work reports --------------------------------------------------------------------------
REPORT_LOOKBACK_DAYS = 7


def _owed(since: dt.datetime, until: dt.datetime) -> list[tuple[str, dt.date, dt.datetime]]:
    """(kind, period start, deadline) owed with a deadline in [since, until): the policy as of ``until``."""
    return Deadlines.load(at=until).periods_due_between(since, until)


def _report_findings(since: dt.datetime, until: dt.datetime, *, late_counts: bool) -> Iterable[Finding]:
    """(person, kind, period) owed with a deadline in [since, until) and no report on time.

    ``late_counts``: a report submitted after its deadline still breaches (the violation); for the
    reminder any submission settles it.
    """
    owed = _owed(since, until)
    if not owed:
        return
    # Periods from the day after joining (a go-live or a new hire does not owe what came before).
    people = {
        pk: (name, timezone.localdate(joined))
        for pk, name, joined in owing_people().values_list("pk", "display_name", "date_joined")
    }
    if not people:
        return
    kinds = sorted({kind for kind, _start, _due in owed})
    starts = sorted({start for _kind, start, _due in owed})
    done = WorkReport.objects.filter(kind__in=kinds, period_start__in=starts)
    if late_counts:
        done = done.filter(is_late=False)
    submitted = set(done.values_list("person_id", "kind", "period_start"))
    daily_days = [start for kind, start, _due in owed if kind in DAILY]
    away: set[tuple[int, dt.date]] = set()
    if daily_days:
        first, last = min(daily_days), max(daily_days)
        for person_id, start, end in Leave.objects.filter(
            status=Leave.Status.APPROVED, start_date__lte=last, end_date__gte=first
        ).values_list("person_id", "start_date", "end_date"):
            away.update((person_id, d) for d in daily_days if start <= d <= end)
    labels = dict(WorkReport.Kind.choices)
    for kind, start, due in owed:
        for person_id, (name, joined) in people.items():
            if start <= joined or (person_id, kind, start) in submitted:
                continue
            if kind in DAILY and (person_id, start) in away:
                continue
            yield Finding(
                subject_id=person_id,
                key=f"{kind}:{start.isoformat()}",
                person_id=person_id,
                facts={
                    "person": name,
                    "kind": str(labels[kind]),
                    "period": start.isoformat(),
                    "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                },
            )


def _parse_key(finding: Finding) -> tuple[str, dt.date]:
    kind, _sep, start = finding.key.partition(":")
    return kind, dt.date.fromisoformat(start)


@register
class ReportDueReminder(Rule):
    """rule: HR-7 — remind the author of a report not yet submitted before its deadline."""

    id = "HR-7r"
    title = _("Work report due soon")
    params = ("report_remind_minutes", *DEADLINE_PARAMS)
    action = Action.REMIND
    subject_model = "org.User"
    explanation = _("Your %(kind)s for %(period)s is due at %(due)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        lead = dt.timedelta(minutes=int(policy_value("report_remind_minutes", at=as_of)))
        yield from _report_findings(as_of, as_of + lead, late_counts=False)

    def check_sql(self, as_of: dt.datetime) -> tuple[str, list[Any]]:
        """``check`` as one SELECT (the engine records the findings inside the database)."""
        lead = dt.timedelta(minutes=int(policy_value("report_remind_minutes", at=as_of)))
        return reports_missing_sql(_owed(as_of, as_of + lead), late_counts=False)

    def apply(self, finding: Finding) -> bool:
        kind, start = _parse_key(finding)
        if WorkReport.objects.filter(person=finding.person_id, kind=kind, period_start=start).exists():
            return False
        person = User.objects.filter(pk=finding.person_id).first()
        return notify(person, message=finding.explanation, link=reverse("workforce:reports")) is not None


# rule: HR-7, DIS-1 — a late report is fined; the frontline author's superior pays double.
@register
class ReportLate(Rule):
    """rule: HR-7 — a report not submitted by its deadline is a violation (the superior pays double, DIS-1)."""

    id = "HR-7"
    title = _("Work report late")
    params = ("late_report_fine", *DEADLINE_PARAMS)
    action = Action.VIOLATE
    batch_size = 2000  # set-based apply (``apply_batch``): a few statements per chunk whatever its size
    subject_model = "org.User"
    explanation = _("%(person)s did not submit the %(kind)s for %(period)s by %(due)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        yield from _report_findings(as_of - dt.timedelta(days=REPORT_LOOKBACK_DAYS), as_of, late_counts=True)

    def check_sql(self, as_of: dt.datetime) -> tuple[str, list[Any]]:
        """``check`` as one SELECT (the engine records the findings inside the database)."""
        return reports_missing_sql(_owed(as_of - dt.timedelta(days=REPORT_LOOKBACK_DAYS), as_of), late_counts=True)

    def violation_sql(self, as_of: dt.datetime) -> ApplySQL:
        """``apply_batch`` as SQL (PostgreSQL: the engine writes the ledger set-based), the fine as of ``as_of``."""
        return late_report_apply_sql(fine=Decimal(str(policy_value("late_report_fine", at=as_of))))

    def apply(self, finding: Finding) -> bool:
        from yingxiao.performance.services import violation_record

        kind, start = _parse_key(finding)
        report = WorkReport.objects.filter(person=finding.person_id, kind=kind, period_start=start).first()
        if report is not None and not report.is_late:
            return False
        person = User.objects.filter(pk=finding.person_id).first()
        if person is None:
            return False
        violation_record(
            actor_or_system=None,
            person=person,
            rule_id="HR-7",
            evidence=finding.explanation,
            amount=policy_value("late_report_fine", at=finding.as_of),
            subject=report,
            breach_key=f"HR-7:report:{finding.breach_key}",
        )
        return True

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        """The chunk set-based, with the same outcome as ``apply`` one by one: the reports and the
        people read once, the fine once per as-of time, the violations (the frontline author's
        superior's double share and the approvals with them) through ``violation_record_many``."""
        from yingxiao.performance.services import Breach, violation_record_many

        keys = [(f.person_id, *_parse_key(f)) for f in findings]
        reports: dict[tuple[int | None, str, dt.date], WorkReport] = {
            (r.person_id, r.kind, r.period_start): r
            for r in WorkReport.objects.filter(
                person_id__in={person for person, _kind, _start in keys},
                kind__in={kind for _person, kind, _start in keys},
                period_start__in={start for _person, _kind, start in keys},
            )
        }
        people = User.objects.in_bulk({f.person_id for f in findings if f.person_id})
        fines: dict[dt.datetime | None, object] = {}
        breaches: list[Breach] = []
        done: list[bool] = []
        for finding, key in zip(findings, keys, strict=True):
            report = reports.get(key)
            person = people.get(finding.person_id) if finding.person_id else None
            if (report is not None and not report.is_late) or person is None:
                done.append(False)
                continue
            if finding.as_of not in fines:
                fines[finding.as_of] = policy_value("late_report_fine", at=finding.as_of)
            breaches.append(
                Breach(
                    person=person,
                    evidence=finding.explanation,
                    amount=fines[finding.as_of],
                    subject=report,
                    breach_key=f"HR-7:report:{finding.breach_key}",
                )
            )
            done.append(True)
        if breaches:
            violation_record_many(actor_or_system=None, rule_id="HR-7", breaches=breaches)
        return done
