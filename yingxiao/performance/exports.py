"""The monthly ledger as an Excel workbook (DIS-3), safe to open: no cell is read as a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .selectors import LedgerRow

# A text cell starting with one of these is a formula to Excel (CSV/formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers; text that Excel would evaluate is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _sheet(workbook: Workbook, title: str, first: str, rows: Iterable[LedgerRow], with_department: bool) -> None:
    sheet = workbook.create_sheet(title)
    header = [first]
    if with_department:
        header.append(_("Department"))
    header += [
        _("Fines"),
        _("Paid"),
        _("Outstanding"),
        _("Rewards"),
        _("Net"),
        _("Fines (count)"),
        _("Rewards (count)"),
    ]
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        cells: list[Any] = [row.name]
        if with_department:
            cells.append(row.department)
        cells += [
            row.fines,
            row.fines_paid,
            row.fines_outstanding,
            row.rewards,
            row.net,
            row.fine_count,
            row.reward_count,
        ]
        sheet.append([safe_cell(c) for c in cells])


def ledger_workbook(month: dt.date, people: list[LedgerRow], departments: list[LedgerRow]) -> bytes:
    """Two sheets — per person and per department — for ``month``."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    _sheet(workbook, _("By person"), _("Employee"), people, with_department=True)
    _sheet(workbook, _("By department"), _("Department"), departments, with_department=False)
    workbook.properties.title = f"{_('Fines and rewards ledger')} {month:%Y-%m}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
