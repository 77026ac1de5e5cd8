"""Reads of the fines-and-rewards ledger (DIS-3), always through ``restrict``.

An entry belongs to the month it was approved (``booked_on``): approved and paid fines,
approved rewards. Proposed and rejected entries never count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from yingxiao.core.errors import BusinessError
from yingxiao.core.querysets import get_restricted_or_404

from . import errors
from .models import Reward, Violation

if TYPE_CHECKING:
    from yingxiao.org.models import User

ZERO = Decimal("0.00")
COUNTED_FINES = (Violation.Status.APPROVED, Violation.Status.PAID)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str | None) -> dt.date:
    """``"2025-06"`` → 2025-06-01; empty → the current month; anything else is refused."""
    if not text:
        return timezone.localdate().replace(day=1)
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2999:
        raise BusinessError(errors.BAD_MONTH, field="month")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def violations_for(actor: User) -> QuerySet[Violation]:
    return Violation.objects.restrict(actor).select_related("person", "department", "origin")


def rewards_for(actor: User) -> QuerySet[Reward]:
    return Reward.objects.restrict(actor).select_related("person", "department")


def get_violation_for(actor: User, pk: Any) -> Violation:
    return get_restricted_or_404(Violation, actor, pk, queryset=violations_for(actor))


@dataclass
class LedgerRow:
    """One line of the monthly ledger: a person, or a department."""

    key: int | None
    name: str
    department: str = ""
    fines: Decimal = ZERO
    fines_paid: Decimal = ZERO
    fine_count: int = 0
    rewards: Decimal = ZERO
    reward_count: int = 0
    people: set[int] = field(default_factory=set)

    @property
    def fines_outstanding(self) -> Decimal:
        return self.fines - self.fines_paid

    @property
    def net(self) -> Decimal:
        """Rewards minus fines: what the month adds to (or takes from) payroll."""
        return self.rewards - self.fines

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "name": self.name,
            "department": self.department,
            "fines": self.fines,
            "fines_paid": self.fines_paid,
            "fines_outstanding": self.fines_outstanding,
            "fine_count": self.fine_count,
            "rewards": self.rewards,
            "reward_count": self.reward_count,
            "net": self.net,
        }


def _month_rows(actor: User, month: dt.date, group: Iterable[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    start, end = month_bounds(month)
    fields = list(group)
    fines = (
        Violation.objects.restrict(actor)
        .filter(status__in=COUNTED_FINES, booked_on__gte=start, booked_on__lt=end)
        .values(*fields)
        .annotate(
            total=Sum("amount"),
            paid=Sum("amount", filter=Q(status=Violation.Status.PAID)),
            n=Count("pk"),
        )
        .order_by()
    )
    rewards = (
        Reward.objects.restrict(actor)
        .filter(status=Reward.Status.APPROVED, booked_on__gte=start, booked_on__lt=end)
        .values(*fields)
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    return list(fines), list(rewards)


# rule: DIS-3 — the monthly fines-and-rewards ledger per person (and per department below).
def ledger_by_person(actor: User, month: dt.date) -> list[LedgerRow]:
    """DIS-3: per person, the month's fines (paid / outstanding) and rewards — two queries."""
    group = ("person_id", "person__display_name", "person__username", "department__name")
    fines, rewards = _month_rows(actor, month, group)
    rows: dict[int, LedgerRow] = {}

    def row_for(item: dict[str, Any]) -> LedgerRow:
        pk = item["person_id"]
        if pk not in rows:
            name = item["person__display_name"] or item["person__username"]
            rows[pk] = LedgerRow(key=pk, name=name, department=item["department__name"] or "")
        return rows[pk]

    for item in fines:
        row = row_for(item)
        row.fines += item["total"] or ZERO
        row.fines_paid += item["paid"] or ZERO
        row.fine_count += item["n"]
    for item in rewards:
        row = row_for(item)
        row.rewards += item["total"] or ZERO
        row.reward_count += item["n"]
    return sorted(rows.values(), key=lambda r: (r.department, r.name, r.key or 0))


def ledger_by_department(actor: User, month: dt.date) -> list[LedgerRow]:
    """DIS-3: the same month per department (of the person when the entry was recorded)."""
    group = ("department_id", "department__name", "person_id")
    fines, rewards = _month_rows(actor, month, group)
    rows: dict[int | None, LedgerRow] = {}

    def row_for(item: dict[str, Any]) -> LedgerRow:
        pk = item["department_id"]
        if pk not in rows:
            rows[pk] = LedgerRow(key=pk, name=item["department__name"] or "-")
        rows[pk].people.add(item["person_id"])
        return rows[pk]

    for item in fines:
        row = row_for(item)
        row.fines += item["total"] or ZERO
        row.fines_paid += item["paid"] or ZERO
        row.fine_count += item["n"]
    for item in rewards:
        row = row_for(item)
        row.rewards += item["total"] or ZERO
        row.reward_count += item["n"]
    return sorted(rows.values(), key=lambda r: r.name)


def ledger_totals(rows: Iterable[LedgerRow]) -> LedgerRow:
    total = LedgerRow(key=None, name="")
    for row in rows:
        total.fines += row.fines
        total.fines_paid += row.fines_paid
        total.fine_count += row.fine_count
        total.rewards += row.rewards
        total.reward_count += row.reward_count
    return total
