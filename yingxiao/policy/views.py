"""Policy pages: the policy grouped by rule section, one parameter with its history, the change form."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yingxiao.core.errors import BusinessError

from . import selectors, services
from .forms import PolicyChangeForm


def policy_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policy/index.html",
        {"sections": selectors.policy_sections(), "can_change": request.user.has_perm(services.CHANGE_PERMISSION)},
    )


def policy_detail(request: HttpRequest, name: str) -> HttpResponse:
    view = selectors.policy_parameter(name)
    if view is None:
        raise Http404
    can_change = request.user.has_perm(services.CHANGE_PERMISSION)
    form = PolicyChangeForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.policy_change(
                    actor=request.user,  # type: ignore[arg-type]
                    name=name,
                    value=form.cleaned_data["value"],
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                )
            except BusinessError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The policy change was saved."))
                return redirect("policy:detail", name=name)
    return render(request, "policy/detail.html", {"view": view, "form": form, "can_change": can_change})
