"""Complaint analysis (CMP-9): counts by cause, product and department per month or quarter.

Everything is counted on the complaints the actor may see (CMP-7), in three grouped queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from yingxiao.org.models import User
from yingxiao.policy.values import policy_value

from .models import Complaint
from .periods import Period


@dataclass
class Analysis:
    """What the analysis page shows for one period."""

    period: Period
    total: int
    threshold: int
    by_cause: list[dict[str, Any]] = field(default_factory=list)
    by_product: list[dict[str, Any]] = field(default_factory=list)
    by_department: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)

    @property
    def repeat_causes(self) -> list[dict[str, Any]]:
        return [row for row in self.by_cause if row["repeat"]]


def visible_complaints(actor: User) -> QuerySet[Complaint]:
    return Complaint.objects.restrict(actor, "view")  # type: ignore[attr-defined, no-any-return]


def complaint_analysis(actor: User, period: Period) -> Analysis:
    """rule: CMP-9 — counts per cause / product / department; a cause reaching
    ``complaint_repeat_count`` in the period is a recurring cause."""
    start, end = period.bounds()
    rows = visible_complaints(actor).filter(received_at__gte=start, received_at__lt=end).order_by()
    threshold = int(policy_value("complaint_repeat_count"))
    causes = {c.value: c.label for c in Complaint.Cause}
    by_cause = [
        {
            "cause": r["cause"],
            "label": causes.get(r["cause"], "—"),
            "count": r["n"],
            "repeat": bool(r["cause"]) and r["n"] >= threshold,
        }
        for r in rows.values("cause").annotate(n=Count("pk")).order_by("-n", "cause")
    ]
    by_product = [
        {"product": r["product"] or "—", "count": r["n"]}
        for r in rows.values("product").annotate(n=Count("pk")).order_by("-n", "product")[:50]
    ]
    by_department = [
        {"department": r["responsible_department__name"], "count": r["n"]}
        for r in rows.values("responsible_department__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "responsible_department__name")
    ]
    labels = dict(Complaint.Category.choices)
    by_category = [
        {"category": labels.get(r["category"], r["category"]), "count": r["n"]}
        for r in rows.values("category").annotate(n=Count("pk")).order_by("category")
    ]
    return Analysis(
        period=period,
        total=sum(r["count"] for r in by_cause),
        threshold=threshold,
        by_cause=by_cause,
        by_product=by_product,
        by_department=by_department,
        by_category=by_category,
    )
