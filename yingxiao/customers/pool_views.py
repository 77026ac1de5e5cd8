"""Pages of the public pool (公海, CUS-7), allocation (CUS-6) and blacklist requests (CUS-3).

Views parse, call a service or selector, and render; refusals show the service's message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.policy.registry import run_sweep
from yingxiao.policy.tasks import run_rule_sweep
from yingxiao.policy.values import policy_value

from . import allocation, blacklist, pool, selectors
from .models import Allocation
from .pool_forms import AllocationForm, BlacklistRequestForm, PoolSearchForm, PreviewForm, ReassignForm

PAGE_SIZE = 25


def _entry_rows(entries: list[Any]) -> list[dict[str, Any]]:
    return [{"entry": entry, "explanation": entry.explained} for entry in entries]


@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    """Who is in the pool, since when and why; claim buttons; the directors' preview and apply."""
    if not pool.can_see_pool(request.user):
        raise PermissionDenied
    form = PoolSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = pool.pool_entries(
        request.user, q=filters.get("q", ""), region=filters.get("region", ""), industry=filters.get("industry", "")
    )
    page = paginate(request, entries, PAGE_SIZE)
    can_sweep = pool.can_run_sweep(request.user)
    now = timezone.now()
    return render(
        request,
        "customers/pool/list.html",
        {
            "form": form,
            "page": page,
            "rows": _entry_rows(list(page.object_list)),
            "can_claim": pool.can_claim(request.user),
            "can_sweep": can_sweep,
            "can_reassign": pool.can_reassign(request.user),
            "preview_form": PreviewForm(initial={"as_of": timezone.localdate() + dt.timedelta(days=7)})
            if can_sweep
            else None,
            "window_days": policy_value("service_window_days", at=now),
            "quota": policy_value("pool_claim_daily_quota", at=now),
            "claimed_today": pool.claims_today(request.user, now) if pool.can_claim(request.user) else 0,
        },
    )


@require_POST
def pool_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Claim one pool customer; htmx gets the row's result, a plain form post a redirect."""
    try:
        customer = pool.customer_claim(actor=request.user, customer=pk)
    except BusinessError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "customers/pool/_claim_result.html", {"error": error.message, "pk": pk})
        messages.error(request, error.message)
    else:
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "customers/pool/_claim_result.html", {"customer": customer, "pk": pk})
        messages.success(request, _("You now own %(name)s.") % {"name": customer.name})
    return redirect("customers:pool")


def _as_of(day: dt.date) -> dt.datetime:
    """Today means now: a policy changed this afternoon must already apply to today's preview."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@require_GET
def pool_preview(request: HttpRequest) -> HttpResponse:
    """Dry run for directors: which customers would be released as of a date, and why."""
    if not pool.can_run_sweep(request.user):
        raise PermissionDenied
    form = PreviewForm(request.GET)
    context: dict[str, Any] = {"preview_form": form}
    if form.is_valid():
        as_of = _as_of(form.cleaned_data["as_of"])
        result = run_sweep(pool.RULE_ID, as_of=as_of, dry_run=True)
        run = result.runs[0]
        context.update({"as_of": as_of, "run": run, "previews": run.previews})
    template = "customers/pool/_preview.html" if request.htmx else "customers/pool/preview.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _sweep_context(task_result: Any) -> dict[str, Any]:
    value = task_result.return_value if task_result.status == TaskResultStatus.SUCCESSFUL else None
    return {
        "task": task_result,
        "finished": task_result.is_finished,
        "failed": task_result.status == TaskResultStatus.FAILED,
        "runs": (value or {}).get("runs", []),
    }


@require_POST
def pool_apply(request: HttpRequest) -> HttpResponse:
    """Run the CUS-7 release now through the task queue (immediate backends finish at once)."""
    if not pool.can_run_sweep(request.user):
        raise PermissionDenied
    task_result = run_rule_sweep.enqueue(rule_id=pool.RULE_ID)
    context = _sweep_context(task_result)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "customers/pool/_sweep_status.html", context)
    return render(request, "customers/pool/sweep.html", context)


@require_GET
def pool_apply_status(request: HttpRequest, task_id: str) -> HttpResponse:
    if not pool.can_run_sweep(request.user):
        raise PermissionDenied
    try:
        task_result = run_rule_sweep.get_result(task_id)
    except (TaskResultDoesNotExist, NotImplementedError, ValueError):
        return render(request, "customers/pool/_sweep_status.html", {"missing": True, "finished": True})
    return render(request, "customers/pool/_sweep_status.html", _sweep_context(task_result))


@require_http_methods(["GET", "POST"])
def pool_reassign(request: HttpRequest) -> HttpResponse:
    """The customer-resource director reassigns customers (pool or not) to a person or department."""
    if not pool.can_reassign(request.user):
        raise PermissionDenied
    initial = {"customers": " ".join(request.GET.getlist("selected"))}
    form = ReassignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            count = pool.customer_reassign(
                actor=request.user,
                customers=form.cleaned_data["customers"],
                to_user=form.cleaned_data["to_user"],
                to_department=form.cleaned_data["to_department"],
                reason=form.cleaned_data["reason"],
            )
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("%(count)s customers reassigned.") % {"count": count})
            return redirect("customers:pool")
    return render(request, "customers/pool/reassign.html", {"form": form})


@require_http_methods(["GET", "POST"])
def allocation_create(request: HttpRequest) -> HttpResponse:
    """A head allocates unowned customers of their departments evenly among chosen staff (CUS-6)."""
    if not allocation.can_allocate(request.user):
        raise PermissionDenied
    candidates = list(allocation.allocatable_customers(request.user)[:500])
    staff = allocation.allocatable_staff(request.user)
    form = AllocationForm(
        request.POST or None,
        customer_choices=[(c.pk, f"{c.name} · {c.region or '—'}") for c in candidates],
        staff=staff,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = allocation.allocation_run(
                actor=request.user,
                customers=form.cleaned_data["customers"],
                staff=form.cleaned_data["staff"],
                note=form.cleaned_data["note"],
            )
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("%(count)s customers allocated.") % {"count": record.customer_count})
            return redirect("customers:allocation_detail", pk=record.pk)
    recent = Allocation.objects.restrict(request.user, "view").order_by("-created_at")[:10]
    return render(
        request, "customers/pool/allocate.html", {"form": form, "candidates": candidates, "recent": list(recent)}
    )


@require_GET
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not allocation.can_allocate(request.user):
        raise PermissionDenied
    record = get_object_or_404(Allocation.objects.select_related("created_by"), pk=pk)
    if record.created_by_id != request.user.pk and not pool.is_resource_director(request.user):
        from yingxiao.org.scope import scope_for

        if not scope_for(request.user).is_all:
            raise PermissionDenied
    lines = record.lines.select_related("customer", "staff").order_by("position")
    return render(
        request,
        "customers/pool/allocation_detail.html",
        {"allocation": record, "summary": allocation.allocation_summary(record), "lines": lines},
    )


@require_POST
def blacklist_request(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)
    form = BlacklistRequestForm(request.POST)
    if form.is_valid():
        try:
            blacklist.customer_blacklist_request(
                actor=request.user, customer=customer, reason=form.cleaned_data["reason"]
            )
        except (BusinessError, ValidationError) as error:
            messages.error(request, error.message if isinstance(error, BusinessError) else " ".join(error.messages))
        else:
            messages.success(request, _("The blacklist request was sent for approval."))
    else:
        messages.error(request, _("Give the reason for blacklisting this customer."))
    return redirect("customers:detail", pk=customer.pk)
