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
    evaluation: Any = None  # the month's performance evaluation (PRF-1) when the reader may see it

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


def department_param(value: Any) -> Department | None:
    """The department a page or API filter names by id (``?department=12``); None when it names none."""
    text = str(value or "")
    return Department.objects.filter(pk=int(text)).first() if text.isdigit() else None


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
    expected_days = _expected_days(first, cutoff, calendar)
    # An empty IN would empty the whole query: a month not begun has no expected day to be present on.
    on_expected_day = Q(day__in=expected_days) if expected_days else Q(day__lt=first)
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
            # Present on an expected day so far (the absent count below subtracts these).
            present_expected=Count("pk", filter=Q(clock_in__isnull=False) & on_expected_day),
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
    expected = set(expected_days)
    # Absent = expected − present − excused: the present days are counted in SQL; only the few
    # excused days need to be checked one by one (present on a leave day counts once).
    excused_days = {
        pk: (leave_days.get(pk, set()) | trip_days.get(pk, set())) & expected for pk in set(leave_days) | set(trip_days)
    }
    present_excused = _present_on(excused_days)
    params = policy_values(_PARAMS)
    rows = []
    for person in people:
        data = counts.get(person.pk, {})
        excused = excused_days.get(person.pk, set())
        absent_count = (
            len(expected_days)
            - data.get("present_expected", 0)
            - len([d for d in excused if (person.pk, d) not in present_excused])
        )
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
            absent_days=max(absent_count, 0),
        )
        _deductions(row, params)
        rows.append(row)
    return rows


def attach_evaluations(actor: User, month: dt.date, rows: list[SheetRow]) -> list[SheetRow]:
    """rule: PRF-1 — put each person's evaluation of the month (grade when final) beside their attendance.

    One query, scoped by the evaluations' own ``restrict`` (ORG-5): a reader who may see a
    person's attendance but not their evaluation sees no grade.
    """
    from yingxiao.performance.models import Evaluation

    ids = [row.person.pk for row in rows]
    found = {
        evaluation.person_id: evaluation
        for evaluation in Evaluation.objects.restrict(actor)  # type: ignore[attr-defined]
        .filter(month=month.replace(day=1), person_id__in=ids)
        .only("pk", "person_id", "month", "status", "score", "grade", "review_flagged")
    }
    for row in rows:
        row.evaluation = found.get(row.person.pk)
    return rows


def _expected_days(first: dt.date, cutoff: dt.date, calendar: BusinessCalendar | None = None) -> list[dt.date]:
    """The working days from ``first`` to ``cutoff`` (empty when the month has not started)."""
    calendar = calendar or BusinessCalendar.load()
    days = [first + dt.timedelta(days=n) for n in range((cutoff - first).days + 1)]
    return [d for d in days if calendar.is_workday(d)]


def _present_on(days: dict[int, set[dt.date]]) -> set[tuple[int, dt.date]]:
    """Which of the given (person, day) pairs have a clock-in."""
    wanted = {(pk, d) for pk, ds in days.items() for d in ds}
    if not wanted:
        return set()
    found = AttendanceRecord.objects.filter(
        person_id__in={pk for pk, _d in wanted},
        day__gte=min(d for _pk, d in wanted),
        day__lte=max(d for _pk, d in wanted),
        clock_in__isnull=False,
    ).values_list("person_id", "day")
    return {pair for pair in found if pair in wanted}


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
