"""Telesales pages: call lists and import (TEL-1), the calling workspace (TEL-2), calls and their
change requests (TEL-3), statistics with Excel export (TEL-4), reception records (ACT-7)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import export_view
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import User

from . import corrections, imports, receptions, services, stats
from .forms import ApplyForm, CallForm, CorrectionForm, ImportForm, ReceptionForm, ScreenForm, StatisticsForm
from .models import CallEntry, CallList, CallLog, ReceptionRecord

PAGE_SIZE = 25
_UPLOAD_TTL = 3600


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def _need(request: AuthenticatedRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@require_GET
def call_list_index_view(request: AuthenticatedRequest) -> HttpResponse:
    _need(request, "telesales.view_calllist")
    lists = CallList.objects.restrict(request.user, "view").select_related("owner")
    entries = CallEntry.objects.restrict(request.user, "view").select_related("call_list")
    wanted = request.GET.get("list")
    if wanted and wanted.isdigit():
        entries = entries.filter(call_list_id=int(wanted))
    return render(
        request,
        "telesales/lists.html",
        {"lists": lists[:50], "page": paginate(request, entries, PAGE_SIZE), "screen_form": ScreenForm()},
    )


def _upload_key(request: AuthenticatedRequest, token: str) -> str:
    return f"telesales:import:{request.user.pk}:{token}"


@require_http_methods(["GET", "POST"])
def import_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: TEL-1 — upload → dry-run report → apply (the checked file is kept for an hour)."""
    _need(request, "telesales.add_calllist")
    form, apply_form, report = ImportForm(), None, None
    if request.method == "POST" and "token" in request.POST:
        apply_form = ApplyForm(request.POST)
        if apply_form.is_valid():
            data = apply_form.cleaned_data
            stored = cache.get(_upload_key(request, data["token"]))
            try:
                if stored is None:
                    raise BusinessError(imports.errors.IMPORT_EXPIRED)
                call_list, report = imports.call_list_import(
                    actor=request.user,
                    filename=stored[0],
                    content=stored[1],
                    name=data["name"],
                    script=data["script"],
                    skip_invalid=data["skip_invalid"],
                )
            except BusinessError as error:
                messages.error(request, error.message)
            else:
                cache.delete(_upload_key(request, data["token"]))
                messages.success(request, _("Imported %(count)s numbers.") % {"count": report.valid_count})
                return redirect(f"{reverse('telesales:lists')}?list={call_list.pk}")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > imports.MAX_BYTES:
                    raise BusinessError(imports.errors.FILE_TOO_LARGE, limit=imports.MAX_BYTES // (1024 * 1024))
                content = upload.read()
                report = imports.call_list_check(actor=request.user, filename=upload.name, content=content)
            except BusinessError as error:
                form.add_error("file", error.message)
            else:
                token = secrets.token_urlsafe(16)
                cache.set(_upload_key(request, token), (upload.name, content), _UPLOAD_TTL)
                apply_form = ApplyForm(
                    initial={
                        "token": token,
                        "name": form.cleaned_data["name"] or upload.name,
                        "script": form.cleaned_data["script"],
                        "skip_invalid": form.cleaned_data["skip_invalid"],
                    }
                )
    return render(request, "telesales/import.html", {"form": form, "apply_form": apply_form, "report": report})


@require_POST
def screen_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = get_restricted_or_404(CallEntry, request.user, pk, "change")
    form = ScreenForm(request.POST)
    if form.is_valid():
        try:
            services.entry_screen(actor=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("Saved."))
        except BusinessError as error:
            messages.error(request, error.message)
    return redirect("telesales:workspace" if request.POST.get("next") == "workspace" else "telesales:lists")


@require_http_methods(["GET", "POST"])
def workspace_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: TEL-2 — the next number, the script, one-click outcomes."""
    _need(request, "telesales.add_calllog")
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            entry = get_restricted_or_404(CallEntry, request.user, data.pop("entry"), "change")
            try:
                services.call_log(actor=request.user, entry=entry, **data)
                messages.success(request, _("Call logged."))
                return redirect("telesales:workspace")
            except BusinessError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, _("Choose an outcome and enter the duration."))
    due = services.next_entry(request.user)
    recent = CallLog.objects.filter(agent=request.user).select_related("entry")[:10]
    context: dict[str, Any] = {
        "entry": due,
        "form": CallForm(initial={"entry": due.pk if due else None}),
        "outcomes": CallLog.Outcome.choices,
        "recent": recent,
        "screen_form": ScreenForm(),
    }
    return render(request, "telesales/workspace.html", context)


@require_GET
def call_index_view(request: AuthenticatedRequest) -> HttpResponse:
    _need(request, "telesales.view_calllog")
    calls = CallLog.objects.restrict(request.user, "view").select_related("entry", "agent")
    return render(request, "telesales/calls.html", {"page": paginate(request, calls, PAGE_SIZE)})


@require_http_methods(["GET", "POST"])
def call_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: TEL-3 — the original call, its change requests, and the form to request one."""
    call = get_restricted_or_404(CallLog, request.user, pk)
    current = corrections.effective(call)
    form = CorrectionForm(
        initial={"outcome": current.outcome, "duration_seconds": current.duration_seconds, "notes": current.notes}
    )
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                corrections.correction_request(actor=request.user, call=call, **form.cleaned_data)
                messages.success(request, _("The change request was submitted for approval."))
                return redirect("telesales:call", pk=call.pk)
            except BusinessError as error:
                messages.error(request, error.message)
    history = call.corrections.select_related("requested_by", "approval")
    return render(request, "telesales/call.html", {"call": call, "current": current, "history": history, "form": form})


@require_http_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
def call_edit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: TEL-3 — there is no direct edit: explain, and point to the change request."""
    call = get_restricted_or_404(CallLog, request.user, pk)
    messages.error(request, str(imports.errors.CALL_LOCKED.message))
    return redirect("telesales:call", pk=call.pk)


@require_GET
def statistics_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: TEL-4 — by day, week or month; ``?export=xlsx`` downloads the same figures."""
    _need(request, "telesales.view_calllog")
    form = StatisticsForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = stats.agent_statistics(
        actor=request.user, period=data.get("period") or "day", start=data.get("start"), end=data.get("end")
    )
    if request.GET.get("export") in ("xlsx", "csv"):
        # rule: ARC-2 — through the shared export control (permission, caps, log, escaping).
        return export_view(  # type: ignore[return-value]
            request,
            list_name="telesales.statistics",
            sheets=[stats.statistics_sheet(rows)],
            filename="telesales",
            fmt=request.GET["export"],
        )
    return render(request, "telesales/statistics.html", {"form": form, "rows": rows})


@require_GET
def reception_list_view(request: AuthenticatedRequest) -> HttpResponse:
    _need(request, "telesales.view_receptionrecord")
    records = ReceptionRecord.objects.restrict(request.user, "view").select_related("customer", "recorded_by")
    customer = request.GET.get("customer")
    if customer and customer.isdigit():
        records = records.filter(customer_id=int(customer))
    return render(request, "telesales/receptions.html", {"page": paginate(request, records, PAGE_SIZE)})


@require_http_methods(["GET", "POST"])
def reception_new_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: ACT-7 — one record per customer meeting."""
    _need(request, "telesales.add_receptionrecord")
    form = ReceptionForm(request.POST or None, initial={"customer": request.GET.get("customer")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receptions.reception_record(actor=request.user, customer=data.pop("customer"), **data)
            messages.success(request, _("Reception recorded."))
            return redirect("telesales:receptions")
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(request, "telesales/reception_new.html", {"form": form})
