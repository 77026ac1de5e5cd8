"""The monthly attendance sheet as an Excel workbook (HR-2): one sheet per person, one per department.

Every cell goes through ``safe_cell`` (no text is read as a formula). Rows are what the actor may
see (ORG-5): the caller passes the scoped people.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from yingxiao.org.models import Assignment
from yingxiao.performance.exports import safe_cell

from .selectors import SheetRow

_COUNTS = (
    "expected_days",
    "present_days",
    "leave_days",
    "trip_days",
    "trip_missed",
    "minor",
    "general",
    "half_days",
    "absent_days",
)


def _headers() -> list[str]:
    return [
        _("Expected"),
        _("Present"),
        _("Leave"),
        _("Trip"),
        _("Missed trip check-ins"),
        _("Minor"),
        _("General"),
        _("Half days"),
        _("Absent"),
    ]


def departments_of(person_ids: list[int]) -> dict[int, str]:
    """Each person's primary department name, in one query."""
    names: dict[int, str] = {}
    for user_id, name in (
        Assignment.objects.filter(user_id__in=person_ids, ended_on__isnull=True, position__is_active=True)
        .order_by("user_id", "-is_primary", "pk")
        .values_list("user_id", "position__department__name")
    ):
        names.setdefault(user_id, name)
    return names


# rule: HR-2 — the monthly sheet exported, formula-safe.
def attendance_workbook(rows: list[SheetRow], month: dt.date) -> bytes:
    """rule: HR-2 — the month per person (with deductions and their clause) and per department."""
    workbook = Workbook()
    people = workbook.active
    people.title = _("People")
    people.append([safe_cell(f"{_('Monthly attendance sheet')} {month:%Y-%m}")])
    people.append(
        [
            safe_cell(h)
            for h in [
                _("Employee"),
                _("Department"),
                *_headers(),
                _("Fixed deductions (yuan)"),
                _("Deductions"),
                _("Warning"),
                _("Termination"),
            ]
        ]
    )
    departments = departments_of([row.person.pk for row in rows])
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys((*_COUNTS, "fixed", "people"), 0))
    for row in rows:
        department = departments.get(row.person.pk, "")
        deductions = "; ".join(
            f"[{d.clause}] {d.label} ×{d.count}: "
            + (f"{d.amount}" if d.amount is not None else f"{d.bonus_pct}% {_('of the performance bonus')}")
            for d in row.deductions
        )
        cells: list[Any] = [
            str(row.person),
            department,
            *[getattr(row, name) for name in _COUNTS],
            row.fixed_total,
            deductions,
            _("yes") if row.warning else "",
            _("yes") if row.terminate else "",
        ]
        people.append([safe_cell(c) for c in cells])
        total = totals[department]
        for name in _COUNTS:
            total[name] += getattr(row, name)
        total["fixed"] += row.fixed_total
        total["people"] += 1
    by_department = workbook.create_sheet(_("Departments"))
    by_department.append(
        [safe_cell(h) for h in [_("Department"), _("People"), *_headers(), _("Fixed deductions (yuan)")]]
    )
    for department in sorted(totals):
        total = totals[department]
        cells = [department, total["people"], *[total[name] for name in _COUNTS], Decimal(total["fixed"])]
        by_department.append([safe_cell(c) for c in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
