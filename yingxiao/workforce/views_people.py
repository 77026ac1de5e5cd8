"""Pages of the duty roster (HR-10), meetings (HR-6) and work reports (HR-7, HR-8).
Views parse → call a service → render; scoping is the models' ``restrict`` (ORG-5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import Department

from . import meetings, reports, roster
from .forms import (
    AcknowledgeForm,
    ArrivalForm,
    DutyAssignForm,
    DutyPostForm,
    MeetingForm,
    MinutesForm,
    ReportForm,
    SwapForm,
    UnattendedForm,
)
from .models import DutyAssignment, Meeting, MeetingAttendance, WorkReport
from .views import AuthenticatedRequest, _form_page, _need


def _day(value: str | None, default: dt.date) -> dt.date:
    parsed = parse_date(value or "") if value else None
    return parsed or default


# --- HR-10 duty roster ------------------------------------------------------------------------
def _roster_department(request: AuthenticatedRequest) -> Department | None:
    value = request.GET.get("department") or request.POST.get("department") or ""
    if value.isdigit():
        department = Department.objects.filter(pk=int(value), is_active=True).first()
        if department is not None:
            return department
    return roster.default_department(request.user)


def _roster_url(department: Department | None, day: dt.date) -> str:
    query = f"?week={roster.week_start(day).isoformat()}"
    if department is not None:
        query += f"&department={department.pk}"
    return reverse("workforce:roster") + query


@require_GET
def roster_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-10 — the department's week: a row per post (lunch duty first), a cell per day."""
    _need(request, "workforce.view_dutyassignment")
    department = _roster_department(request)
    monday = roster.week_start(_day(request.GET.get("week"), timezone.localdate()))
    grid = roster.roster_week(request.user, department, monday) if department else None
    may_plan = department is not None and request.user.has_perm("workforce.add_dutyassignment")
    return render(
        request,
        "workforce/roster.html",
        {
            "grid": grid,
            "department": department,
            "departments": Department.objects.filter(is_active=True).order_by("path"),
            "monday": monday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "today": timezone.localdate(),
            "assign_form": DutyAssignForm(department=department) if may_plan else None,
            "post_form": DutyPostForm() if department and request.user.has_perm("workforce.add_dutypost") else None,
            "may_report": request.user.has_perm("workforce.report_unattended_dutyassignment"),
        },
    )


def _roster_post(request: AuthenticatedRequest, form: Any, call: Any, success: str, day: dt.date) -> HttpResponse:
    department = _roster_department(request)
    if form.is_valid():
        try:
            call(department, dict(form.cleaned_data))
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_roster_url(department, day))


@require_POST
def roster_assign_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-10 — a head puts someone on a post for a day."""
    _need(request, "workforce.add_dutyassignment")
    department = _roster_department(request)
    form = DutyAssignForm(request.POST, department=department)
    day = _day(request.POST.get("day"), timezone.localdate())
    return _roster_post(
        request,
        form,
        lambda _dep, data: roster.duty_assign(actor=request.user, **data),
        _("On the roster."),
        day,
    )


@require_POST
def roster_post_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-10 — a head adds a post (lunch duty, front desk …) to the department."""
    _need(request, "workforce.add_dutypost")
    form = DutyPostForm(request.POST)
    return _roster_post(
        request,
        form,
        lambda department, data: roster.duty_post_create(actor=request.user, department=department, **data),
        _("The post was added."),
        timezone.localdate(),
    )


@require_http_methods(["GET", "POST"])
def swap_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: HR-10 — hand one's duty to a colleague; the department head approves."""
    assignment = get_restricted_or_404(DutyAssignment, request.user, pk)
    form = SwapForm(request.POST or None, department=assignment.department)
    return _form_page(
        request,
        form,
        lambda data: roster.duty_swap_request(actor=request.user, assignment=assignment, **data),
        template="workforce/swap.html",
        done=_roster_url(assignment.department, assignment.day),
        success=_("The swap was sent to the department head for approval."),
        context={"assignment": assignment},
    )


@require_POST
def unattended_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: HR-10 — report an empty post: a violation of the person on duty."""
    assignment = get_restricted_or_404(DutyAssignment, request.user, pk)
    form = UnattendedForm(request.POST)
    if form.is_valid():
        try:
            roster.duty_report_unattended(actor=request.user, assignment=assignment, note=form.cleaned_data["note"])
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The unattended post was recorded."))
    else:
        messages.error(request, _("Say what you found."))
    return redirect(_roster_url(assignment.department, assignment.day))


# --- HR-6 meetings ----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def meetings_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-6 — meetings in scope (organised, attended, the department's); schedule a new one."""
    _need(request, "workforce.view_meeting")
    if request.method == "POST":
        _need(request, "workforce.add_meeting")
    form = MeetingForm(request.POST or None)
    visible = (
        Meeting.objects.restrict(request.user, "view")  # type: ignore[attr-defined]
        .select_related("organiser")
        .order_by("-starts_at")[:200]
    )
    return _form_page(
        request,
        form,
        lambda data: meetings.meeting_schedule(actor=request.user, **data),
        template="workforce/meetings.html",
        done="workforce:meetings",
        success=_("The meeting was scheduled and the attendees told."),
        context={"meetings": visible, "may_schedule": request.user.has_perm("workforce.add_meeting")},
    )


