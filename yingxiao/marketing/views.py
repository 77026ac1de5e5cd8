"""Marketing pages: campaigns (list, Excel, detail with one form per step), media plans, roadshows,
competitor entries and their quarterly analysis. Views parse → call a service → render; every
read goes through ``restrict`` (ORG-5: out of scope → 404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import Department, User
from yingxiao.policy.values import policy_value

from . import forms, services
from .exports import campaigns_export
from .models import Campaign, CompetitorEntry, MediaPlan, Roadshow

PAGE_SIZE = 25


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def _need(request: AuthenticatedRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _not_found(error: BusinessError) -> None:
    if error.status == 404:
        raise Http404 from error


# --- campaigns -----------------------------------------------------------------------------------


def _campaigns(request: AuthenticatedRequest) -> forms.CampaignFilterSet:
    _need(request, "marketing.view_campaign")
    queryset = Campaign.objects.restrict(request.user, "view").select_related("owner", "department")  # type: ignore[attr-defined]
    return forms.CampaignFilterSet(request.GET or None, queryset=queryset)


@require_GET
def campaign_list_view(request: AuthenticatedRequest) -> HttpResponse:
    filterset = _campaigns(request)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    return render(request, "marketing/campaigns.html", {"filter": filterset, "page": page})


@require_GET
def campaign_export_view(request: AuthenticatedRequest) -> HttpResponse:
    """The campaign list as Excel, with the same filters and scope as the page."""
    filterset = _campaigns(request)
    campaigns = filterset.qs.annotate(
        lead_count=Count("leads", distinct=True), sales_total=Coalesce(Sum("leads__sales_amount"), Decimal("0"))
    )
    return campaigns_export(request, campaigns)


@require_http_methods(["GET", "POST"])
def campaign_new_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: MKT-1 — plan a campaign."""
    _need(request, "marketing.add_campaign")
    form = forms.CampaignPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("The campaign has been planned."))
            return redirect("marketing:campaign", pk=campaign.pk)
    return render(request, "marketing/campaign_new.html", {"form": form})


_STEP_FORMS: dict[str, type[forms.BootstrapForm]] = {
    "task": forms.TaskForm,
    "material": forms.MaterialForm,
    "invite": forms.InviteForm,
    "attendance": forms.AttendanceForm,
    "media": forms.MediaForm,
    "lead": forms.LeadForm,
    "summarise": forms.SummaryForm,
    "cancel": forms.CancelForm,
}
STEP_LABELS: dict[str, Any] = {
    "task": gettext_lazy("Add a preparation task"),
    "material": gettext_lazy("Add material"),
    "invite": gettext_lazy("Invite a customer"),
    "attendance": gettext_lazy("Record attendance"),
    "media": gettext_lazy("Upload a photo or video"),
    "lead": gettext_lazy("Record a lead"),
    "summarise": gettext_lazy("Summarise the campaign"),
    "cancel": gettext_lazy("Cancel the campaign"),
}
_STEP_CALLS: dict[str, Callable[..., Any]] = {
    "prepare": lambda u, c, d: services.campaign_prepare(actor=u, campaign=c),
    "execute": lambda u, c, d: services.campaign_execute(actor=u, campaign=c),
    "summarise": lambda u, c, d: services.campaign_summarise(actor=u, campaign=c, **d),
    "cancel": lambda u, c, d: services.campaign_cancel(actor=u, campaign=c, **d),
    "task": lambda u, c, d: services.task_add(actor=u, campaign=c, **d),
    "material": lambda u, c, d: services.material_add(actor=u, campaign=c, **d),
    "invite": lambda u, c, d: services.campaign_invite(actor=u, campaign=c, **d),
    "attendance": lambda u, c, d: services.attendance_record(actor=u, campaign=c, **d),
    "media": lambda u, c, d: services.media_upload(actor=u, campaign=c, **d),
    "lead": lambda u, c, d: services.lead_record(
        actor=u, campaign=c, **{**d, "sales_amount": d.get("sales_amount") or 0}
    ),
}


