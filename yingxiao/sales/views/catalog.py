"""Catalog pages (products, price lists — QUO-2, QUO-4) and the non-standard quoting queue (QUO-1)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.customers.models import Customer

from .. import selectors, services
from ..forms import PriceItemForm, PriceListForm, ProductForm, QuoteAnswerForm, QuoteRequestForm
from ..models import PriceList, Product, QuoteRequest
from .common import AuthenticatedHtmxRequest, raise_http, require_perm

PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
def product_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """Products with the list price in force; costs and drawings only for permitted roles (QUO-4)."""
    require_perm(request, "sales.view_product")
    may_add = request.user.has_perm("sales.add_product")
    form = ProductForm(request.POST or None) if may_add else None
    if request.method == "POST":
        require_perm(request, "sales.add_product")
        if form is not None and form.is_valid():
            try:
                services.product_create(actor=request.user, **form.cleaned_data)
            except BusinessError as error:
                raise_http(error)
                form.add_business_error(error)
            else:
                messages.success(request, _("The product has been added."))
                return redirect("sales:products")
    rows = selectors.products_with_prices(request.user)
    context = {
        "page": paginate(request, rows, PAGE_SIZE),
        "confidential": selectors.sees_confidential(request.user),
        "form": form,
    }
    return render(request, "sales/products.html", context)


@require_http_methods(["GET", "POST"])
def price_list_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.view_pricelist")
    lists = selectors.price_lists_visible_to(request.user)
    may_add = request.user.has_perm("sales.add_pricelist")
    form = PriceListForm(request.POST or None, price_lists=lists) if may_add else None
    if request.method == "POST":
        require_perm(request, "sales.add_pricelist")
        if form is not None and form.is_valid():
            data = dict(form.cleaned_data)
            data["copy_from"] = data["copy_from"].pk if data.get("copy_from") else None
            try:
                created = services.price_list_create(actor=request.user, **data)
            except BusinessError as error:
                raise_http(error)
                form.add_business_error(error)
            else:
                messages.success(request, _("The price list has been created."))
                return redirect("sales:price_list", pk=created.pk)
    context = {"page": paginate(request, lists, PAGE_SIZE), "form": form, "today": timezone.localdate()}
    return render(request, "sales/price_lists.html", context)


@require_http_methods(["GET", "POST"])
def price_list_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    require_perm(request, "sales.view_pricelist")
    price_list = get_restricted_or_404(PriceList, request.user, pk)
    confidential = selectors.sees_confidential(request.user)
    editable = not price_list.is_in_force_or_past() and request.user.has_perm("sales.change_pricelist")
    products = Product.objects.restrict(request.user, "view").filter(is_active=True)
    form = PriceItemForm(request.POST or None, products=products, show_cost=confidential) if editable else None
    if request.method == "POST":
        require_perm(request, "sales.change_pricelist")
        if form is not None and form.is_valid():
            try:
                services.price_list_item_set(actor=request.user, price_list=price_list, **form.cleaned_data)
            except BusinessError as error:
                raise_http(error)
                form.add_business_error(error)
            else:
                messages.success(request, _("The price has been saved."))
                return redirect("sales:price_list", pk=price_list.pk)
        elif form is None:
            messages.error(
                request, _("This price list is already in force and cannot be changed; create a new version.")
            )
    context = {
        "price_list": price_list,
        "items": selectors.price_list_items(request.user, price_list),
        "confidential": confidential,
        "form": form,
    }
    return render(request, "sales/price_list.html", context)


@require_GET
def request_queue_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """The quoting queue (QUO-1): requests waiting for me with their due times, and the ones I can see."""
    require_perm(request, "sales.view_quoterequest")
    rows = selectors.requests_visible_to(request.user).order_by("status", "due_at", "pk")
    context = {
        "queue": list(selectors.quoting_queue(request.user)[:100]),
        "page": paginate(request, rows, PAGE_SIZE),
        "now": timezone.now(),
        "answer_form": QuoteAnswerForm(),
        "may_request": request.user.has_perm("sales.add_quoterequest"),
    }
    return render(request, "sales/request_queue.html", context)


@require_http_methods(["GET", "POST"])
def request_create_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.add_quoterequest")
    customers = Customer.objects.restrict(request.user, "view").filter(is_archived=False).order_by("name")
    products = Product.objects.restrict(request.user, "view").filter(is_active=True)
    form = QuoteRequestForm(request.POST or None, customers=customers, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.quote_request_create(actor=request.user, **form.cleaned_data)
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            due = timezone.localtime(created.due_at).strftime("%Y-%m-%d %H:%M")
            messages.success(
                request,
                _("The request went to %(engineer)s; the quote is due %(due)s.")
                % {"engineer": created.assignee, "due": due},
            )
            return redirect("sales:request_queue")
    return render(request, "sales/request_form.html", {"form": form})


@require_POST
def request_answer_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    require_perm(request, "sales.answer_quoterequest")
    found = get_restricted_or_404(QuoteRequest, request.user, pk)
    form = QuoteAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.quote_request_answer(actor=request.user, request=found, **form.cleaned_data)
        except BusinessError as error:
            raise_http(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("The answer has been recorded and a draft quote made for the rep."))
    else:
        messages.error(request, _("Enter the unit price."))
    return redirect("sales:request_queue")