def _meeting(request: AuthenticatedRequest, pk: int) -> Meeting:
    return get_restricted_or_404(Meeting, request.user, pk)


@require_GET
def meeting_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: HR-6 — attendance and lateness, held or not, the minutes."""
    meeting = _meeting(request, pk)
    attendees = list(meeting.attendees.select_related("person").order_by("person__display_name"))
    mine = next((a for a in attendees if a.person_id == request.user.pk), None)
    runs = meeting.organiser_id == request.user.pk or request.user.has_perm("workforce.change_meeting")
    return render(
        request,
        "workforce/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": attendees,
            "mine": mine,
            "runs": runs,
            "arrival_form": ArrivalForm(meeting=meeting) if runs else None,
            "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}) if runs else None,
            "Status": Meeting.Status,
            "Expected": MeetingAttendance.Status.EXPECTED,
        },
    )


def _meeting_action(request: AuthenticatedRequest, pk: int, call: Any, success: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        call(meeting)
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("workforce:meeting", pk=meeting.pk)


@require_POST
def meeting_sign_in_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _meeting_action(
        request,
        pk,
        lambda m: meetings.meeting_record_arrival(actor=request.user, meeting=m, person=request.user),
        _("Signed in."),
    )


@require_POST
def meeting_arrival_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ArrivalForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("workforce:meeting", pk=meeting.pk)
    return _meeting_action(
        request,
        pk,
        lambda m: meetings.meeting_record_arrival(actor=request.user, meeting=m, **form.cleaned_data),
        _("Arrival recorded."),
    )


@require_POST
def meeting_held_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _meeting_action(
        request, pk, lambda m: meetings.meeting_mark_held(actor=request.user, meeting=m), _("Marked as held.")
    )


@require_POST
def meeting_cancel_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _meeting_action(
        request, pk, lambda m: meetings.meeting_cancel(actor=request.user, meeting=m), _("The meeting was cancelled.")
    )


@require_POST
def meeting_minutes_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    minutes = request.POST.get("minutes", "")
    return _meeting_action(
        request,
        pk,
        lambda m: meetings.meeting_send_minutes(actor=request.user, meeting=m, minutes=minutes),
        _("The minutes were sent to the attendees."),
    )


# --- HR-7 / HR-8 work reports -----------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def reports_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-7 — my reports and the form; a daily summary starts from the day's own records."""
    _need(request, "workforce.view_workreport")
    today = timezone.localdate()
    initial: dict[str, Any] = {}
    if request.method == "GET":
        kind = request.GET.get("kind") or (
            WorkReport.Kind.DAILY_PLAN if timezone.localtime().hour < 12 else WorkReport.Kind.DAILY_SUMMARY
        )
        day = _day(request.GET.get("day"), today)
        initial = {"kind": kind, "day": day}
        if kind == WorkReport.Kind.DAILY_SUMMARY:
            initial["content"] = reports.daily_summary_prefill(request.user, day).as_text()
    form = ReportForm(request.POST or None, initial=initial)
    mine = WorkReport.objects.filter(person=request.user).select_related("recipient")[:100]
    return _form_page(
        request,
        form,
        lambda data: reports.report_submit(actor=request.user, **data),
        template="workforce/reports.html",
        done="workforce:reports",
        success=_("The report was submitted to your superior."),
        context={"reports": mine, "may_submit": request.user.has_perm("workforce.add_workreport")},
    )


@require_GET
def team_reports_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-8 — the superior's inbox: reports sent to me and my team's, to acknowledge."""
    _need(request, "workforce.view_workreport")
    today = timezone.localdate()
    start = _day(request.GET.get("from"), today - dt.timedelta(days=31))
    end = _day(request.GET.get("to"), today)
    error = ""
    try:
        rows = reports.reports_between(request.user, start, end, inbox=True).select_related("person", "recipient")
        rows = rows.order_by("status", "-period_start", "person__display_name")[:500]
    except BusinessError as exc:
        error, rows = str(exc.message), WorkReport.objects.none()
    return render(
        request,
        "workforce/reports_team.html",
        {"reports": rows, "start": start, "end": end, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def report_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: HR-8 — the report with both signatures; the recipient acknowledges it here."""
    report = get_restricted_or_404(
        WorkReport, request.user, pk, queryset=WorkReport.objects.select_related("person", "recipient")
    )
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_acknowledge(actor=request.user, report=report, comment=form.cleaned_data["comment"])
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("Acknowledged."))
            return redirect("workforce:report", pk=report.pk)
    return render(
        request,
        "workforce/report_detail.html",
        {"report": report, "form": form, "may_acknowledge": report.recipient_id == request.user.pk},
        status=400 if form.errors else 200,
    )
