"""Pages of return visits (ACT-2/3), statistics (ACT-4), inquiries (ACT-5), greetings (CUS-12), key accounts (CUS-14).

Views parse the query, call a selector or service and render; every read is scoped by ``restrict``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import export_view
from yingxiao.core.pagination import paginate
from yingxiao.policy.values import policy_value

from . import errors, greetings, inquiries, key_accounts, return_visits, statistics
from .models import Inquiry, KeyAccount
from .views import PAGE_SIZE, AuthenticatedHtmxRequest


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date:
    """``"2026-03"`` → 2026-03-01; empty → the default (this month); anything else refused."""
    if not value:
        return (default or timezone.localdate()).replace(day=1)
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 — a calendar month, no time
    except ValueError as exc:
        raise BusinessError(errors.BAD_MONTH, field="month") from exc


def parse_day(value: str | None, default: dt.date | None = None) -> dt.date:
    if not value:
        return default or timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BusinessError(errors.BAD_DATE, field="day") from exc


def parse_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _need(request: AuthenticatedHtmxRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _bad_input(request: AuthenticatedHtmxRequest, error: BusinessError) -> HttpResponse:
    return render(request, "activities/bad_request.html", {"message": error.message}, status=400)


@require_GET
def return_visits_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """ACT-2: the overdue list — transacted customers overdue or due within the lead time."""
    _need(request, "activities.view_activity")
    department_id = parse_id(request.GET.get("department"))
    today = timezone.localdate()
    page = paginate(request, return_visits.return_visits_due(request.user, department_id=department_id), PAGE_SIZE)
    context = {
        "page": page,
        "rows": return_visits.due_rows(page, today=today),
        "departments": statistics.department_choices(request.user),
        "department_id": department_id,
        "days": policy_value("return_visit_days"),
    }
    return render(request, "activities/return_visits.html", context)


@require_GET
def punctuality_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """ACT-2: 回访及时率 per person and department for a month, with the records behind it."""
    _need(request, "activities.view_activity")
    try:
        month = parse_month(request.GET.get("month"))
    except BusinessError as error:
        return _bad_input(request, error)
    department_id = parse_id(request.GET.get("department"))
    person_id = parse_id(request.GET.get("person"))
    report = return_visits.return_visit_punctuality(
        request.user, month, department_id=department_id, person_id=person_id
    )
    status = request.GET.get("status") or None
    context = {
        "report": report,
        "items": return_visits.punctuality_items(report, status=status),
        "status": status,
        "statuses": return_visits.DueStatus.LABELS,
        "departments": statistics.department_choices(request.user),
        "department_id": department_id,
        "person_id": person_id,
        "month_value": month.strftime("%Y-%m"),
        "target_percent": report.target * 100,
    }
    return render(request, "activities/punctuality.html", context)


def _statistics(request: AuthenticatedHtmxRequest) -> dict[str, Any]:
    day = parse_day(request.GET.get("day"))
    month = parse_month(request.GET.get("month"), default=day)
    department_id = parse_id(request.GET.get("department"))
    return {
        "day": day,
        "month": month,
        "department_id": department_id,
        "daily": statistics.daily_statistics(request.user, start=day, department_id=department_id),
        "monthly": statistics.monthly_statistics(request.user, month=month, department_id=department_id),
    }


@require_GET
def statistics_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """ACT-4: 来人来电统计表 of a day, and the month's figures per team."""
    _need(request, "activities.view_activity")
    try:
        context = _statistics(request)
    except BusinessError as error:
        return _bad_input(request, error)
    context["departments"] = statistics.department_choices(request.user)
    context["month_value"] = context["month"].strftime("%Y-%m")
    return render(request, "activities/statistics.html", context)


@require_GET
def statistics_export_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """ACT-4: the same statistics as an Excel workbook (scoped like the page)."""
    _need(request, "activities.view_activity")
    try:
        context = _statistics(request)
    except BusinessError as error:
        return _bad_input(request, error)
    # rule: ARC-2 — through the shared export control (permission, caps, log, escaping).
    return export_view(  # type: ignore[return-value]
        request,
        list_name="activities.statistics",
        sheets=statistics.statistics_sheets(context["daily"], context["monthly"]),
        filename=f"statistics-{context['day']:%Y-%m-%d}",
        dated=False,
    )


@require_GET
def inquiry_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """ACT-5: the inquiries the user may see (their own; a head sees the team's)."""
    _need(request, "activities.view_inquiry")
    rows = inquiries.inquiries_visible_to(request.user)
    status = request.GET.get("status")
    if status in Inquiry.Status.values:
        rows = rows.filter(status=status)
    page = paginate(request, rows, PAGE_SIZE)
    return render(
        request, "activities/inquiries.html", {"page": page, "status": status, "statuses": Inquiry.Status.choices}
    )


@require_http_methods(["GET", "POST"])
def inquiry_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """ACT-5: one inquiry, its distribution log and events; POST records a follow-up."""
    try:
        inquiry = inquiries.inquiry_for(request.user, pk)
    except BusinessError as error:
        raise Http404 from error
    error_message = ""
    if request.method == "POST":
        try:
            inquiries.inquiry_follow_up(
                actor=request.user,
                inquiry=inquiry,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                customer=parse_id(request.POST.get("customer")),
            )
        except BusinessError as error:
            if error.status == 404:
                raise Http404 from error
            error_message = error.message
        else:
            messages.success(request, _("The follow-up has been recorded."))
            return redirect("activities:inquiry", pk=inquiry.pk)
    context = {
        "inquiry": inquiry,
        "assignments": inquiry.assignments.select_related("assigned_to", "assigned_by"),
        "events": inquiry.events.select_related("actor"),
        "next_statuses": [(s, Inquiry.Status(s).label) for s in sorted(inquiries.TRANSITIONS[inquiry.status])],
        "error": error_message,
    }
    return render(request, "activities/inquiry.html", context, status=400 if error_message else 200)


@require_GET
def greetings_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """CUS-12: the user's upcoming birthdays and holidays (the next 30 days)."""
    _need(request, "customers.view_contact")
    start = timezone.localdate()
    end = start + dt.timedelta(days=30)
    items = greetings.upcoming_greetings(request.user, start=start, end=end)
    return render(request, "activities/greetings.html", {"items": items, "start": start, "end": end})


@require_http_methods(["GET", "POST"])
def key_accounts_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """CUS-14: key accounts with their management visit due dates and compliance; POST designates one."""
    _need(request, "activities.view_keyaccount")
    error_message = ""
    if request.method == "POST":
        try:
            key_accounts.key_account_designate(
                actor=request.user,
                customer=parse_id(request.POST.get("customer")),
                level=request.POST.get("level", ""),
                note=request.POST.get("note", ""),
            )
        except BusinessError as error:
            error_message = error.message
        else:
            messages.success(request, _("The key account has been designated."))
            return redirect("activities:key_accounts")
    context = {
        "compliance": key_accounts.key_account_compliance(request.user),
        "levels": KeyAccount.Level.choices,
        "error": error_message,
    }
    return render(request, "activities/key_accounts.html", context, status=400 if error_message else 200)


@require_POST
def key_account_end_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    try:
        key_accounts.key_account_end(actor=request.user, account=pk)
    except BusinessError as error:
        raise Http404 from error
    messages.success(request, _("The designation has ended."))
    return redirect("activities:key_accounts")
