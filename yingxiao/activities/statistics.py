"""Visitor and call statistics (来人来电统计表, ACT-4): per day per team and person, and per month per team.

Counted in the database (one GROUP BY per table), over the contacts the actor may see. A
person's team is the department of their primary position; the department filter takes a
department and everything below it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from yingxiao.core.exports import Sheet, xlsx_bytes
from yingxiao.org.models import Assignment, DataScope, Department, User
from yingxiao.org.scope import scope_for

from .models import Activity, Inquiry
from .return_visits import day_start, month_bounds, subtree_ids

if TYPE_CHECKING:
    from collections.abc import Iterable

# rule: ACT-4 — what each column counts.
COUNTS: dict[str, Q] = {
    "visits": Q(kind__in=[Activity.Kind.VISIT, Activity.Kind.HOME_VISIT]),
    "inbound_calls": Q(kind=Activity.Kind.CALL, direction=Activity.Direction.INBOUND),
    "outbound_calls": Q(kind=Activity.Kind.CALL, direction=Activity.Direction.OUTBOUND),
    "letters": Q(kind=Activity.Kind.LETTER),
    "emails": Q(kind=Activity.Kind.EMAIL),
}


def _team_of(user_ref: str) -> Subquery:
    return Subquery(
        Assignment.objects.filter(user=OuterRef(user_ref), is_primary=True, ended_on__isnull=True)
        .order_by("pk")
        .values("position__department_id")[:1],
        output_field=IntegerField(),
    )


@dataclass
class StatRow:
    """One line of the statistics table (a person, a team subtotal, or the total)."""

    day: dt.date | None
    team_id: int | None
    team: str
    staff_id: int | None
    staff: str
    visits: int = 0
    inbound_calls: int = 0
    outbound_calls: int = 0
    letters: int = 0
    emails: int = 0
    inquiries: int = 0

    @property
    def total(self) -> int:
        return self.visits + self.inbound_calls + self.outbound_calls + self.letters + self.emails

    def add(self, other: StatRow) -> None:
        for name in (*COUNTS, "inquiries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Statistics:
    rows: list[StatRow] = field(default_factory=list)
    total: StatRow = field(default_factory=lambda: StatRow(None, None, "", None, ""))


def _names(model: type[Department] | type[User], ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = sorted({pk for pk in ids if pk is not None})
    if model is Department:
        return dict(Department.objects.filter(pk__in=wanted).values_list("pk", "name"))
    return {pk: str(user) for pk, user in ((u.pk, u) for u in User.objects.filter(pk__in=wanted))}


def _scoped(actor: User, start: dt.date, end: dt.date, department_id: int | None) -> QuerySet[Activity]:
    rows = (
        Activity.objects.restrict(actor, "view")
        .filter(occurred_at__gte=day_start(start), occurred_at__lt=day_start(end + dt.timedelta(days=1)))
        .annotate(team_id=_team_of("staff_id"))
    )
    if department_id:
        rows = rows.filter(team_id__in=subtree_ids(department_id))
    return rows


def daily_statistics(
    actor: User, *, start: dt.date, end: dt.date | None = None, department_id: int | None = None
) -> Statistics:
    """来人来电统计表: per day, team and person, the visits, calls, letters and e-mails."""
    # rule: ACT-4 — daily visitor/call statistics.
    end = end or start
    grouped = (
        _scoped(actor, start, end, department_id)
        .annotate(day=TruncDate("occurred_at"))
        .values("day", "team_id", "staff_id")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in COUNTS.items()})
        .order_by("day", "team_id", "staff_id")
    )
    data = list(grouped)
    teams = _names(Department, (row["team_id"] for row in data))
    people = _names(User, (row["staff_id"] for row in data))
    result = Statistics()
    for row in data:
        line = StatRow(
            row["day"],
            row["team_id"],
            teams.get(row["team_id"], _("(no team)")),
            row["staff_id"],
            people.get(row["staff_id"], ""),
            **{name: row[name] for name in COUNTS},
        )
        result.rows.append(line)
        result.total.add(line)
    return result


def monthly_statistics(actor: User, *, month: dt.date, department_id: int | None = None) -> Statistics:
    """Per team for a month: visits, inquiry calls (inbound calls), letters, e-mails and inquiries (ACT-5)."""
    # rule: ACT-4 — monthly statistics of visits and inquiry calls per team.
    first, last = month_bounds(month)
    grouped = (
        _scoped(actor, first, last, department_id)
        .values("team_id")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in COUNTS.items()})
        .order_by("team_id")
    )
    inquiries = (
        Inquiry.objects.restrict(actor, "view")
        .filter(received_at__gte=day_start(first), received_at__lt=day_start(last + dt.timedelta(days=1)))
        .annotate(team_id=_team_of("assigned_to_id"))
    )
    if department_id:
        inquiries = inquiries.filter(team_id__in=subtree_ids(department_id))
    inquiry_counts = dict(inquiries.values("team_id").annotate(n=Count("pk")).order_by().values_list("team_id", "n"))
    data = {row["team_id"]: row for row in grouped}
    teams = _names(Department, [*data, *inquiry_counts])
    result = Statistics()
    for team_id in sorted({*data, *inquiry_counts}, key=lambda pk: (teams.get(pk, ""), pk or 0)):
        counts = data.get(team_id, {})
        line = StatRow(
            first,
            team_id,
            teams.get(team_id, _("(no team)")),
            None,
            "",
            **{name: counts.get(name, 0) for name in COUNTS},
            inquiries=inquiry_counts.get(team_id, 0),
        )
        result.rows.append(line)
        result.total.add(line)
    return result


def department_choices(actor: User) -> list[tuple[int, str]]:
    """Departments the statistics page offers as a filter: those within the actor's scope."""
    scope = scope_for(actor)
    departments = Department.objects.filter(is_active=True)
    if not scope.is_all:
        if scope.level == DataScope.DEPARTMENT:
            departments = departments.filter(pk__in=sorted(scope.department_ids))
        else:
            departments = departments.filter(
                positions__assignments__user=actor, positions__assignments__ended_on__isnull=True
            )
    return list(departments.order_by("path").values_list("pk", "name").distinct())


