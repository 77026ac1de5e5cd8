"""After-sales pages (CMP-8): service records and the monthly reports to the sales director."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.selectors import primary_department

from . import aftersales
from .forms import AfterSalesRecordForm
from .models import AfterSalesRecord, AfterSalesReport
from .periods import parse_period
from .views import AuthenticatedRequest


@require_http_methods(["GET", "POST"])
def aftersales_list_view(request: AuthenticatedRequest) -> HttpResponse:
    """The records in the user's scope, and the form to add one."""
    user = request.user
    if not user.has_perm("service.view_aftersalesrecord"):
        raise PermissionDenied
    form = None
    if user.has_perm("service.add_aftersalesrecord"):
        form = AfterSalesRecordForm(request.POST or None, initial={"served_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                customer = aftersales.record_customer(user, data.pop("customer"))
                aftersales.aftersales_record(actor=user, customer=customer, **data)
            except BusinessError as error:
                form.add_business_error(error)
            else:
                messages.success(request, _("The after-sales service has been recorded."))
                return redirect("service:aftersales")
    elif request.method == "POST":
        raise PermissionDenied
    records = AfterSalesRecord.objects.restrict(user, "view").select_related("customer", "staff")  # type: ignore[attr-defined]
    page = paginate(request, records, 25)
    return render(request, "service/aftersales.html", {"page": page, "form": form})


@require_http_methods(["GET", "POST"])
def report_list_view(request: AuthenticatedRequest) -> HttpResponse:
    """The monthly reports; POST generates (or regenerates) this month's report of the user's department."""
    user = request.user
    if not user.has_perm("service.view_aftersalesreport"):
        raise PermissionDenied
    if request.method == "POST":
        department = primary_department(user)
        try:
            if department is None:
                raise PermissionDenied
            month = parse_period(request.POST.get("month")).start
            aftersales.aftersales_report_generate(
                actor=user, department=department, month=month, notes=request.POST.get("notes", "")
            )
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The report has been generated from the records."))
        return redirect("service:reports")
    reports = AfterSalesReport.objects.restrict(user, "view").select_related("department", "submitted_by")  # type: ignore[attr-defined]
    return render(request, "service/reports.html", {"reports": reports, "month": f"{timezone.localdate():%Y-%m}"})


@require_POST
def report_submit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = get_restricted_or_404(AfterSalesReport, request.user, pk)
    try:
        aftersales.aftersales_report_submit(actor=request.user, report=report)
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The report has been sent to the sales director."))
    return redirect("service:reports")
