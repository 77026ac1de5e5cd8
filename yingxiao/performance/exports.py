"""The monthly ledger as an Excel workbook (DIS-3), safe to open: no cell is read as a formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from yingxiao.core.exports import Sheet, safe_cell, xlsx_bytes

from .selectors import LedgerRow

__all__ = ["ledger_sheets", "ledger_workbook", "safe_cell"]  # safe_cell: the shared one (core/exports.py)


def _sheet(title: str, first: str, rows: Iterable[LedgerRow], with_department: bool) -> Sheet:
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
    lines: list[list[Any]] = []
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
        lines.append(cells)
    return Sheet(title, lines, header=header)


def ledger_sheets(people: list[LedgerRow], departments: list[LedgerRow]) -> list[Sheet]:
    """Two sheets — per person and per department — for the shared export (core/exports.py, ARC-2)."""
    return [
        _sheet(_("By person"), _("Employee"), people, with_department=True),
        _sheet(_("By department"), _("Department"), departments, with_department=False),
    ]


def ledger_workbook(month: dt.date, people: list[LedgerRow], departments: list[LedgerRow]) -> bytes:
    """Two sheets — per person and per department — for ``month``."""
    return xlsx_bytes(ledger_sheets(people, departments))
