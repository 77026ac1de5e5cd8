"""Receivables KPIs (CON-3) as plain functions for pages, exports and dashboards.

Every function takes the viewer first and reads through ``restrict`` (ORG-5): figures never
include rows outside the viewer's scope. Each returns the figure AND the querysets of the rows
that make it, so a page can drill down and ``sum(rows) == figure`` always holds. Everything is an
aggregate in SQL (no per-row Python): at millions of plan lines the cost is one indexed scan.

- 回款率 collection rate = received on the instalments due in the period ÷ their amount due,
  against ``{collection_target}``.
- 坏账率 bad-debt ratio = bad debt written off (approved) in the period ÷ revenue (the amount of
  contracts signed in the period), against the limit of the scope (``{bad_debt_max}`` for a person,
  ``bad_debt_max_department`` for a department, ``bad_debt_max_company`` for the whole center).
- Ageing: the outstanding balance by days overdue, buckets from ``ageing_bucket_days``.

On PostgreSQL the figures (ageing per person/department and its totals, 回款率's totals) read the
receivables day summary (``InstalmentDaySummary``: the lines added up per owner, department and due
day, kept exact by database triggers), a few hundred thousand rows instead of millions of lines; the
``rows`` to drill into stay the instalments themselves. On SQLite they are computed from the lines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Case, CharField, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from yingxiao.policy.values import policy_value

from .models import Allocation, Contract, Instalment, InstalmentDaySummary, Receipt, WriteOff

if TYPE_CHECKING:
    from yingxiao.org.models import User

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=18, decimal_places=2)
OUTSTANDING = F("amount") - F("received") - F("written_off")


@dataclass(frozen=True)
class Period:
    """A closed range of days: a month, a year or any range."""

    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def parse(cls, raw: str | None, today: dt.date) -> Period:
        """``2026`` (a year), ``2026-03`` (a month), else the current month."""
        text = (raw or "").strip()
        try:
            if len(text) == 4:
                return cls.year(int(text))
            if len(text) == 7:
                return cls.month(int(text[:4]), int(text[5:7]))
        except ValueError:
            pass
        return cls.month(today.year, today.month)

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.start.day == 1 and self.end == dt.date(self.start.year, 12, 31):
            return f"{self.start.year}"
        if self.start.day == 1 and self.end == Period.month(self.start.year, self.start.month).end:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d}…{self.end:%Y-%m-%d}"


@dataclass
class Figure:
    """A KPI value (percent) with its parts, its target or limit, and the rows behind it."""

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    threshold: Decimal
    meets: bool | None
    rows: QuerySet[Any]
    related: dict[str, QuerySet[Any]] = field(default_factory=dict)


def cents(value: Decimal | None) -> Decimal:
    """Money to the cent (SQLite returns sums without their scale)."""
    return (value or ZERO).quantize(Decimal("0.01"))


def _pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator * 100 / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _narrow(rows: QuerySet[Any], owner: Any = None, department: Any = None) -> QuerySet[Any]:
    """Narrow scoped rows to one person or one department (and its subtree); never widens."""
    from yingxiao.org.scope import subtree_ids

    if owner not in (None, ""):
        rows = rows.filter(owner_id=int(getattr(owner, "pk", owner)))
    if department not in (None, ""):
        rows = rows.filter(department_id__in=subtree_ids({int(getattr(department, "pk", department))}))
    return rows


def instalments_in_scope(user: User, *, owner: Any = None, department: Any = None) -> QuerySet[Instalment]:
    """Instalments of signed contracts the viewer may see (ORG-5)."""
    rows = Instalment.objects.restrict(user, "view").filter(is_effective=True)
    return _narrow(rows, owner, department)


def use_summary() -> bool:
    """rule: CON-3 — whether the receivables day summary answers the totals (PostgreSQL keeps it)."""
    return connection.vendor == "postgresql"


def summary_in_scope(user: User, *, owner: Any = None, department: Any = None) -> QuerySet[InstalmentDaySummary]:
    """The day summary of the in-force lines the viewer may see: same permission, scope and narrowing
    as ``instalments_in_scope`` (ORG-5)."""
    rows = InstalmentDaySummary.objects.restrict(user, "view").filter(is_effective=True)
    return _narrow(rows, owner, department)


# rule: CON-3 — 回款率 against {collection_target}.
def collection_rate(user: User, period: Period, *, owner: Any = None, department: Any = None) -> Figure:
    """Collected ÷ due for the instalments due in ``period``; ``rows`` are those instalments,
    ``related["allocations"]`` the confirmed receipt allocations that make the collected sum."""
    rows = instalments_in_scope(user, owner=owner, department=department).filter(
        due_date__gte=period.start, due_date__lte=period.end
    )
    source = (
        summary_in_scope(user, owner=owner, department=department).filter(
            due_date__gte=period.start, due_date__lte=period.end
        )
        if use_summary()
        else rows
    )
    totals = source.aggregate(
        due=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
        collected=Coalesce(Sum("received"), Value(ZERO), output_field=_MONEY),
    )
    totals = {key: cents(value) for key, value in totals.items()}
    value = _pct(totals["collected"], totals["due"])
    target = Decimal(str(policy_value("collection_target")))
    allocations = Allocation.objects.filter(
        instalment__in=rows.values("pk"), receipt__status=Receipt.Status.CONFIRMED
    ).select_related("receipt", "instalment__contract")
    return Figure(
        value=value,
        numerator=totals["collected"],
        denominator=totals["due"],
        threshold=target,
        meets=None if value is None else value >= target,
        rows=rows.select_related("contract__customer", "owner").order_by("due_date", "pk"),
        related={"allocations": allocations},
    )


def bad_debt_limit(user: User, *, owner: Any = None, department: Any = None) -> Decimal:
    """rule: CON-3 — the bad-debt limit is per scope: a person, a department, or the whole center."""
    from yingxiao.org.scope import scope_for

    scope = scope_for(user)
    if owner not in (None, "") or scope.level == "own":
        name = "bad_debt_max"
    elif department not in (None, "") or not scope.is_all:
        name = "bad_debt_max_department"
    else:
        name = "bad_debt_max_company"
    return Decimal(str(policy_value(name)))


# rule: CON-3 — 坏账率 against the limit of the scope.
def bad_debt_ratio(user: User, period: Period, *, owner: Any = None, department: Any = None) -> Figure:
    """Written off (approved) in ``period`` ÷ the amount of contracts signed in it; ``rows`` are the
    write-offs, ``related["revenue"]`` the contracts that make the denominator."""
    written = _narrow(
        WriteOff.objects.restrict(user, "view").filter(
            status=WriteOff.Status.APPROVED, written_off_on__gte=period.start, written_off_on__lte=period.end
        ),
        owner,
        department,
    )
    revenue = _narrow(
        Contract.objects.restrict(user, "view").filter(
            status__in=[Contract.Status.SIGNED, Contract.Status.ARCHIVED],
            signed_on__gte=period.start,
            signed_on__lte=period.end,
        ),
        owner,
        department,
    )
    numerator = cents(written.aggregate(t=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))["t"])
    denominator = cents(revenue.aggregate(t=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))["t"])
    value = _pct(numerator, denominator)
    limit = bad_debt_limit(user, owner=owner, department=department)
    return Figure(
        value=value,
        numerator=numerator,
        denominator=denominator,
        threshold=limit,
        meets=None if value is None else value <= limit,
        rows=written.select_related("instalment__contract__customer", "owner").order_by("-written_off_on", "-pk"),
        related={"revenue": revenue.select_related("customer", "owner").order_by("-signed_on", "-pk")},
    )


GROUPS = {"owner": ("owner_id", "owner__display_name"), "department": ("department_id", "department__name")}


def collection_by(user: User, period: Period, group: str = "owner") -> list[dict[str, Any]]:
    """回款率 per person, per department or per month of the period (one GROUP BY), in scope."""
    source = summary_in_scope(user) if use_summary() else instalments_in_scope(user)
    rows = source.filter(due_date__gte=period.start, due_date__lte=period.end)
    if group == "month":
        grouped, order = rows.annotate(key=TruncMonth("due_date")).values("key"), ("key",)
    else:
        key, label = GROUPS.get(group, GROUPS["owner"])
        grouped, order = rows.values(key, label), (label, key)
    result = []
    target = Decimal(str(policy_value("collection_target")))
    for row in grouped.annotate(due=Sum("amount"), collected=Sum("received")).order_by(*order):
        row["due"], row["collected"] = cents(row["due"]), cents(row["collected"])
        value = _pct(row["collected"], row["due"])
        result.append({**row, "value": value, "meets": None if value is None else value >= target})
    return result


# --- ageing -------------------------------------------------------------------------------------------
def bucket_edges() -> list[int]:
    """rule: CON-3 — the ageing bucket edges (days overdue) from the policy, ascending."""
    edges = sorted({int(str(v)) for v in policy_value("ageing_bucket_days") if str(v).strip().isdigit()})
    return [edge for edge in edges if edge > 0] or [30, 60, 90, 180]


def buckets(as_of: dt.date) -> list[tuple[str, str, Q]]:
    """(key, label, condition on due_date) for: not due, 1–e1, e1+1–e2, …, > last."""
    edges = bucket_edges()
    result: list[tuple[str, str, Q]] = [("not_due", str(_("Not due")), Q(due_date__gte=as_of))]
    low = 1
    for edge in edges:
        result.append(
            (
                f"d{low}_{edge}",
                f"{low}–{edge}",
                Q(due_date__lte=as_of - dt.timedelta(days=low), due_date__gte=as_of - dt.timedelta(days=edge)),
            )
        )
        low = edge + 1
    result.append((f"over_{edges[-1]}", f"> {edges[-1]}", Q(due_date__lt=as_of - dt.timedelta(days=edges[-1]))))
    return result


@dataclass
class Ageing:
    as_of: dt.date
    columns: list[tuple[str, str]]
    totals: dict[str, Decimal]
    groups: list[dict[str, Any]]
    rows: QuerySet[Instalment]


AGEING_GROUPS = {
    "contract": ("contract_id", "contract__number"),
    "customer": ("contract__customer_id", "contract__customer__name"),
    "owner": ("owner_id", "owner__display_name"),
    "department": ("department_id", "department__name"),
}
# The label of a group key, read for the listed groups only (never joined into the big aggregate).
_GROUP_LABELS = {
    "contract": ("sales.Contract", "number"),
    "customer": ("customers.Customer", "name"),
    "owner": ("org.User", "display_name"),
    "department": ("org.Department", "name"),
}
AGEING_GROUP_LIMIT = 500


def _labels(group: str, keys: list[Any]) -> dict[Any, str]:
    from django.apps import apps

    model_name, field_name = _GROUP_LABELS[group]
    model = apps.get_model(model_name)
    return dict(model._default_manager.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", field_name))


def ageing(user: User, as_of: dt.date, *, group: str = "owner", owner: Any = None, department: Any = None) -> Ageing:
    """rule: CON-3 — the outstanding balance by ageing bucket, in total and per group, in scope.

    ``rows`` are the open instalments (annotated ``outstanding`` and ``bucket``): their sum per
    bucket equals the totals. The open lines are read index-only (``sales_inst_open_idx``).
    Per person or department (a few hundred groups at most) it is ONE scan grouped by (group,
    bucket) with a single sum per line, pivoted here; the totals are the sum of the groups. Per
    contract or customer (up to millions of groups) the largest ``AGEING_GROUP_LIMIT`` groups come
    from a grouped query and the totals from one aggregate. On PostgreSQL the per person/department
    figures and the totals add up the day summary's ``outstanding`` instead (buckets are whole due
    days, so the sum per bucket is exact).
    """
    spec = buckets(as_of)
    group = group if group in AGEING_GROUPS else "owner"
    rows = instalments_in_scope(user, owner=owner, department=department).filter(
        amount__gt=F("received") + F("written_off")
    )
    bucket = Case(*(When(cond, then=Value(k)) for k, _l, cond in spec), output_field=CharField())
    names = [k for k, _l, _c in spec] + ["total"]
    key, label = AGEING_GROUPS[group]
    if use_summary():
        source: QuerySet[Any] = summary_in_scope(user, owner=owner, department=department).filter(outstanding__gt=0)
        owed: Any = F("outstanding")
    else:
        source, owed = rows, OUTSTANDING
    if group in ("owner", "department"):
        cells: dict[Any, dict[str, Decimal]] = {}
        per_bucket = (
            source.annotate(bucket=bucket)
            .values(key, "bucket")
            .annotate(amount_out=Sum(owed, output_field=_MONEY))
            .order_by()
        )
        for row in per_bucket:
            cell = cells.setdefault(row[key], dict.fromkeys(names, ZERO))
            cell[row["bucket"]] += row["amount_out"] or ZERO
            cell["total"] += row["amount_out"] or ZERO
        grouped = sorted(
            ({key: k, **v} for k, v in cells.items()), key=lambda r: (-r["total"], r[key] is None, r[key] or 0)
        )
        totals = {name: cents(sum((row[name] for row in grouped), ZERO)) for name in names}
        grouped = grouped[:AGEING_GROUP_LIMIT]
    else:
        sums = {k: Coalesce(Sum(OUTSTANDING, filter=cond), Value(ZERO), output_field=_MONEY) for k, _l, cond in spec}
        sums["total"] = Coalesce(Sum(OUTSTANDING), Value(ZERO), output_field=_MONEY)
        grouped = list(rows.values(key).annotate(**sums).order_by("-total", key)[:AGEING_GROUP_LIMIT])
        totals_sums = {k: Coalesce(Sum(owed, filter=cond), Value(ZERO), output_field=_MONEY) for k, _l, cond in spec}
        totals_sums["total"] = Coalesce(Sum(owed), Value(ZERO), output_field=_MONEY)
        totals = {name: cents(value) for name, value in source.aggregate(**totals_sums).items()}
    labels = _labels(group, [row[key] for row in grouped])
    groups = [{**row, label: labels.get(row[key]), **{name: cents(row[name]) for name in names}} for row in grouped]
    annotated = rows.annotate(outstanding_amount=OUTSTANDING, bucket=bucket).select_related(
        "contract__customer", "owner", "department"
    )
    return Ageing(
        as_of=as_of,
        columns=[(k, label_) for k, label_, _c in spec],
        totals=totals,
        groups=[
            {**row, "key": row[key], "label": row[label], "cells": [row[k] for k, _l, _c in spec]} for row in groups
        ],
        rows=annotated.order_by("due_date", "pk"),
    )
