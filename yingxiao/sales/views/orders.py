"""Order pages (ORD-3, ORD-4): the order register, creating, detail with versions, sign-off, change,
production plan and progress, and the daily production summary."""

from __future__ import annotations

import datetime as dt

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
from ..exports import EXPORT_LIMIT, XLSX, order_workbook
from ..forms import (
    OrderChangeForm,
    OrderCreateForm,
    ProductionPlanForm,
    ProgressForm,
    ShipmentForm,
    SignoffForm,
)
from ..models import Contract, Deposit, Order, Product, ProductionPlan
from ..models.orders import PLAN_PERMISSION
from ..services import orders as service
from .common import AuthenticatedHtmxRequest, raise_http, require_perm

PAGE_SIZE = 25


def _filtered(request: AuthenticatedHtmxRequest):  # type: ignore[no-untyped-def]
    require_perm(request, "sales.view_order")
    rows = selectors.orders_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Order.Status.values:
        rows = rows.filter(status=status)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        rows = rows.filter(Q(number__icontains=term) | Q(customer__name__icontains=term))
    return rows, {"status": status, "q": term}


@require_GET
def order_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """The order register (订单登记): scoped — a rep sees only their own customers' orders (ORD-3)."""
    rows, filters = _filtered(request)
    page = paginate(request, rows, PAGE_SIZE)
    context = {"page": page, "statuses": Order.Status.choices, "query": request.GET.urlencode(), **filters}
    return render(request, "sales/order_list.html", context)


