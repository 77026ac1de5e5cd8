"""Return visits (回访, ACT-2) and the SMS streak that stops counting (ACT-3).

Write side: ``return_visit_mark`` runs inside ``activity_log``'s transaction and keeps the
derived ``sms_streak`` / ``return_visit_counts`` of the customer's return visits right, even when
an older contact is logged late.

Read side: every transacted (成交) customer is due a counted return visit ``return_visit_days``
after the last one (or after becoming a deal); the day itself is still on time, the day after is
overdue. Punctuality (回访及时率) of a month is the share of the return visits that fell due in
that month and were made by their due date; each one is listed behind the figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.customers.models import Customer
from yingxiao.org.models import Department
from yingxiao.policy.values import policy_value

from .models import Activity

if TYPE_CHECKING:
    from yingxiao.org.models import User


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local (Asia/Shanghai) calendar day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month containing ``month``."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def subtree_ids(department_id: int) -> list[int]:
    """The department and every department below it."""
    path = Department.objects.filter(pk=department_id).values_list("path", flat=True).first()
    if path is None:
        return []
    return list(Department.objects.filter(path__startswith=path).values_list("pk", flat=True))


# --- ACT-3: the SMS streak, kept on write ---------------------------------------------------


def _counts(kind: str, streak: int, at: dt.datetime) -> bool:
    # rule: ACT-3 — the sms_invalid_streak-th SMS-only return visit in a row, and every one after it, is invalid.
    if kind != Activity.Kind.SMS:
        return True
    return streak < int(policy_value("sms_invalid_streak", at=at))


def return_visit_mark(activity: Activity) -> None:
    """Set the ACT-3 fields of a new return visit before it is saved (the customer row is locked).

    Its streak continues the previous return visit's; a contact logged late, before later return
    visits, is followed by ``return_visit_recount``.
    """
    previous = (
        Activity.objects.filter(customer_id=activity.customer_id, is_return_visit=True)
        .filter(occurred_at__lte=activity.occurred_at)
        .order_by("-occurred_at", "-id")
        .values_list("kind", "sms_streak")
        .first()
    )
    streak = 0
    if activity.kind == Activity.Kind.SMS:
        streak = (previous[1] if previous and previous[0] == Activity.Kind.SMS else 0) + 1
    activity.sms_streak = streak
    activity.return_visit_counts = _counts(activity.kind, streak, activity.occurred_at)


def return_visit_recount(customer_id: int, after: dt.datetime) -> int:
    """Recompute the ACT-3 fields of the customer's return visits from ``after`` on; returns rows changed."""
    rows = list(
        Activity.objects.filter(customer_id=customer_id, is_return_visit=True)
        .order_by("occurred_at", "id")
        .only("pk", "kind", "occurred_at", "sms_streak", "return_visit_counts")
    )
    streak = 0
    changed: list[Activity] = []
    for row in rows:
        streak = streak + 1 if row.kind == Activity.Kind.SMS else 0
        counts = _counts(row.kind, streak, row.occurred_at)
        if row.occurred_at >= after and (row.sms_streak, row.return_visit_counts) != (streak, counts):
            row.sms_streak, row.return_visit_counts = streak, counts
            changed.append(row)
    if changed:
        Activity.objects.bulk_update(changed, ["sms_streak", "return_visit_counts"])
    return len(changed)


# --- ACT-2: due dates, set-based ------------------------------------------------------------


