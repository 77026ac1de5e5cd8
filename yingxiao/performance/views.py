"""Ledger pages (DIS-3): the monthly ledger, its Excel export, the list of fines and rewards."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import export_view
from yingxiao.org.models import User
from yingxiao.org.scope import scope_for

from . import selectors, services
from .exports import ledger_sheets
from .forms import RewardForm, ViolationForm
from .models import Violation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(request: HttpRequest) -> Any:
    try:
        return selectors.parse_month(request.GET.get("month"))
    except BusinessError as error:
        messages.error(request, error.message)
        return selectors.parse_month(None)


def ledger(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    people = selectors.ledger_by_person(request.user, month)  # type: ignore[arg-type]
    departments = selectors.ledger_by_department(request.user, month)  # type: ignore[arg-type]
    context = {
        "month": month,
        "people": people,
        "departments": departments,
        "total": selectors.ledger_totals(people),
    }
    return render(request, "performance/ledger.html", context)


def ledger_export(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    people = selectors.ledger_by_person(request.user, month)  # type: ignore[arg-type]
    departments = selectors.ledger_by_department(request.user, month)  # type: ignore[arg-type]
    # rule: ARC-2 — through the shared export control (permission, caps, log, escaping).
    return export_view(  # type: ignore[return-value]
        request,
        list_name="performance.ledger",
        sheets=ledger_sheets(people, departments),
        filename=f"ledger-{month:%Y-%m}",
        dated=False,
    )


def _people_in_scope(user: Any) -> Any:
    scope = scope_for(user)
    people = User.objects.filter(is_active=True).exclude(pk=user.pk).order_by("display_name", "username")
    if scope.is_all:
        return people
    return people.filter(
        assignments__ended_on__isnull=True, assignments__position__department_id__in=scope.department_ids
    ).distinct()


def violations(request: HttpRequest) -> HttpResponse:
    rows = selectors.violations_for(request.user)  # type: ignore[arg-type]
    person = request.GET.get("person")
    if person and person.isdigit():
        rows = rows.filter(person_id=int(person))
    status = request.GET.get("status")
    if status in Violation.Status.values:
        rows = rows.filter(status=status)
    people = _people_in_scope(request.user)
    context = {
        "violations": list(rows[:200]),
        "rewards": list(selectors.rewards_for(request.user)[:100]),  # type: ignore[arg-type]
        "statuses": Violation.Status.choices,
        "is_finance": request.user.has_perm("performance.confirm_payment_violation"),
        "violation_form": ViolationForm(people=people),
        "reward_form": RewardForm(people=people),
        "may_record": scope_for(request.user).level != "own",  # type: ignore[arg-type]
    }
    return render(request, "performance/violations.html", context)


@require_POST
def mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    violation = selectors.get_violation_for(request.user, pk)  # type: ignore[arg-type]
    try:
        services.violation_mark_paid(actor=request.user, violation=violation)  # type: ignore[arg-type]
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Payment confirmed."))
    return redirect("performance:violations")


@require_POST
def record_violation(request: HttpRequest) -> HttpResponse:
    form = ViolationForm(request.POST, people=_people_in_scope(request.user))
    if form.is_valid():
        try:
            services.violation_record(actor_or_system=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Violation recorded and sent to the director for approval."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("performance:violations")


@require_POST
def record_reward(request: HttpRequest) -> HttpResponse:
    form = RewardForm(request.POST, people=_people_in_scope(request.user))
    if form.is_valid():
        try:
            services.reward_record(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Reward recorded and sent to the director for approval."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("performance:violations")
