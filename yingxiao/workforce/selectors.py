"""Reads of attendance (HR-1, HR-2): the monthly sheet per person and per department.

The counts come from one aggregate query over the month's records (``GROUP BY person``);
leave and trip days come from the approved leaves and trips overlapping the month. The days a
person was expected but neither clocked in nor was on leave or a trip are absent days. Each
row lists its deductions with the clause that imposes them (HR-2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for
from yingxiao.policy.values import policy_values

from .common import month_bounds
from .models import PEOPLE_ALL_ROLES, AttendanceRecord, Leave, Tier, Trip

_PARAMS = ("late_minor_deduct", "late_general_deduct", "absent_half_pct")


@dataclass
class Deduction:
    """One line of the sheet's deductions: the clause, what happened, how many times, the amount."""

    clause: str
    label: str
    count: int
    amount: Decimal | None = None  # yuan; None when it is a share of the performance bonus
    bonus_pct: Decimal | None = None


@dataclass
class SheetRow:
    """One person's month (HR-2)."""

    person: User
    expected_days: int = 0
    present_days: int = 0
    minor: int = 0
    general: int = 0
    half_days: int = 0
    missing_clock_out: int = 0
    leave_days: int = 0
    trip_days: int = 0
    trip_missed: int = 0
    absent_days: int = 0
    deductions: list[Deduction] = field(default_factory=list)
    warning: bool = False
    terminate: bool = False

    @property
    def fixed_total(self) -> Decimal:
        return sum((d.amount for d in self.deductions if d.amount is not None), Decimal(0))


def parse_month(value: str | None) -> dt.date | None:
    """``YYYY-MM`` → the first of the month; None when malformed."""
    year, _sep, month = (value or "").strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit()):
        return None
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def visible_people(actor: User, department: Department | None = None) -> QuerySet[User]:
    """People whose attendance ``actor`` may read (ORG-5), optionally within a department subtree."""
    people = User.objects.filter(is_active=True).exclude(status=User.Status.LEFT)
    if not actor.has_perm("workforce.view_attendancerecord"):
        return people.none()
    scope = scope_for(actor)
    open_assignment = Q(assignments__ended_on__isnull=True)
    if scope.is_all and not scope.role_codes & PEOPLE_ALL_ROLES:
        people = people.filter(pk=actor.pk)
    elif not scope.is_all:
        reach = Q(pk=actor.pk)
        if scope.level == "department" and scope.department_ids:
            reach |= open_assignment & Q(assignments__position__department__in=sorted(scope.department_ids))
        people = people.filter(reach)
    if department is not None:
        people = people.filter(open_assignment, assignments__position__department__path__startswith=department.path)
    return people.distinct().order_by("display_name", "username")


def _overlap_days(
    spans: list[tuple[int, dt.date, dt.date]], first: dt.date, last: dt.date, calendar: BusinessCalendar
) -> dict[int, set[dt.date]]:
    days: dict[int, set[dt.date]] = {}
    for person_id, start, end in spans:
        day = max(start, first)
        while day <= min(end, last):
            if calendar.is_workday(day):
                days.setdefault(person_id, set()).add(day)
            day += dt.timedelta(days=1)
    return days


