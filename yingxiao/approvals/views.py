"""Approval pages: 待我审批 (waiting for me), 我发起的 (mine), one request with its trail and decision form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingxiao.core.errors import BusinessError

from . import selectors, services
from .forms import CancelForm, DecideForm
from .registry import label_of


def _page(request: HttpRequest, tab: str) -> HttpResponse:
    user = request.user
    rows = selectors.pending_for(user) if tab == "inbox" else selectors.requested_by(user)  # type: ignore[arg-type]
    rows = list(rows[:200])
    for row in rows:
        row.type_label = label_of(row.request_type)  # type: ignore[attr-defined]
    return render(
        request,
        "approvals/list.html",
        {"tab": tab, "rows": rows, "pending_count": selectors.pending_for(user).count()},  # type: ignore[arg-type]
    )


def inbox(request: HttpRequest) -> HttpResponse:
    return _page(request, "inbox")


def mine(request: HttpRequest) -> HttpResponse:
    return _page(request, "mine")


def detail(request: HttpRequest, pk: int, form: DecideForm | None = None, status: int = 200) -> HttpResponse:
    instance = selectors.get_instance_for(request.user, pk)  # type: ignore[arg-type]
    may_decide, acting_for = services.acting_for(request.user, instance)  # type: ignore[arg-type]
    if form is None:
        form = DecideForm(initial={"version": instance.version, "decision": "approve"})
    context = {
        "instance": instance,
        "type_label": label_of(instance.request_type),
        "trail": selectors.trail(instance),
        "may_decide": may_decide,
        "acting_for": acting_for,
        "may_cancel": instance.requester_id == request.user.pk and instance.can_cancel(),
        "form": form,
        "cancel_form": CancelForm(),
    }
    return render(request, "approvals/detail.html", context, status=status)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    instance = selectors.get_instance_for(request.user, pk)  # type: ignore[arg-type]
    form = DecideForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, form=form, status=400)
    try:
        services.approval_decide(
            actor=request.user,  # type: ignore[arg-type]
            instance=instance,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except BusinessError as error:
        form.add_error("note" if error.field == "note" else None, error.message)
        return detail(request, pk, form=form, status=error.status)
    messages.success(request, _("Your decision on “%(title)s” is recorded.") % {"title": instance.title})
    return redirect("approvals:detail", pk=pk)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    instance = selectors.get_instance_for(request.user, pk)  # type: ignore[arg-type]
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.approval_cancel(
            actor=request.user,  # type: ignore[arg-type]
            instance=instance,
            note=form.cleaned_data.get("note", ""),
        )
    except BusinessError as error:
        messages.error(request, error.message)
    return redirect("approvals:detail", pk=pk)
