"""Deposit pages (ORD-1, ORD-2): the deposit register, registering, the printable receipt,
finance's confirmation, void and refund."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.customers.models import Customer

from .. import selectors
from ..exports import EXPORT_LIMIT, XLSX, deposit_workbook
from ..forms import DepositForm, ReasonForm
from ..models import Deposit, StockItem
from ..models.deposits import CONFIRM_DEPOSIT_PERMISSION
from ..services import deposits as service
from .common import AuthenticatedHtmxRequest, raise_http, require_perm

PAGE_SIZE = 25


def _filtered(request: AuthenticatedHtmxRequest):  # type: ignore[no-untyped-def]
    require_perm(request, "sales.view_deposit")
    rows = selectors.deposits_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Deposit.Status.values:
        rows = rows.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in Deposit.Kind.values:
        rows = rows.filter(kind=kind)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        rows = rows.filter(
            Q(number__icontains=term) | Q(customer__name__icontains=term) | Q(item__serial_no__icontains=term)
        )
    return rows, {"status": status, "kind": kind, "q": term}


@require_GET
def deposit_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """The deposit register (定金登记), scoped (ORG-5), filterable, exportable."""
    rows, filters = _filtered(request)
    page = paginate(request, rows, PAGE_SIZE)
    context = {
        "page": page,
        "statuses": Deposit.Status.choices,
        "kinds": Deposit.Kind.choices,
        "query": request.GET.urlencode(),
        **filters,
    }
    return render(request, "sales/deposit_list.html", context)


@require_GET
def deposit_export_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    rows, _filters = _filtered(request)
    response = HttpResponse(deposit_workbook(rows[:EXPORT_LIMIT]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="deposits-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def deposit_create_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.add_deposit")
    customers = Customer.objects.restrict(request.user, "view").filter(is_archived=False).order_by("name")
    items = selectors.stock_visible_to(request.user).filter(status=StockItem.Status.AVAILABLE)
    initial = {key: request.GET[key] for key in ("customer", "item") if request.GET.get(key)}
    form = DepositForm(request.POST or None, initial=initial or None, customers=customers, items=items)
    if request.method == "POST":
        # A unit reserved meanwhile is still parsed, so the service can say why it is refused.
        form.fields["item"].queryset = selectors.stock_visible_to(request.user)  # type: ignore[attr-defined]
        if form.is_valid():
            try:
                deposit = service.deposit_register(actor=request.user, **form.cleaned_data)
            except BusinessError as error:
                raise_http(error)
                form.add_business_error(error)
            else:
                messages.success(
                    request,
                    _("Deposit %(number)s is registered; the unit is reserved until finance confirms the money.")
                    % {"number": deposit.number},
                )
                return redirect("sales:deposit_detail", pk=deposit.pk)
    return render(request, "sales/deposit_form.html", {"form": form})


@require_GET
def deposit_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    deposit = selectors.get_deposit_for(request.user, pk)
    context = {
        "deposit": deposit,
        "is_finance": request.user.has_perm(CONFIRM_DEPOSIT_PERMISSION),
        "reason_form": ReasonForm(),
        "history": deposit.history.select_related("history_user").order_by("-history_date")[:20],
    }
    return render(request, "sales/deposit_detail.html", context)


@require_GET
def deposit_receipt_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """The printable deposit receipt (定金收据), amount also in Chinese capitals."""
    deposit = selectors.get_deposit_for(request.user, pk)
    context = {"deposit": deposit, "in_words": service.amount_in_words(deposit.amount), "now": timezone.now()}
    return render(request, "sales/deposit_receipt.html", context)


@require_POST
def deposit_action_view(request: AuthenticatedHtmxRequest, pk: int, action: str) -> HttpResponse:
    """Confirm (finance only, ORD-2), void or refund; a refused action is shown, nothing changed."""
    deposit = selectors.get_deposit_for(request.user, pk)
    try:
        if action == "confirm":
            service.deposit_confirm(actor=request.user, deposit=deposit)
            done = _("Finance confirmed the money as received.")
        elif action in ("void", "refund"):
            reason = request.POST.get("reason", "")
            func = service.deposit_void if action == "void" else service.deposit_refund
            func(actor=request.user, deposit=deposit, reason=reason)
            done = _("The deposit is closed; the unit is available again.")
        else:
            raise Http404
    except BusinessError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)  # a rep confirming: the clear ORD-2 refusal
    else:
        messages.success(request, done)
    return redirect("sales:deposit_detail", pk=deposit.pk)
