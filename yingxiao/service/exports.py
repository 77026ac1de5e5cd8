"""The complaint register for export (CMP-9, ARC-2): one sheet through the shared export control,
which checks the permission and the caps, logs the export and escapes every cell (= + - @)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingxiao.core.exports import Sheet, xlsx_bytes

from .models import Complaint


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rows(complaints: Iterable[Complaint]) -> Iterator[list[Any]]:
    for c in complaints:
        yield [
            c.pk,
            _when(c.received_at),
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
            _when(c.assign_due_at),
            _when(c.close_due_at),
            _when(c.closed_at),
        ]


def register_sheet(complaints: QuerySet[Complaint] | list[Complaint]) -> Sheet:
    header = [
        _("Number"), _("Time of complaint"), _("Customer"), _("Complainant"), _("Contact"), _("Category"),
        _("Matter"), _("Product"), _("Specification"), _("Quantity"), _("Invoice number"), _("Cause"),
        _("Responsible department"), _("Status"), _("Responsibility due"), _("Closing due"), _("Closed at"),
    ]  # fmt: skip
    count = complaints.count() if isinstance(complaints, QuerySet) else len(complaints)
    return Sheet(_("Complaint register"), _rows(complaints), header=header, count=count)


def register_workbook(complaints: QuerySet[Complaint] | list[Complaint]) -> bytes:
    """The register as a small workbook (reports and tests; pages export through ``export_view``)."""
    return xlsx_bytes([register_sheet(complaints)])