def attendance_sheet(actor: User, month: dt.date, people: QuerySet[User] | list[User]) -> list[SheetRow]:
    """rule: HR-2 — the monthly sheet of ``people`` (already limited to what ``actor`` may see)."""
    first, last = month_bounds(month)
    today = timezone.localdate()
    cutoff = min(last, today - dt.timedelta(days=1))  # today is not over yet
    calendar = BusinessCalendar.load()
    people = list(people)
    ids = [p.pk for p in people]
    counts: dict[int, dict[str, Any]] = {
        row["person_id"]: dict(row)
        for row in AttendanceRecord.objects.filter(person_id__in=ids, day__gte=first, day__lte=last)
        .values("person_id")
        .annotate(
            present=Count("pk", filter=Q(is_workday=True, clock_in__isnull=False)),
            minor=Count("pk", filter=Q(late_tier=Tier.MINOR)) + Count("pk", filter=Q(early_tier=Tier.MINOR)),
            general=Count("pk", filter=Q(late_tier=Tier.GENERAL)) + Count("pk", filter=Q(early_tier=Tier.GENERAL)),
            half=Count("pk", filter=Q(late_tier=Tier.HALF_DAY)) + Count("pk", filter=Q(early_tier=Tier.HALF_DAY)),
            no_out=Count(
                "pk", filter=Q(is_workday=True, clock_in__isnull=False, clock_out__isnull=True, day__lte=cutoff)
            ),
            trip_missed=Count("pk", filter=Q(mark=AttendanceRecord.Mark.TRIP_MISSED)),
        )
    }
    leave_days = _overlap_days(
        list(
            Leave.objects.filter(
                person_id__in=ids, status=Leave.Status.APPROVED, start_date__lte=last, end_date__gte=first
            ).values_list("person_id", "start_date", "end_date")
        ),
        first,
        last,
        calendar,
    )
    trip_days = _overlap_days(
        list(
            Trip.objects.filter(
                person_id__in=ids, status=Trip.Status.APPROVED, start_date__lte=last, end_date__gte=first
            ).values_list("person_id", "start_date", "end_date")
        ),
        first,
        last,
        calendar,
    )
    expected_days = [first + dt.timedelta(days=n) for n in range((cutoff - first).days + 1)]
    expected_days = [d for d in expected_days if calendar.is_workday(d)]
    present_days = _present_days(ids, first, cutoff)
    params = policy_values(_PARAMS)
    rows = []
    for person in people:
        data = counts.get(person.pk, {})
        excused = leave_days.get(person.pk, set()) | trip_days.get(person.pk, set())
        absent = [d for d in expected_days if d not in excused and (person.pk, d) not in present_days]
        row = SheetRow(
            person=person,
            expected_days=len(expected_days),
            present_days=data.get("present", 0),
            minor=data.get("minor", 0),
            general=data.get("general", 0),
            half_days=data.get("half", 0) + data.get("no_out", 0),
            missing_clock_out=data.get("no_out", 0),
            leave_days=len(leave_days.get(person.pk, ())),
            trip_days=len(trip_days.get(person.pk, ())),
            trip_missed=data.get("trip_missed", 0),
            absent_days=len(absent),
        )
        _deductions(row, params)
        rows.append(row)
    return rows


def _present_days(ids: list[int], first: dt.date, cutoff: dt.date) -> set[tuple[int, dt.date]]:
    if cutoff < first:
        return set()
    return set(
        AttendanceRecord.objects.filter(
            person_id__in=ids, day__gte=first, day__lte=cutoff, clock_in__isnull=False
        ).values_list("person_id", "day")
    )


# rule: HR-2 — each deduction with its clause.
def _deductions(row: SheetRow, params: dict[str, Any]) -> None:
    if row.minor:
        row.deductions.append(
            Deduction(
                "HR-2", _("Minor lateness / early leave"), row.minor, amount=params["late_minor_deduct"] * row.minor
            )
        )
    if row.general:
        row.deductions.append(
            Deduction(
                "HR-2",
                _("General lateness / early leave"),
                row.general,
                amount=params["late_general_deduct"] * row.general,
            )
        )
    if row.half_days:
        row.warning = True
        pct = Decimal(params["absent_half_pct"]) * row.half_days
        row.deductions.append(
            Deduction(
                "HR-2", _("Half a day absent (serious): warning"), row.half_days, bonus_pct=min(pct, Decimal(100))
            )
        )
    if row.absent_days:
        row.terminate = True
        row.deductions.append(
            Deduction(
                "HR-2",
                _("Absent a day or more: whole bonus plus days × daily wage; flagged for termination"),
                row.absent_days,
                bonus_pct=Decimal(100),
            )
        )