def _campaign_context(
    request: AuthenticatedRequest, campaign: Campaign, **bound: forms.BootstrapForm
) -> dict[str, Any]:
    S = Campaign.Status
    may_change = request.user.has_perm("marketing.change_campaign")
    stage_forms = {
        S.PLAN: ("task", "material", "cancel"),
        S.PREPARATION: ("task", "material", "invite", "cancel"),
        S.EXECUTION: ("attendance", "media", "lead", "summarise"),
        S.SUMMARY: ("media", "lead"),
    }.get(campaign.status, ())
    step_forms = [
        (name, STEP_LABELS[name], bound.get(name) or _STEP_FORMS[name](prefix=name))
        for name in stage_forms
        if may_change
    ]
    sales = services.attributable_sales(campaign)
    return {
        "campaign": campaign,
        "may_change": may_change,
        "step_forms": step_forms,
        "tasks": campaign.tasks.select_related("owner"),
        "materials": campaign.materials.all(),
        "invitations": campaign.invitations.select_related("customer", "invitation__department"),
        "media": campaign.media.all(),
        "leads": campaign.leads.select_related("customer"),
        "events": campaign.events.select_related("actor"),
        "sales": sales,
        "roi": services.roi(sales, campaign.spend),
    }


@require_GET
def campaign_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_restricted_or_404(Campaign, request.user, pk, "view")
    return render(request, "marketing/campaign.html", _campaign_context(request, campaign))


