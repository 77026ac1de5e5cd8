"""The customer list's export (客户导出, ARC-2): the list's filters, the viewer's scope, the shared control."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from yingxiao.core.exports import export_view

from . import exports


@require_GET
def customer_export_view(request: HttpRequest) -> HttpResponse:
    """``?format=xlsx|csv`` plus the list's query string; refused (and logged) by the export control."""
    if not request.user.has_perm("customers.view_customer"):
        raise PermissionDenied
    return export_view(  # type: ignore[return-value]
        request,
        list_name=exports.LIST_NAME,
        rows=exports.customer_export_rows(request.user, request.GET),  # type: ignore[arg-type]
        columns=exports.columns(),
        title=_("Customers"),
        filename="customers",
    )
