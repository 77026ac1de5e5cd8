"""Excel registers of deposits and orders; no cell is read as a formula (= + - @)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from yingxiao.performance.exports import safe_cell

EXPORT_LIMIT = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _book(title: str, header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def deposit_workbook(deposits: Iterable[Any]) -> bytes:
    header = [
        _("Deposit number"), _("Registered"), _("Kind"), _("Customer"), _("Sales rep"), _("Product"),
        _("Serial / unit number"), _("Currency"), _("Amount"), _("Status"), _("Confirmed by"), _("Confirmed at"),
    ]  # fmt: skip
    rows = (
        (
            d.number,
            _when(d.registered_at),
            d.get_kind_display(),
            d.customer.name,
            str(d.owner),
            d.item.product.name,
            d.item.serial_no,
            d.currency,
            d.amount,
            d.get_status_display(),
            str(d.confirmed_by or ""),
            _when(d.confirmed_at),
        )
        for d in deposits
    )
    return _book(_("Deposit register"), header, rows)


def order_workbook(orders: Iterable[Any]) -> bytes:
    header = [
        _("Order number"), _("Created"), _("Customer"), _("Sales rep"), _("Status"), _("Version in force"),
        _("Latest version"), _("Currency"), _("Total"), _("Effective since"),
    ]  # fmt: skip
    rows = (
        (
            o.number,
            _when(o.created_at),
            o.customer.name,
            str(o.owner),
            o.get_status_display(),
            o.effective_version or "",
            o.version,
            o.currency,
            o.total,
            _when(o.effective_at),
        )
        for o in orders
    )
    return _book(_("Order register"), header, rows)
