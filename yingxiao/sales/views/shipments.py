"""Shipment pages (SHP-1…3): the shipment list, create from an order, the documents checklist,
dispatch, logistics, the signed receipt, management's complaint, and spot checks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate

from .. import selectors
from ..forms import ComplaintForm, DocumentForm, LogisticsForm, ReceiptForm, ShipmentForm
from ..models import Shipment, ShipmentDocument, SpotCheck
from ..models.shipments import COMPLAINT_PERMISSION, SPOT_CHECK_PERMISSION
from ..services import shipments as service
from .common import AuthenticatedHtmxRequest, raise_http, require_perm

PAGE_SIZE = 25


@require_GET
def shipment_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.view_shipment")
    rows = selectors.shipments_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Shipment.Status.values:
        rows = rows.filter(status=status)
    if request.GET.get("no_receipt"):
        rows = rows.exclude(status=Shipment.Status.PREPARING).filter(receipt="")
    term = request.GET.get("q", "").strip()[:100]
    if term:
        rows = rows.filter(
            Q(number__icontains=term) | Q(order__number__icontains=term) | Q(order__customer__name__icontains=term)
        )
    page = paginate(request, rows, PAGE_SIZE)
    context = {
        "page": page,
        "statuses": Shipment.Status.choices,
        "status": status,
        "q": term,
        "no_receipt": bool(request.GET.get("no_receipt")),
    }
    return render(request, "sales/shipment_list.html", context)


@require_POST
def shipment_create_view(request: AuthenticatedHtmxRequest, order_pk: int) -> HttpResponse:
    order = selectors.get_order_for(request.user, order_pk)
    form = ShipmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the shipment details."))
        return redirect("sales:order_detail", pk=order.pk)
    try:
        shipment = service.shipment_create(actor=request.user, order=order, **form.cleaned_data)
    except BusinessError as error:
        raise_http(error)
        messages.error(request, error.message)
        return redirect("sales:order_detail", pk=order.pk)
    messages.success(request, _("Shipment %(number)s is created; archive its documents.") % {"number": shipment.number})
    return redirect("sales:shipment_detail", pk=shipment.pk)


def _context(request: AuthenticatedHtmxRequest, shipment: Shipment, **forms: object) -> dict:
    documents = {
        doc.kind: doc for doc in shipment.documents.filter(is_current=True).select_related("uploaded_by", "reviewed_by")
    }
    checklist = [(kind, label, documents.get(kind)) for kind, label in ShipmentDocument.Kind.choices]
    may_change = Shipment.objects.restrict(request.user, "change").filter(pk=shipment.pk).exists()
    return {
        "shipment": shipment,
        "checklist": checklist,
        "missing": service.missing_documents(shipment),
        "may_change": may_change,
        "logistics": shipment.logistics.select_related("entered_by")[:100],
        "complaints": shipment.complaints.select_related("person", "recorded_by"),
        "document_form": forms.get("document_form") or DocumentForm(),
        "receipt_form": forms.get("receipt_form") or ReceiptForm(),
        "logistics_form": forms.get("logistics_form") or LogisticsForm(),
        "complaint_form": forms.get("complaint_form") or ComplaintForm(),
        "may_complain": request.user.has_perm(COMPLAINT_PERMISSION),
    }


@require_GET
def shipment_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    shipment = selectors.get_shipment_for(request.user, pk)
    return render(request, "sales/shipment_detail.html", _context(request, shipment))


def _back(shipment: Shipment) -> HttpResponse:
    return redirect("sales:shipment_detail", pk=shipment.pk)


@require_POST
def shipment_action_view(request: AuthenticatedHtmxRequest, pk: int, action: str) -> HttpResponse:
    """Upload / review a document, dispatch, log logistics, upload the receipt, record a complaint."""
    shipment = selectors.get_shipment_for(request.user, pk)
    forms = {
        "document": (DocumentForm, "document_form"),
        "receipt": (ReceiptForm, "receipt_form"),
        "logistics": (LogisticsForm, "logistics_form"),
        "complaint": (ComplaintForm, "complaint_form"),
    }
    try:
        if action == "dispatch":
            service.shipment_dispatch(actor=request.user, shipment=shipment)
            messages.success(request, _("The shipment has been dispatched."))
            return _back(shipment)
        if action == "review":
            service.document_review(actor=request.user, shipment=shipment, kind=request.POST.get("kind", ""))
            messages.success(request, _("The document is marked reviewed."))
            return _back(shipment)
        if action not in forms:
            raise Http404
        form_class, name = forms[action]
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            return render(
                request, "sales/shipment_detail.html", _context(request, shipment, **{name: form}), status=400
            )
        data = form.cleaned_data
        if action == "document":
            service.document_upload(actor=request.user, shipment=shipment, kind=data["kind"], file=data["file"])
            text = _("The document is archived; review it to complete the checklist.")
        elif action == "receipt":
            service.receipt_upload(actor=request.user, shipment=shipment, file=data["file"])
            text = _("The signed delivery receipt is archived.")
        elif action == "logistics":
            service.logistics_add(actor=request.user, shipment=shipment, note=data["note"])
            text = _("The logistics progress has been recorded.")
        else:
            service.shipment_complaint_record(actor=request.user, shipment=shipment, description=data["description"])
            text = _("The complaint is recorded as a violation of the person responsible.")
    except BusinessError as error:
        if error.status == 404:
            raise Http404 from error
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, error.message)
        return _back(shipment)
    messages.success(request, text)
    return _back(shipment)


@require_GET
def shipment_file_view(request: AuthenticatedHtmxRequest, pk: int, doc: str) -> FileResponse:
    """An archived document or the signed receipt, for whoever may see the shipment."""
    shipment = selectors.get_shipment_for(request.user, pk)
    if doc == "receipt":
        stored = shipment.receipt
    else:
        document = shipment.documents.filter(pk=doc if doc.isdigit() else 0).first()
        stored = document.file if document else None
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), as_attachment=False, filename=stored.name.rsplit("/", 1)[-1])


@require_http_methods(["GET", "POST"])
def spot_check_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """Run a spot check for signed receipts (SHP-2) and see the earlier ones."""
    require_perm(request, SPOT_CHECK_PERMISSION)
    if request.method == "POST":
        check = service.shipment_spot_check(actor=request.user, note=request.POST.get("note", ""))
        count = check.missing.count()
        if count:
            messages.warning(
                request,
                _("%(count)s shipments without a signed receipt: each is recorded as a violation (once).")
                % {"count": count},
            )
        else:
            messages.success(request, _("Every dispatched shipment has its signed receipt."))
        return redirect("sales:spot_checks")
    from yingxiao.org.scope import scope_for

    checks = (
        SpotCheck.objects.all() if scope_for(request.user).is_all else SpotCheck.objects.filter(checked_by=request.user)
    )
    checks = checks.select_related("checked_by").prefetch_related("missing__order__customer", "missing__responsible")[
        :20
    ]
    return render(request, "sales/spot_checks.html", {"checks": checks})