_HEADER = ("visits", "inbound_calls", "outbound_calls", "letters", "emails")


def _labels() -> dict[str, str]:
    return {
        "visits": _("Visits"),
        "inbound_calls": _("Inbound calls"),
        "outbound_calls": _("Outbound calls"),
        "letters": _("Letters"),
        "emails": _("E-mails"),
        "inquiries": _("Inquiries"),
        "total": _("Total"),
    }


def statistics_sheets(daily: Statistics | None, monthly: Statistics | None) -> list[Sheet]:
    """The statistics as export sheets (core/exports.py escapes the cells; ARC-2)."""
    labels = _labels()
    sheets: list[Sheet] = []
    if daily is not None:
        rows: list[list[Any]] = [
            [row.day.isoformat() if row.day else "", row.team, row.staff, *(getattr(row, n) for n in _HEADER)]
            for row in daily.rows
        ]
        rows.append([_("Total"), "", "", *(getattr(daily.total, n) for n in _HEADER)])
        header = (_("Date"), _("Team"), _("Staff"), *(labels[n] for n in _HEADER))
        sheets.append(Sheet(_("Daily"), rows, header=header))
    if monthly is not None:
        columns = (*_HEADER, "inquiries")
        rows = [
            [row.day.strftime("%Y-%m") if row.day else "", row.team, *(getattr(row, n) for n in columns)]
            for row in monthly.rows
        ]
        rows.append([_("Total"), "", *(getattr(monthly.total, n) for n in columns)])
        header = (_("Month"), _("Team"), *(labels[n] for n in columns))
        sheets.append(Sheet(_("Monthly"), rows, header=header))
    return sheets or [Sheet(_("Statistics"), [])]


def statistics_workbook(daily: Statistics | None, monthly: Statistics | None) -> bytes:
    """The statistics as an .xlsx file; text cells Excel would read as a formula are escaped."""
    return xlsx_bytes(statistics_sheets(daily, monthly))
