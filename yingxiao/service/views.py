"""Complaint pages: the register (filters, Excel), intake, the detail with its timeline and one
form per transition. Views parse → call a service → render; every read goes through restrict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.approvals.services import acting_for
from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import export_view
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import User

from . import services
from .analysis import complaint_analysis
from .exports import register_sheet
from .forms import (
    AssignForm,
    BootstrapForm,
    CloseForm,
    ComplaintFilterSet,
    ComplaintIntakeForm,
    DecideForm,
    ProgressForm,
    SolutionForm,
    SurveyForm,
)
from .models import Complaint
from .periods import parse_period

PAGE_SIZE = 25


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def _visible(request: AuthenticatedRequest) -> Any:
    if not request.user.has_perm("service.view_complaint"):
        raise PermissionDenied
    queryset = Complaint.objects.restrict(request.user, "view").select_related("customer", "responsible_department")  # type: ignore[attr-defined]
    return ComplaintFilterSet(request.GET or None, queryset=queryset)


def _raise_http(error: BusinessError) -> None:
    if error.status == 404:
        raise Http404 from error


@require_GET
def complaint_list_view(request: AuthenticatedRequest) -> HttpResponse:
    filterset = _visible(request)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    return render(request, "service/list.html", {"filter": filterset, "page": page})


@require_GET
def complaint_export_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: CMP-7, ARC-2 — the visible register, through the export control (permission, caps, log)."""
    filterset = _visible(request)
    complaints = filterset.qs.select_related("customer", "responsible_department")
    return export_view(  # type: ignore[return-value]
        request, list_name="service.complaints", sheets=[register_sheet(complaints)], filename="complaints"
    )


@require_http_methods(["GET", "POST"])
def complaint_new_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: CMP-1 — intake from the UI, also for a phone call logged by customer service."""
    if not request.user.has_perm("service.add_complaint"):
        raise PermissionDenied
    initial = {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "customer": request.GET.get("customer")}
    form = ComplaintIntakeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            customer = services.intake_customer(request.user, data.pop("customer"))
            complaint = services.complaint_intake(actor=request.user, customer=customer, **data)
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("The complaint has been registered."))
            return redirect("service:detail", pk=complaint.pk)
    return render(request, "service/new.html", {"form": form})


def _detail_context(request: AuthenticatedRequest, complaint: Complaint, **forms: BootstrapForm) -> dict[str, Any]:
    user = request.user
    pending = services.pending_solution(complaint)
    may_decide = pending is not None and pending.approval is not None and acting_for(user, pending.approval)[0]
    handle, follow = services.may_handle(user, complaint), services.may_follow_up(user, complaint)
    status = Complaint.Status
    low, high = services.fine_range(complaint.category)
    context: dict[str, Any] = {
        "complaint": complaint,
        "events": complaint.events.select_related("actor"),
        "solutions": complaint.solutions.select_related("department", "attributed_to", "violation"),
        "pending": pending,
        "survey": getattr(complaint, "survey", None),
        "fine_low": low,
        "fine_high": high,
        "assign_form": forms.get("assign")
        or (AssignForm() if handle and complaint.status == status.RECEIVED else None),
        "solution_form": forms.get("solution")
        or (SolutionForm() if handle and complaint.status == status.ASSIGNED else None),
        "decide_form": forms.get("decide") or (DecideForm() if may_decide else None),
        "progress_form": forms.get("progress")
        or (ProgressForm() if follow and complaint.status == status.EXECUTING else None),
        "survey_form": forms.get("survey")
        or (SurveyForm() if follow and complaint.status == status.EXECUTING else None),
        "close_form": forms.get("close") or (CloseForm() if follow and complaint.is_open else None),
    }
    return context


@require_GET
def complaint_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    complaint = get_restricted_or_404(Complaint, request.user, pk)
    return render(request, "service/detail.html", _detail_context(request, complaint))


def _transition_view(
    name: str,
    form_class: type[BootstrapForm],
    call: Callable[[AuthenticatedRequest, Complaint, dict[str, Any]], Any],
    done: Any,
) -> Callable[..., HttpResponse]:
    @require_POST
    def view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
        complaint = get_restricted_or_404(Complaint, request.user, pk)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                call(request, complaint, form.cleaned_data)
            except BusinessError as error:
                _raise_http(error)
                form.add_business_error(error)
            else:
                messages.success(request, done)
                return redirect("service:detail", pk=complaint.pk)
        complaint.refresh_from_db()
        return render(request, "service/detail.html", _detail_context(request, complaint, **{name: form}), status=400)

    view.__name__ = f"complaint_{name}_view"
    return view


complaint_assign_view = _transition_view(
    "assign",
    AssignForm,
    lambda r, c, d: services.complaint_assign(actor=r.user, complaint=c, **d),
    gettext_lazy("Responsibility and plan recorded."),
)
complaint_solution_view = _transition_view(
    "solution",
    SolutionForm,
    lambda r, c, d: services.solution_propose(actor=r.user, complaint=c, **d),
    gettext_lazy("The solution has been sent to the director for approval."),
)
complaint_decide_view = _transition_view(
    "decide",
    DecideForm,
    lambda r, c, d: services.solution_decide(actor=r.user, complaint=c, **d),
    gettext_lazy("Your decision has been recorded."),
)
complaint_progress_view = _transition_view(
    "progress",
    ProgressForm,
    lambda r, c, d: services.complaint_progress(actor=r.user, complaint=c, **d),
    gettext_lazy("The progress message has been recorded."),
)
complaint_survey_view = _transition_view(
    "survey",
    SurveyForm,
    lambda r, c, d: services.survey_record(actor=r.user, complaint=c, **d),
    gettext_lazy("The verification call and survey have been recorded."),
)
complaint_close_view = _transition_view(
    "close",
    CloseForm,
    lambda r, c, d: services.complaint_close(actor=r.user, complaint=c, **d),
    gettext_lazy("The complaint has been closed."),
)


@require_GET
def analysis_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: CMP-9 — counts by cause, product and department; recurring causes flagged."""
    if not request.user.has_perm("service.analyse_complaint"):
        raise PermissionDenied
    error = None
    try:
        period = parse_period(request.GET.get("period"))
    except BusinessError as exc:
        error, period = exc.message, parse_period(None)
    analysis = complaint_analysis(request.user, period)
    return render(request, "service/analysis.html", {"analysis": analysis, "error": error, "period": period})
