"""Invoice pages (CON-6): requests with details, checked by the sales office, issued by finance after payment."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404

from .. import services
from ..models import Contract, InvoiceRequest
from .common import AuthenticatedHtmxRequest, require_perm
from .contracts import run


@require_GET
def invoice_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.view_invoicerequest")
    rows = InvoiceRequest.objects.restrict(request.user, "view").select_related("contract__customer", "requested_by")
    status = request.GET.get("status", "")
    if status in InvoiceRequest.Status.values:
        rows = rows.filter(status=status)
    context = {"page": paginate(request, rows, 50), "status": status, "statuses": InvoiceRequest.Status.choices}
    return render(request, "sales/invoice_list.html", context)


@require_POST
def invoice_request_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    contract = get_restricted_or_404(Contract, request.user, pk)
    fields = ("amount", "title", "tax_number", "bank", "bank_account", "address")
    run(
        request,
        services.invoice_request_create,
        _("The invoice request has been recorded; the details will be checked."),
        contract=contract,
        **{name: request.POST.get(name, "") for name in fields},
    )
    return redirect("sales:contract_detail", pk=contract.pk)


@require_POST
def invoice_action_view(request: AuthenticatedHtmxRequest, pk: int, action: str) -> HttpResponse:
    invoice = get_restricted_or_404(InvoiceRequest, request.user, pk)
    if action == "check":
        run(request, services.invoice_check, _("The invoice details have been checked."), invoice=invoice)
    elif action == "issue":
        run(
            request,
            services.invoice_issue,
            _("The invoice has been issued."),
            invoice=invoice,
            invoice_number=request.POST.get("invoice_number"),
        )
    return redirect("sales:invoices")