@require_GET
def order_export_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    rows, _filters = _filtered(request)
    response = HttpResponse(order_workbook(rows[:EXPORT_LIMIT]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="orders-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _products(request: AuthenticatedHtmxRequest):  # type: ignore[no-untyped-def]
    return Product.objects.restrict(request.user, "view").filter(is_active=True)


@require_http_methods(["GET", "POST"])
def order_create_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.add_order")
    customers = Customer.objects.restrict(request.user, "view").filter(is_archived=False).order_by("name")
    deposits = selectors.deposits_visible_to(request.user).filter(status__in=Deposit.ACTIVE)
    initial = {key: request.GET[key] for key in ("customer", "deposit") if request.GET.get(key)}
    form = OrderCreateForm(
        request.POST or None,
        initial=initial or None,
        customers=customers,
        deposits=deposits,
        products=_products(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = service.order_create(
                actor=request.user,
                customer=data["customer"],
                lines=form.lines(),
                currency=data["currency"],
                deposit=data.get("deposit"),
                delivery_date=data.get("delivery_date"),
                note=data.get("note", ""),
            )
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            messages.success(
                request, _("Order %(number)s is saved as a draft; submit it for sign-off.") % {"number": order.number}
            )
            return redirect("sales:order_detail", pk=order.pk)
    return render(request, "sales/order_form.html", {"form": form})


def _detail_context(request: AuthenticatedHtmxRequest, order: Order, **forms: object) -> dict:
    versions = selectors.order_versions(order)
    plan = ProductionPlan.objects.filter(order=order).select_related("entered_by").first()
    user = request.user
    may_change = user.has_perm("sales.change_order") and (
        Order.objects.restrict(user, "change").filter(pk=order.pk).exists()
    )
    is_office = user.has_perm(PLAN_PERMISSION)
    today = timezone.localdate()
    return {
        "order": order,
        "latest": versions[0],
        "versions": versions,
        "may_change": may_change,
        "may_sign": any(s.pk == user.pk for s in service.signers_for(order)) and user.pk != order.owner_id,
        "is_office": is_office,
        "plan": plan,
        "progress": order.progress.select_related("entered_by").order_by("-day", "-pk")[:100],
        "shipments": selectors.shipments_visible_to(user).filter(order=order),
        "signoff_form": forms.get("signoff_form") or SignoffForm(),
        "change_form": forms.get("change_form")
        or OrderChangeForm(products=_products(request), initial=_change_initial(versions)),
        "plan_form": forms.get("plan_form")
        or ProductionPlanForm(initial={"planned_start": today, "planned_finish": today + dt.timedelta(days=30)}),
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "shipment_form": forms.get("shipment_form") or ShipmentForm(),
        "may_ship": user.has_perm("sales.add_shipment") and order.is_effective,
        # The contracts drafted from this order (ORD-3 ↔ CON-1), as far as the viewer may see them.
        "contracts": (
            Contract.objects.restrict(user, "view").filter(order=order).order_by("created_at", "pk")
            if user.has_perm("sales.view_contract")
            else Contract.objects.none()
        ),
        "may_draft_contract": user.has_perm("sales.add_contract") and order.status != Order.Status.CANCELLED,
    }


def _change_initial(versions: list) -> dict:
    """Prefill the change form with the lines in force."""
    current = next((v for v in versions if v.status == "effective"), versions[0])
    initial: dict[str, object] = {}
    for index, line in enumerate(current.lines.all(), start=1):
        if index > 5:
            break
        initial[f"product_{index}"] = line.product_id
        initial[f"quantity_{index}"] = line.quantity
        initial[f"unit_price_{index}"] = line.unit_price
    return initial


@require_GET
def order_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    order = selectors.get_order_for(request.user, pk)
    return render(request, "sales/order_detail.html", _detail_context(request, order))


def _done(request: AuthenticatedHtmxRequest, order: Order, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("sales:order_detail", pk=order.pk)


@require_POST
def order_action_view(request: AuthenticatedHtmxRequest, pk: int, action: str) -> HttpResponse:
    """Submit, sign off / refuse (ORD-3); a refused action is a message, nothing changed."""
    order = selectors.get_order_for(request.user, pk)
    note = request.POST.get("note", "")
    try:
        if action == "submit":
            service.order_submit(actor=request.user, order=order)
            text = _("The order has been submitted for sign-off.")
        elif action == "approve":
            service.order_signoff(actor=request.user, order=order, approve=True, note=note)
            text = _("The order is signed off and in force.")
        elif action == "reject":
            service.order_signoff(actor=request.user, order=order, approve=False, note=note)
            text = _("The order was sent back without sign-off.")
        else:
            raise Http404
    except BusinessError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
        return redirect("sales:order_detail", pk=order.pk)
    return _done(request, order, text)


@require_POST
def order_change_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """A change to an effective order: a new dated version pending sign-off (ORD-3)."""
    order = selectors.get_order_for(request.user, pk)
    form = OrderChangeForm(request.POST, products=_products(request))
    if form.is_valid():
        try:
            service.order_change(
                actor=request.user,
                order=order,
                lines=form.lines(),
                note=form.cleaned_data["note"],
                delivery_date=form.cleaned_data.get("delivery_date"),
            )
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            return _done(
                request,
                order,
                _("The change is saved as a new version awaiting sign-off; the version in force stays until then."),
            )
    order.refresh_from_db()
    return render(request, "sales/order_detail.html", _detail_context(request, order, change_form=form), status=400)


@require_POST
def order_lines_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """Replace the lines of the draft (a signed-off version is refused: ORD-3)."""
    order = selectors.get_order_for(request.user, pk)
    form = OrderChangeForm(request.POST, products=_products(request))
    form.fields["note"].required = False
    if form.is_valid():
        try:
            service.order_update_lines(actor=request.user, order=order, lines=form.lines())
        except BusinessError as error:
            raise_http(error)
            messages.error(request, error.message)
            return redirect("sales:order_detail", pk=order.pk)
        return _done(request, order, _("The draft lines are saved."))
    messages.error(request, _("Check the lines."))
    return redirect("sales:order_detail", pk=order.pk)


@require_POST
def production_plan_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """The sales office's review and production plan (ORD-4)."""
    order = selectors.get_order_for(request.user, pk)
    require_perm(request, PLAN_PERMISSION)
    form = ProductionPlanForm(request.POST)
    if form.is_valid():
        try:
            service.production_plan_enter(actor=request.user, order=order, **form.cleaned_data)
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            return _done(request, order, _("The production plan has been entered."))
    return render(request, "sales/order_detail.html", _detail_context(request, order, plan_form=form), status=400)


@require_POST
def progress_add_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    order = selectors.get_order_for(request.user, pk)
    require_perm(request, PLAN_PERMISSION)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            service.progress_add(actor=request.user, order=order, **form.cleaned_data)
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            return _done(request, order, _("The progress has been recorded."))
    return render(request, "sales/order_detail.html", _detail_context(request, order, progress_form=form), status=400)


@require_GET
def production_summary_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """The daily summary of production / outsourcing / purchasing progress (ORD-4), yesterday by default."""
    require_perm(request, "sales.view_order")
    default = timezone.localdate() - dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else default
    except ValueError:
        day = default
    groups = service.progress_summary(day, orders=selectors.orders_visible_to(request.user))
    late = selectors.orders_visible_to(request.user).filter(
        plan_due_at__lt=timezone.now(), production_plan__isnull=True, effective_version__isnull=False
    )
    context = {
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
        "groups": groups,
        "late": late[:100],
    }
    return render(request, "sales/production_summary.html", context)