@require_POST
def campaign_step_view(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponse:
    """One lifecycle step or preparation/execution record (MKT-1, MKT-5, CUS-8)."""
    if step not in _STEP_CALLS:
        raise Http404
    campaign = get_restricted_or_404(Campaign, request.user, pk, "view")
    form_class = _STEP_FORMS.get(step)
    form = form_class(request.POST, request.FILES, prefix=step) if form_class else None
    if form is None or form.is_valid():
        data = dict(form.cleaned_data) if form else {}
        try:
            _STEP_CALLS[step](request.user, campaign, data)
        except PermissionDenied:
            raise
        except BusinessError as error:
            _not_found(error)
            if form is None:
                messages.error(request, error.message)
                return redirect("marketing:campaign", pk=campaign.pk)
            form.add_business_error(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("marketing:campaign", pk=campaign.pk)
    campaign.refresh_from_db()
    context = _campaign_context(request, campaign, **({step: form} if form else {}))
    return render(request, "marketing/campaign.html", context, status=400)


# --- media plans (MKT-2) -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def media_plan_list_view(request: AuthenticatedRequest) -> HttpResponse:
    _need(request, "marketing.view_mediaplan")
    form = forms.MediaPlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        _need(request, "marketing.add_mediaplan")
        if form.is_valid():
            try:
                plan = services.media_plan_create(actor=request.user, **form.cleaned_data)
            except BusinessError as error:
                form.add_business_error(error)
            else:
                messages.success(request, _("The media plan has been created."))
                return redirect("marketing:media_plan", pk=plan.pk)
    plans = services.with_progress(MediaPlan.objects.restrict(request.user, "view")).select_related("department")  # type: ignore[attr-defined]
    rows = [(plan, services.plan_progress(plan)) for plan in plans[:200]]
    status = 400 if request.method == "POST" else 200
    return render(request, "marketing/media_plans.html", {"rows": rows, "form": form}, status=status)


def _plan_context(plan: MediaPlan, **bound: forms.BootstrapForm) -> dict[str, Any]:
    return {
        "plan": plan,
        "progress": services.plan_progress(plan),
        "items": plan.items.all(),
        "item_form": bound.get("item") or forms.MediaItemForm(prefix="item"),
        "complete_form": bound.get("complete"),
    }


@require_GET
def media_plan_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_restricted_or_404(MediaPlan, request.user, pk, "view")
    return render(request, "marketing/media_plan.html", _plan_context(plan))


@require_POST
def media_plan_step_view(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponse:
    """Add an item or complete one with its actual cost (MKT-2)."""
    plan = get_restricted_or_404(MediaPlan, request.user, pk, "view")
    if step == "item":
        form: forms.BootstrapForm = forms.MediaItemForm(request.POST, prefix="item")
        call: Callable[[dict[str, Any]], Any] = lambda d: services.media_item_add(actor=request.user, plan=plan, **d)  # noqa: E731
    elif step == "complete":
        form = forms.MediaItemCompleteForm(request.POST, prefix="complete")

        def call(d: dict[str, Any]) -> Any:
            if not plan.items.filter(pk=d["item"]).exists():
                raise Http404
            return services.media_item_complete(actor=request.user, **d)
    else:
        raise Http404
    if form.is_valid():
        try:
            call(dict(form.cleaned_data))
        except BusinessError as error:
            _not_found(error)
            form.add_business_error(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("marketing:media_plan", pk=plan.pk)
    if step == "complete":
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("marketing:media_plan", pk=plan.pk)
    return render(request, "marketing/media_plan.html", _plan_context(plan, item=form), status=400)


# --- roadshows (MKT-3) ---------------------------------------------------------------------------


def _month_param(request: HttpRequest) -> dt.date:
    try:
        return services.parse_month(request.GET.get("month") or f"{timezone.localdate():%Y-%m}")
    except BusinessError:
        return timezone.localdate().replace(day=1)


@require_http_methods(["GET", "POST"])
def roadshow_list_view(request: AuthenticatedRequest) -> HttpResponse:
    """The month's roadshows in scope and, per department, how many count against the required number."""
    _need(request, "marketing.view_roadshow")
    form = forms.RoadshowForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _need(request, "marketing.add_roadshow")
        if form.is_valid():
            data = dict(form.cleaned_data)
            photo = data.pop("photo")
            try:
                services.roadshow_record(actor=request.user, photos=[photo] if photo else None, **data)
            except BusinessError as error:
                form.add_business_error(error)
            else:
                messages.success(request, _("The roadshow has been recorded."))
                return redirect(f"{request.path}?month={data['held_on']:%Y-%m}")
    month = _month_param(request)
    end = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    visible = Roadshow.objects.restrict(request.user, "view").filter(held_on__gte=month, held_on__lt=end)  # type: ignore[attr-defined]
    roadshows = visible.select_related("department", "organiser").annotate(photo_count=Count("photos"))
    per_department = (
        visible.filter(voided=False)
        .values("department")
        .annotate(counted=Count("pk", filter=Q(photos__isnull=False), distinct=True))
        .order_by("department")
    )
    names = Department.objects.in_bulk([row["department"] for row in per_department])
    required = int(policy_value("roadshows_per_month"))
    tally = [(names[row["department"]], row["counted"], row["counted"] >= required) for row in per_department]
    context = {
        "form": form,
        "month": month,
        "roadshows": roadshows,
        "tally": tally,
        "required": required,
        "photo_form": forms.RoadshowPhotoForm(),
    }
    return render(request, "marketing/roadshows.html", context, status=400 if request.method == "POST" else 200)


@require_POST
def roadshow_photo_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    roadshow = get_restricted_or_404(Roadshow, request.user, pk, "view")
    form = forms.RoadshowPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.roadshow_add_photo(actor=request.user, roadshow=roadshow, photo=form.cleaned_data["photo"])
        except BusinessError as error:
            _not_found(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect(f"{redirect('marketing:roadshows').url}?month={roadshow.held_on:%Y-%m}")


# --- competitor intelligence (MKT-4) -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def competitor_list_view(request: AuthenticatedRequest) -> HttpResponse:
    _need(request, "marketing.view_competitorentry")
    initial = {"month": f"{timezone.localdate():%Y-%m}"}
    form = forms.CompetitorEntryForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _need(request, "marketing.add_competitorentry")
        if form.is_valid():
            try:
                services.competitor_entry_record(actor=request.user, **form.cleaned_data)
            except BusinessError as error:
                form.add_business_error(error)
            else:
                messages.success(request, _("Saved."))
                return redirect("marketing:competitors")
    entries = (
        CompetitorEntry.objects.restrict(request.user, "view")  # type: ignore[attr-defined]
        .filter(voided=False)
        .select_related("reporter")
    )
    page = paginate(request, entries, PAGE_SIZE)
    return render(
        request,
        "marketing/competitors.html",
        {"form": form, "page": page},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def competitor_analysis_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: MKT-4 — the quarter's price trends (ECharts, drawn by a static script) and news."""
    _need(request, "marketing.view_competitorentry")
    raw = request.GET.get("quarter")
    try:
        quarter = services.parse_quarter(raw) if raw else services.intel.Quarter.of(timezone.localdate())
    except BusinessError as error:
        messages.error(request, error.message)
        quarter = services.intel.Quarter.of(timezone.localdate())
    analysis = services.quarterly_analysis(request.user, quarter)
    return render(request, "marketing/competitor_analysis.html", {"analysis": analysis, "chart": analysis.chart()})
