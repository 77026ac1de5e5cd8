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
from django.utils import timezone
from django.utils.translation import gettext as _

from yingxiao.core.exports import Sheet, xlsx_bytes
from yingxiao.org.models import Assignment, DataScope, Department, User
from yingxiao.org.scope import scope_for
from yingxiao.policy.values import policy_value

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


# --- ACT-2: punctuality counted in the database (回访及时率 of the dashboards) ----------------------

# One statement: the transacted customers in scope, their counted return visits after becoming a
# deal, each visit's gap to the previous one (a window function), and per gap the due dates it
# settles or misses — counted in the requested range by integer arithmetic. Same schedule as
# ``return_visits._chain`` (a visit within ``days`` of the previous anchor is on time, within the
# following period late; each period that passes without one is missed; the last anchor's dues that
# have passed are missed or overdue), without building one Python object per due date.
_PUNCTUALITY_SQL = """
WITH c AS ({customers}),
v AS (
    SELECT a.customer_id, a.occurred_at
    FROM activities_activity a JOIN c ON c.pk = a.customer_id
    WHERE a.return_visit_counts AND a.occurred_at > c.deal_since AND a.occurred_at < %s
    GROUP BY a.customer_id, a.occurred_at
),
d AS (
    SELECT v.customer_id, {day_v} AS day,
           LAG({day_v}) OVER (PARTITION BY v.customer_id ORDER BY v.occurred_at) AS prev
    FROM v
),
seg AS (
    SELECT p, g, CASE WHEN g <= %s THEN 1 ELSE (g + %s - 1) / %s - 1 END AS k
    FROM (SELECT COALESCE(d.prev, {day_c}) AS p, d.day - COALESCE(d.prev, {day_c}) AS g
          FROM d JOIN c ON c.pk = d.customer_id) AS gaps
),
tail AS (
    SELECT COALESCE(MAX(d.day), {day_c}) AS p
    FROM c LEFT JOIN d ON d.customer_id = c.pk
    GROUP BY c.pk, c.deal_since
)
SELECT
    (SELECT COUNT(*) FROM seg WHERE g <= %s AND p + k * %s BETWEEN %s AND %s),
    (SELECT COUNT(*) FROM seg WHERE p + k * %s BETWEEN %s AND %s),
    (SELECT COALESCE(SUM(CASE WHEN hi >= lo THEN hi - lo + 1 ELSE 0 END), 0) FROM (
        SELECT CASE WHEN %s - p <= %s THEN 1 ELSE (%s - p + %s - 1) / %s END AS lo,
               CASE WHEN (%s - p) / %s < k - 1 THEN (%s - p) / %s ELSE k - 1 END AS hi
        FROM seg) AS missed),
    (SELECT COALESCE(SUM(CASE WHEN hi >= lo THEN hi - lo + 1 ELSE 0 END), 0) FROM (
        SELECT CASE WHEN %s - p <= %s THEN 1 ELSE (%s - p + %s - 1) / %s END AS lo,
               CASE WHEN (%s - p) / %s < (%s - 1 - p) / %s THEN (%s - p) / %s ELSE (%s - 1 - p) / %s END AS hi
        FROM tail WHERE %s - 1 - p >= 0) AS open)
"""


def _day_number_sql(column: str) -> tuple[str, int]:
    """SQL for the local calendar day of a timestamp as an integer, and that integer for 1970-01-01."""
    from django.db import connection

    offset = timezone.localtime(timezone.now()).utcoffset() or dt.timedelta(0)
    if connection.vendor == "postgresql":
        name = timezone.get_current_timezone_name()
        return f"(({column} AT TIME ZONE '{name}')::date - DATE '1970-01-01')", 0
    # SQLite stores UTC text; the business calendar's zone has no daylight saving (Asia/Shanghai).
    hours = int(offset.total_seconds() // 3600)
    return f"CAST(julianday(date({column}, '{hours:+d} hours')) AS INTEGER)", 2440587


def return_visit_punctuality_counts(
    actor: User,
    first: dt.date,
    last: dt.date,
    *,
    department_id: int | None = None,
    today: dt.date | None = None,
) -> tuple[int, int]:
    """(on time, due) of the return visits due from ``first`` to ``last`` over the actor's customers.

    The figure of ``return_visits.return_visit_punctuality`` (same customers, same schedule, same
    counts as its items), computed in one statement instead of walking every customer's schedule.
    """
    # rule: ACT-2 — punctuality (回访及时率), set-based.
    from .schedule import punctuality_counts, use_schedule_tables

    if use_schedule_tables():  # PostgreSQL: the schedule tables its triggers keep (same figure)
        return punctuality_counts(actor, first, last, department_id=department_id, today=today)
    return reference_punctuality_counts(actor, first, last, department_id=department_id, today=today)


def reference_punctuality_counts(
    actor: User,
    first: dt.date,
    last: dt.date,
    *,
    department_id: int | None = None,
    today: dt.date | None = None,
) -> tuple[int, int]:
    """``return_visit_punctuality_counts`` from the customer history and every counted return visit:
    SQLite's path, and on PostgreSQL the reference the schedule tables are tested against."""
    # rule: ACT-2 — punctuality (回访及时率), set-based, from the records themselves.
    from django.db import connection, transaction

    from yingxiao.customers.models import Customer

    from .return_visits import with_return_visit_due

    today = today or timezone.localdate()
    at = min(day_start(last + dt.timedelta(days=1)), timezone.now())
    step = int(policy_value("return_visit_days", at=at))
    customers = with_return_visit_due(Customer.objects.restrict(actor, "view"))
    if department_id:
        customers = customers.filter(department_id__in=subtree_ids(department_id))
    inner_sql, inner_params = customers.order_by().values("pk", "deal_since").query.sql_with_params()
    day_v, epoch = _day_number_sql("v.occurred_at")
    day_c, _epoch = _day_number_sql("c.deal_since")
    low = (first - dt.date(1970, 1, 1)).days + epoch
    high = (last - dt.date(1970, 1, 1)).days + epoch
    now = (today - dt.date(1970, 1, 1)).days + epoch
    bound = day_start(last + dt.timedelta(days=step + 1))  # a late visit closes a due too
    sql = _PUNCTUALITY_SQL.format(customers=inner_sql, day_v=day_v, day_c=day_c)
    params = [
        *inner_params,
        connection.ops.adapt_datetimefield_value(bound),
        step, step, step,  # seg
        step, step, low, high,  # on time
        step, low, high,  # due (settled)
        low, step, low, step, step, high, step, high, step,  # missed between visits
        low, step, low, step, step, high, step, now, step, high, step, now, step, now,  # passed since the last
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The correlated deal-date lookup makes the planner's estimate large enough to JIT-compile
            # the statement: seconds of compiling for a statement that runs in tens of milliseconds.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        on_time, settled, missed, open_ = cursor.fetchone()
    return int(on_time or 0), int(settled or 0) + int(missed or 0) + int(open_ or 0)
