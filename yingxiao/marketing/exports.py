"""The campaign list as Excel through the shared export helper (permission, caps, log, escaping: ARC-2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from yingxiao.core.exports import Column, export_view

from .services import roi

COLUMNS = [
    Column(_("Number"), "pk"),
    Column(_("theme"), "theme"),
    Column(_("audience"), "audience"),
    Column(_("place"), "place"),
    Column(_("starts on"), "starts_on"),
    Column(_("ends on"), "ends_on"),
    Column(_("department"), "department.name"),
    Column(_("owner"), lambda c: str(c.owner)),
    Column(_("status"), "get_status_display"),
    Column(_("budget"), "budget"),
    Column(_("actual spend"), "spend"),
    Column(_("participants"), "participants"),
    Column(_("exposure"), "exposure"),
    Column(_("leads"), "lead_count"),
    Column(_("attributable sales"), "sales_total"),
    Column(_("ROI"), lambda c: roi(c.sales_total, c.spend)),
]


def campaigns_export(request: HttpRequest, campaigns: QuerySet[Any]) -> HttpResponse:
    """rule: ARC-2 — the scoped, filtered campaign list; cells escaped by the shared helper."""
    return export_view(  # type: ignore[return-value]
        request,
        list_name="marketing.campaigns",
        rows=campaigns,
        columns=COLUMNS,
        title=_("Campaigns"),
        filename="campaigns",
    )