def with_return_visit_due(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Transacted customers annotated with ``deal_since``, ``last_return_visit`` and ``rv_anchor``.

    ``deal_since`` is when the customer first became a deal (from its history; the registration
    time when the history does not say); ``rv_anchor`` is the last counted return visit since
    then, or ``deal_since`` — the due date is ``rv_anchor``'s day plus ``return_visit_days``.
    """
    history = Customer.history.model._default_manager  # type: ignore[attr-defined]
    became_deal = history.filter(id=OuterRef("pk"), stage=Customer.Stage.DEAL).order_by("history_date")
    last_counted = Activity.objects.filter(
        customer=OuterRef("pk"), return_visit_counts=True, occurred_at__gte=OuterRef("deal_since")
    ).order_by("-occurred_at")
    return (
        customers.filter(stage=Customer.Stage.DEAL, is_archived=False)
        .annotate(deal_since=Coalesce(Subquery(became_deal.values("history_date")[:1]), F("registered_at")))
        .annotate(last_return_visit=Subquery(last_counted.values("occurred_at")[:1]))
        .annotate(rv_anchor=Coalesce(F("last_return_visit"), F("deal_since")))
    )


def due_by(customers: QuerySet[Customer], *, days: int, day: dt.date) -> QuerySet[Customer]:
    """Customers (from ``with_return_visit_due``) whose return visit is due on or before ``day``."""
    return customers.filter(rv_anchor__lt=day_start(day - dt.timedelta(days=days - 1)))


def due_date(anchor: dt.datetime, days: int) -> dt.date:
    return timezone.localdate(anchor) + dt.timedelta(days=days)


@dataclass(frozen=True)
class DueRow:
    """One customer of the overdue / due-soon list."""

    customer: Customer
    due: dt.date
    days_overdue: int

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


def return_visits_due(
    actor: User, *, department_id: int | None = None, today: dt.date | None = None
) -> QuerySet[Customer]:
    """The actor's transacted customers whose return visit is overdue or due within the lead time."""
    # rule: ACT-2 — the overdue list.
    today = today or timezone.localdate()
    days = int(policy_value("return_visit_days"))
    lead = int(policy_value("return_visit_lead_days"))
    customers = Customer.objects.restrict(actor, "view").select_related("owner", "department")
    if department_id:
        customers = customers.filter(department_id__in=subtree_ids(department_id))
    return due_by(with_return_visit_due(customers), days=days, day=today + dt.timedelta(days=lead)).order_by(
        "rv_anchor", "pk"
    )


def due_rows(customers: Iterable[Customer], *, today: dt.date | None = None) -> list[DueRow]:
    """Rows for one page of ``return_visits_due``."""
    today = today or timezone.localdate()
    days = int(policy_value("return_visit_days"))
    rows = []
    for customer in customers:
        due = due_date(customer.rv_anchor, days)  # type: ignore[attr-defined]
        rows.append(DueRow(customer=customer, due=due, days_overdue=max((today - due).days, 0)))
    return rows


# --- ACT-2: punctuality (回访及时率) ----------------------------------------------------------


class DueStatus:
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    OVERDUE = "overdue"

    LABELS: dict[str, Any] = {
        ON_TIME: _("on time"),
        LATE: _("late"),
        MISSED: _("missed"),
        OVERDUE: _("overdue"),
    }


@dataclass(frozen=True)
class DueItem:
    """One return visit that fell due: the record behind the punctuality figure."""

    customer_id: int
    customer_name: str
    owner_id: int | None
    owner_name: str
    department_id: int | None
    department_name: str
    due: dt.date
    visited_at: dt.datetime | None
    status: str

    @property
    def on_time(self) -> bool:
        return self.status == DueStatus.ON_TIME

    @property
    def status_label(self) -> Any:
        return DueStatus.LABELS[self.status]


@dataclass
class PunctualityRow:
    """On-time return visits over due return visits for one person, department or the total."""

    key: int | None
    label: str
    due: int = 0
    on_time: int = 0
    target: Decimal = Decimal(1)

    @property
    def rate(self) -> Decimal | None:
        if not self.due:
            return None
        return (Decimal(self.on_time) / Decimal(self.due)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def percent(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else (rate * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def meets_target(self) -> bool | None:
        rate = self.rate
        return None if rate is None else rate >= self.target


@dataclass
class PunctualityReport:
    month: dt.date
    target: Decimal
    total: PunctualityRow
    by_person: list[PunctualityRow] = field(default_factory=list)
    by_department: list[PunctualityRow] = field(default_factory=list)
    items: list[DueItem] = field(default_factory=list)


def _chain(
    anchor: dt.datetime, visits: list[dt.datetime], days: int, until: dt.date, today: dt.date
) -> Iterable[tuple[dt.date, dt.datetime | None, str]]:
    """The due return visits of one customer up to ``until``: (due date, visit, status).

    A visit on or before the due date is on time and the next one falls due ``days`` after it; a
    visit within the following period is late (and resets the schedule); a period that passes
    without any is missed, and the next one falls due a period later. Not yet due: not listed.
    """
    step = dt.timedelta(days=days)
    due = timezone.localdate(anchor) + step
    index = 0
    while due <= until:
        while index < len(visits) and visits[index] <= anchor:
            index += 1
        visit = visits[index] if index < len(visits) else None
        visit_day = timezone.localdate(visit) if visit else None
        if visit is not None and visit_day is not None and visit_day <= due + step:
            yield due, visit, DueStatus.ON_TIME if visit_day <= due else DueStatus.LATE
            anchor = visit
            due = visit_day + step
        elif due >= today:
            return  # not due yet (today is still on time)
        elif due + step < today or visit is not None:
            yield due, None, DueStatus.MISSED
            due += step
        else:
            yield due, None, DueStatus.OVERDUE
            return


def return_visit_punctuality(
    actor: User,
    month: dt.date,
    *,
    department_id: int | None = None,
    person_id: int | None = None,
    today: dt.date | None = None,
) -> PunctualityReport:
    """回访及时率 of ``month`` per owner, per department and in total, over the actor's customers.

    Two queries (customers, their counted return visits); the schedule of each customer is then
    walked in memory. Figures are attributed to the customer's current owner and department.
    """
    # rule: ACT-2 — punctuality, measured against return_visit_target.
    today = today or timezone.localdate()
    first, last = month_bounds(month)
    at = min(day_start(last + dt.timedelta(days=1)), timezone.now())
    days = int(policy_value("return_visit_days", at=at))
    target = Decimal(policy_value("return_visit_target", at=at)) / 100  # stored in percent
    customers = with_return_visit_due(Customer.objects.restrict(actor, "view"))
    if department_id:
        customers = customers.filter(department_id__in=subtree_ids(department_id))
    if person_id:
        customers = customers.filter(owner_id=person_id)
    rows = list(
        customers.values(
            "pk",
            "name",
            "owner_id",
            "owner__display_name",
            "owner__username",
            "department_id",
            "department__name",
            "deal_since",
        ).order_by("pk")
    )
    visits: dict[int, list[dt.datetime]] = defaultdict(list)
    for customer_id, occurred_at in (
        Activity.objects.filter(customer__in=customers.values("pk"), return_visit_counts=True)
        .filter(occurred_at__lt=day_start(last + dt.timedelta(days=days + 1)))  # a late visit closes a due too
        .order_by("customer_id", "occurred_at")
        .values_list("customer_id", "occurred_at")
    ):
        visits[customer_id].append(occurred_at)
    report = PunctualityReport(month=first, target=target, total=PunctualityRow(None, str(_("Total")), target=target))
    people: dict[int | None, PunctualityRow] = {}
    departments: dict[int | None, PunctualityRow] = {}
    for row in rows:
        owner_name = row["owner__display_name"] or row["owner__username"] or str(_("(no owner)"))
        department_name = row["department__name"] or str(_("(no department)"))
        for due, visited_at, status in _chain(row["deal_since"], visits[row["pk"]], days, last, today):
            if due < first:
                continue
            item = DueItem(
                row["pk"],
                row["name"],
                row["owner_id"],
                owner_name,
                row["department_id"],
                department_name,
                due,
                visited_at,
                status,
            )
            report.items.append(item)
            person = people.setdefault(row["owner_id"], PunctualityRow(row["owner_id"], owner_name, target=target))
            team = departments.setdefault(
                row["department_id"], PunctualityRow(row["department_id"], department_name, target=target)
            )
            for figure in (person, team, report.total):
                figure.due += 1
                figure.on_time += item.on_time
    report.by_person = sorted(people.values(), key=lambda r: r.label)
    report.by_department = sorted(departments.values(), key=lambda r: r.label)
    report.items.sort(key=lambda i: (i.due, i.customer_name))
    return report


def punctuality_items(report: PunctualityReport, *, status: str | None = None) -> list[DueItem]:
    """The drill-down: the records behind the figure, optionally one status only."""
    if status:
        return [item for item in report.items if item.status == status]
    return list(report.items)
