"""The complaint register as an Excel workbook; no cell is read as a formula (= + - @)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from yingxiao.performance.exports import safe_cell

from .models import Complaint


def register_workbook(complaints: Iterable[Complaint]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Complaint register"))
    header = [
        _("Number"), _("Time of complaint"), _("Customer"), _("Complainant"), _("Contact"), _("Category"),
        _("Matter"), _("Product"), _("Specification"), _("Quantity"), _("Invoice number"), _("Cause"),
        _("Responsible department"), _("Status"), _("Responsibility due"), _("Closing due"), _("Closed at"),
    ]  # fmt: skip
    sheet.append([safe_cell(h) for h in header])

    def when(value: object) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[arg-type]

    for c in complaints:
        sheet.append(
            [
                safe_cell(value)
                for value in (
                    c.pk,
                    when(c.received_at),
                    c.customer.name,
                    c.complainant,
                    c.contact,
                    c.get_category_display(),
                    c.matter,
                    c.product,
                    c.spec,
                    c.quantity,
                    c.invoice_no,
                    c.get_cause_display(),
                    c.responsible_department.name,
                    c.get_status_display(),
                    when(c.assign_due_at),
                    when(c.close_due_at),
                    when(c.closed_at),
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
