"""Workforce pages: the clock (one big button, phone-friendly), the monthly sheet, corrections,
outings, trips with their check-ins, leave. Views parse → call a service → render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import XLSX, export_check_and_log
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import Department, User
from yingxiao.org.selectors import primary_department

from . import attendance, leave, selectors, trips
from .common import month_bounds
from .forms import CheckinForm, CorrectionForm, LeaveForm, OutingForm, TripForm, WorkforceForm
from .models import AttendanceRecord, Leave, Outing, Trip


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def _need(request: AuthenticatedRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@require_GET
def attendance_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-1 — today's state and the one button; this month's own records below."""
    _need(request, "workforce.add_attendancerecord")
    first, last = month_bounds(timezone.localdate())
    records = AttendanceRecord.objects.filter(person=request.user, day__gte=first, day__lte=last).order_by("-day")
    return render(
        request,
        "workforce/attendance.html",
        {"today": attendance.today_record(request.user), "records": records},
    )


@require_POST
def clock_view(request: AuthenticatedRequest) -> HttpResponse:
    today = attendance.today_record(request.user)
    try:
        if today is None or today.clock_in is None:
            record = attendance.attendance_clock_in(actor=request.user)
            messages.success(
                request, _("Clocked in at %(time)s.") % {"time": f"{timezone.localtime(record.clock_in):%H:%M}"}
            )
        else:
            record = attendance.attendance_clock_out(actor=request.user)
            messages.success(
                request, _("Clocked out at %(time)s.") % {"time": f"{timezone.localtime(record.clock_out):%H:%M}"}
            )
    except BusinessError as error:
        messages.error(request, error.message)
    return redirect("workforce:attendance")


def _form_page(
    request: AuthenticatedRequest,
    form: WorkforceForm,
    call: Callable[[dict[str, Any]], Any],
    *,
    template: str,
    done: str,
    success: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            call(dict(form.cleaned_data))
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, success)
            return redirect(done)
    return render(request, template, {"form": form, **(context or {})}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def correction_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-2 — corrections only by a request the superior approves."""
    _need(request, "workforce.add_attendancecorrection")
    form = CorrectionForm(request.POST or None, initial={"day": request.GET.get("day")})
    return _form_page(
        request,
        form,
        lambda data: attendance.correction_request(actor=request.user, **data),
        template="workforce/correction.html",
        done="workforce:attendance",
        success=_("The correction was sent to your superior for approval."),
    )


# People per page of the monthly sheet; the export holds everyone in scope (within the ARC-2 caps).
SHEET_PAGE_SIZE = 100


def _sheet_people(request: AuthenticatedRequest) -> tuple[dt.date, Department | None, QuerySet[User]]:
    month = selectors.parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)
    department = selectors.department_param(request.GET.get("department")) or primary_department(request.user)
    people = selectors.visible_people(request.user, department)
    if not people.exists():
        people = selectors.visible_people(request.user).filter(pk=request.user.pk)
    return month, department, people


@require_GET
def sheet_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-2 — the monthly sheet: own for staff, the department for heads, all for HR/director;
    a page of people at a time, so a division of a thousand is shown whole, page by page."""
    _need(request, "workforce.view_attendancerecord")
    month, department, people = _sheet_people(request)
    page = paginate(request, people, per_page=SHEET_PAGE_SIZE)
    rows = selectors.attendance_sheet(request.user, month, list(page.object_list))
    selectors.attach_evaluations(request.user, month, rows)
    return render(
        request,
        "workforce/sheet.html",
        {
            "rows": rows,
            "page": page,
            "month": month,
            "department": department,
            "departments": Department.objects.filter(is_active=True).order_by("path"),
        },
    )


@require_GET
def sheet_export_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-2, ARC-2 — the same sheet (same scope, every page) as an Excel workbook, per person
    and per department; exporting is a right of its own, capped and logged like every export."""
    from .exports import attendance_workbook

    _need(request, "workforce.view_attendancerecord")
    month, department, people = _sheet_people(request)
    filters = {"month": f"{month:%Y-%m}", "department": department.pk if department is not None else None}
    try:
        export_check_and_log(request.user, list_name="attendance_sheet", rows=people.count(), filters=filters, fmt=XLSX)
    except BusinessError as error:
        return render(request, "core/export_refused.html", {"error": error}, status=error.status)
    rows = selectors.attendance_sheet(request.user, month, people)
    response = HttpResponse(
        attendance_workbook(rows, month),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    suffix = f"-{department.code}" if department is not None and department.code else ""
    response["Content-Disposition"] = f'attachment; filename="attendance-{month:%Y-%m}{suffix}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def outing_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-3 — register an outing; the list shows the outings in scope."""
    _need(request, "workforce.view_outing")
    form = OutingForm(request.POST or None)
    visible = Outing.objects.restrict(request.user, "view").select_related("person")[:100]  # type: ignore[attr-defined]
    return _form_page(
        request,
        form,
        lambda data: trips.outing_register(actor=request.user, **data),
        template="workforce/outings.html",
        done="workforce:outings",
        success=_("The outing was sent to your superior for approval."),
        context={"outings": visible},
    )


@require_http_methods(["GET", "POST"])
def trip_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-4 — register a trip; the list shows the trips in scope with their check-ins."""
    _need(request, "workforce.view_trip")
    form = TripForm(request.POST or None)
    visible = (
        Trip.objects.restrict(request.user, "view")  # type: ignore[attr-defined]
        .select_related("person")
        .prefetch_related("checkins")[:100]
    )
    return _form_page(
        request,
        form,
        lambda data: trips.trip_register(actor=request.user, **data),
        template="workforce/trips.html",
        done="workforce:trips",
        success=_("The trip was sent to your superior for approval."),
        context={"trips": visible, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def checkin_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: HR-4 — the morning check-in: time (now), place, note, optional photo."""
    trip = get_restricted_or_404(Trip, request.user, pk)
    form = CheckinForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        form,
        lambda data: trips.trip_checkin(actor=request.user, trip=trip, **data),
        template="workforce/checkin.html",
        done="workforce:trips",
        success=_("Checked in."),
        context={"trip": trip},
    )


@require_http_methods(["GET", "POST"])
def leave_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-5 — request leave (handover person required); the balance and the leaves in scope."""
    _need(request, "workforce.view_leave")
    form = LeaveForm(request.POST or None, request.FILES or None, actor=request.user)
    visible = Leave.objects.restrict(request.user, "view").select_related("person", "handover")[:100]  # type: ignore[attr-defined]
    return _form_page(
        request,
        form,
        lambda data: leave.leave_request(actor=request.user, **data),
        template="workforce/leaves.html",
        done="workforce:leaves",
        success=_("The leave request was sent for approval."),
        context={"leaves": visible, "balance": leave.annual_balance(request.user, timezone.localdate().year)},
    )
