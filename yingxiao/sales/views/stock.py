"""Stock pages (库存/销控, ORD-5, ORD-6): the units with their status and location; register and move."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.org.models import User

from .. import selectors
from ..forms import StockItemForm, StockMoveForm
from ..models import Product, StockItem
from ..services import stock as service
from .common import AuthenticatedHtmxRequest, raise_http, require_perm

PAGE_SIZE = 50


@require_GET
def stock_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """Every unit with its sales-control status (ORD-5) and, at an outlet, since when (ORD-6)."""
    require_perm(request, "sales.view_stockitem")
    rows = selectors.stock_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in StockItem.Status.values:
        rows = rows.filter(status=status)
    location = request.GET.get("location", "")
    if location in StockItem.Location.values:
        rows = rows.filter(location_kind=location)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        rows = rows.filter(Q(serial_no__icontains=term) | Q(product__name__icontains=term) | Q(product__code=term))
    page = paginate(request, rows, PAGE_SIZE)
    context = {
        "page": page,
        "statuses": StockItem.Status.choices,
        "locations": StockItem.Location.choices,
        "status": status,
        "location": location,
        "q": term,
    }
    return render(request, "sales/stock_list.html", context)


def _people():  # type: ignore[no-untyped-def]
    return User.objects.filter(is_active=True).order_by("display_name")


@require_http_methods(["GET", "POST"])
def stock_create_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.add_stockitem")
    products = Product.objects.restrict(request.user, "view").filter(is_active=True)
    form = StockItemForm(request.POST or None, products=products, people=_people())
    if request.method == "POST" and form.is_valid():
        try:
            service.stock_item_create(actor=request.user, **form.cleaned_data)
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            messages.success(request, _("The unit has been registered."))
            return redirect("sales:stock")
    return render(request, "sales/stock_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def stock_move_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """Place a unit at a secondary outlet or recall it to the warehouse (ORD-6)."""
    require_perm(request, "sales.change_stockitem")
    item = selectors.stock_visible_to(request.user).filter(pk=pk).first()
    if item is None:
        from django.http import Http404

        raise Http404
    initial = {
        "location_kind": item.location_kind,
        "location": item.location,
        "placed_on": item.placed_on,
        "keeper": item.keeper_id,
    }
    form = StockMoveForm(request.POST or None, initial=initial, products=None, people=_people())
    if request.method == "POST" and form.is_valid():
        try:
            service.stock_item_move(actor=request.user, item=item, **form.cleaned_data)
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            messages.success(request, _("The unit's location has been saved."))
            return redirect("sales:stock")
    return render(request, "sales/stock_form.html", {"form": form, "item": item})
