"""Contract pages (CON-1, CON-2, CON-7, CON-8, CUS-3): list, draft with a payment plan, detail with
review / sign / archive / balance confirmation, receipts and invoices of the contract, the seal log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.customers.models import Customer

from .. import services
from ..models import Contract, Instalment, Order, SealUse
from ..services.contracts import year_figures
from .common import AuthenticatedHtmxRequest, raise_http, require_perm

PAGE_SIZE = 25
PLAN_ROWS = 6


def run(request: AuthenticatedHtmxRequest, action: Any, done: str, **kwargs: Any) -> bool:
    """Call a service; a refusal is shown as a message (404 stays 404), nothing changed."""
    try:
        action(actor=request.user, **kwargs)
    except BusinessError as error:
        if error.status == 404:
            raise_http(error)
        messages.error(request, error.message)
        return False
    messages.success(request, done)
    return True


@require_GET
def contract_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.view_contract")
    rows = Contract.objects.restrict(request.user, "view").select_related("customer", "owner", "department")
    status = request.GET.get("status", "")
    if status in Contract.Status.values:
        rows = rows.filter(status=status)
    category = request.GET.get("category", "")
    if category in Contract.Category.values:
        rows = rows.filter(category=category)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        rows = rows.filter(Q(number__icontains=term) | Q(customer__name__icontains=term) | Q(title__icontains=term))
    context = {
        "page": paginate(request, rows, PAGE_SIZE),
        "statuses": Contract.Status.choices,
        "categories": Contract.Category.choices,
        "status": status,
        "category": category,
        "q": term,
    }
    return render(request, "sales/contract_list.html", context)


def _plan_from(post: Any) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, PLAN_ROWS + 1):
        amount, due = post.get(f"amount_{i}", "").strip(), post.get(f"due_{i}", "").strip()
        if amount or due:
            rows.append({"kind": post.get(f"kind_{i}", ""), "due_date": due, "amount": amount})
    return rows


@require_http_methods(["GET", "POST"])
def contract_create_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """rule: CON-1 — the commerce group drafts the contract with its payment plan (CON-2)."""
    require_perm(request, "sales.add_contract")
    customers = Customer.objects.restrict(request.user, "view").filter(is_archived=False).order_by("name")[:500]
    error = None
    order = _order_from(request)
    if request.method == "POST":
        try:
            contract = services.contract_create(
                actor=request.user,
                customer=request.POST.get("customer"),
                title=request.POST.get("title"),
                category=request.POST.get("category"),
                amount=request.POST.get("amount"),
                currency=request.POST.get("currency") or "CNY",
                note=request.POST.get("note", ""),
                instalments=_plan_from(request.POST),
                order=request.POST.get("order") or None,
            )
        except BusinessError as exc:
            if exc.status == 404 and exc.field not in ("customer", "order"):
                raise_http(exc)
            error = exc
        else:
            messages.success(request, _("Contract %(number)s has been drafted.") % {"number": contract.number})
            return redirect("sales:contract_detail", pk=contract.pk)
    context = {
        "customers": customers,
        "categories": Contract.Category.choices,
        "kinds": Instalment.Kind.choices,
        "plan_rows": [
            {
                "i": i,
                "kind": request.POST.get(f"kind_{i}", ""),
                "due": request.POST.get(f"due_{i}", ""),
                "amount": request.POST.get(f"amount_{i}", ""),
            }
            for i in range(1, PLAN_ROWS + 1)
        ],
        "data": request.POST if request.method == "POST" else _prefill(order),
        "error": error,
        "order": order,
    }
    if order is not None and order.customer_id not in {c.pk for c in customers}:
        context["customers"] = [*customers, order.customer]
    return render(request, "sales/contract_form.html", context, status=400 if error else 200)


def _order_from(request: AuthenticatedHtmxRequest) -> Order | None:
    """The order a contract is drafted from (``?order=``), if the drafter may see it (else 404)."""
    raw = request.POST.get("order") if request.method == "POST" else request.GET.get("order")
    if not raw:
        return None
    if not str(raw).isdigit():
        raise Http404
    return get_restricted_or_404(
        Order, request.user, int(raw), queryset=Order.objects.select_related("customer", "deposit")
    )


def _prefill(order: Order | None) -> dict[str, str]:
    """Customer, amount and currency from the order (ORD-3 ↔ CON-1): the draft starts from the deal."""
    if order is None:
        return {}
    return {
        "customer": str(order.customer_id),
        "title": _("Contract for order %(number)s") % {"number": order.number},
        "amount": f"{order.total:.2f}",
        "currency": order.currency,
    }


@require_GET
def contract_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    require_perm(request, "sales.view_contract")
    contract = get_restricted_or_404(Contract, request.user, pk)
    year = timezone.localdate().year
    may_change = request.user.has_perm("sales.change_contract") and (
        Contract.objects.restrict(request.user, "change").filter(pk=contract.pk).exists()
    )
    context = {
        "contract": contract,
        "instalments": contract.instalments.all(),
        "receipts": contract.receipts.select_related("confirmed_by", "reversed_by").order_by("-received_on", "-pk"),
        "invoices": contract.invoices.all(),
        "seal_uses": contract.seal_uses.select_related("used_by"),
        "guarantees": contract.guarantees.select_related("guarantor"),
        "may_change": may_change,
        "year": year,
        "year_figures": year_figures(contract, year),
        "cross_year": contract.is_cross_year,
        "categories": Contract.Category.choices,
        "today": timezone.localdate(),
        "order_visible": contract.order_id is not None
        and Order.objects.restrict(request.user, "view").filter(pk=contract.order_id).exists(),
    }
    return render(request, "sales/contract_detail.html", context)


ACTIONS = {
    "submit": lambda r: ({}, _("The contract has been sent to the director for review.")),
    "sign": lambda r: (
        {"signed_on": r.POST.get("signed_on"), "scan": r.FILES.get("scan")},
        _("The contract has been signed."),
    ),
    "archive": lambda r: (
        {"category": r.POST.get("category"), "scan": r.FILES.get("scan")},
        _("The contract has been archived."),
    ),
    "balance": lambda r: (
        {"confirmed_on": r.POST.get("confirmed_on"), "document": r.FILES.get("document")},
        _("The balance confirmation has been recorded."),
    ),
}
SERVICES = {
    "submit": services.contract_submit,
    "sign": services.contract_sign,
    "archive": services.contract_archive,
    "balance": services.contract_confirm_balance,
}


@require_POST
def contract_action_view(request: AuthenticatedHtmxRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        from django.http import Http404

        raise Http404
    contract = get_restricted_or_404(Contract, request.user, pk)
    kwargs, done = ACTIONS[action](request)
    run(request, SERVICES[action], str(done), contract=contract, **kwargs)
    return redirect("sales:contract_detail", pk=contract.pk)


@require_http_methods(["GET", "POST"])
def seal_log_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """rule: CON-7 — the contract-seal log; only its keeper (the sales assistant) records uses."""
    require_perm(request, "sales.view_sealuse", "sales.add_sealuse")
    if request.method == "POST":
        require_perm(request, "sales.add_sealuse")
        run(
            request,
            services.seal_use_record,
            _("The use of the seal has been logged."),
            contract=request.POST.get("contract") or None,
            document=request.POST.get("document"),
            purpose=request.POST.get("purpose"),
            used_at=request.POST.get("used_at") or None,
        )
        return redirect("sales:seal_log")
    rows = SealUse.objects.restrict(request.user, "view").select_related("contract", "used_by", "recorded_by")
    contracts = Contract.objects.restrict(request.user, "view").order_by("-created_at")[:200]
    return render(request, "sales/seal_log.html", {"page": paginate(request, rows, 50), "contracts": contracts})
