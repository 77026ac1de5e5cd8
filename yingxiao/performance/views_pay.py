"""Evaluation and pay pages (PRF-1…5): my evaluation and statement, team evaluations, company
statements with their Excel export, and the rankings. Views parse, call a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import export_view
from yingxiao.org.models import User

from . import evaluations, pay, rankings, selectors
from .models import Evaluation, EvaluationItem, PayMonth, PayStatement
from .pay_exports import statements_sheets


def _month(request: HttpRequest, source: Any = None) -> Any:
    data = source if source is not None else request.GET
    try:
        return selectors.parse_month(data.get("month"))
    except BusinessError as error:
        messages.error(request, error.message)
        return selectors.parse_month(None)


def _fail(request: HttpRequest, error: BusinessError) -> None:
    messages.error(request, error.message)


def my_pay(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "evaluations": list(Evaluation.objects.filter(person=user).order_by("-month")[:12]),
        "statements": list(PayStatement.objects.filter(person=user).order_by("-month")[:12]),
    }
    return render(request, "performance/my_pay.html", context)


def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = pay.get_statement_for(request.user, pk)  # type: ignore[arg-type]
    lines = [(line, pay.line_sources(line)) for line in statement.lines.all()]
    context = {
        "statement": statement,
        "lines": lines,
        "may_confirm": statement.person_id == request.user.pk and statement.status == PayStatement.Status.ISSUED,
    }
    return render(request, "performance/statement.html", context)


@require_POST
def statement_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    statement = pay.get_statement_for(request.user, pk)  # type: ignore[arg-type]
    try:
        pay.pay_statement_confirm(actor=request.user, statement=statement)  # type: ignore[arg-type]
    except BusinessError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Statement confirmed."))
    return redirect("performance:statement", pk=pk)


def team(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    month = _month(request)
    people = list(evaluations.people_to_evaluate(user))
    if not people and not user.has_perm(evaluations.EVALUATE_PERM):
        raise PermissionDenied
    existing = {e.person_id: e for e in Evaluation.objects.filter(month=month, person__in=people)}
    rows = [(person, existing.get(person.pk)) for person in people]
    return render(request, "performance/team.html", {"month": month, "rows": rows})


@require_POST
def evaluation_prepare(request: HttpRequest) -> HttpResponse:
    month = _month(request, request.POST)
    person = User.objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        raise Http404
    try:
        evaluation = evaluations.evaluation_prepare(actor=request.user, person=person, month=month)  # type: ignore[arg-type]
    except BusinessError as error:
        _fail(request, error)
        return redirect(reverse("performance:team") + f"?month={month:%Y-%m}")
    return redirect("performance:evaluation", pk=evaluation.pk)


def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = evaluations.get_evaluation_for(request.user, pk)  # type: ignore[arg-type]
    may_edit = evaluation.status == Evaluation.Status.DRAFT and evaluations.may_evaluate(
        request.user,  # type: ignore[arg-type]
        evaluation.person,
    )
    context = {
        "evaluation": evaluation,
        "items": list(evaluation.items.all()),
        "may_edit": may_edit,
        "superior": EvaluationItem.Source.SUPERIOR,
    }
    return render(request, "performance/evaluation.html", context)


@require_POST
def evaluation_score(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = evaluations.get_evaluation_for(request.user, pk)  # type: ignore[arg-type]
    scores = {key[6:]: value for key, value in request.POST.items() if key.startswith("score_")}
    try:
        evaluations.evaluation_score(
            actor=request.user,  # type: ignore[arg-type]
            evaluation=evaluation,
            scores=scores,
            comment=request.POST.get("comment"),
        )
        if request.POST.get("finalise"):
            evaluations.evaluation_finalise(actor=request.user, evaluation=evaluation)  # type: ignore[arg-type]
            messages.success(request, _("Evaluation finalised."))
        else:
            messages.success(request, _("Scores saved."))
    except BusinessError as error:
        _fail(request, error)
    return redirect("performance:evaluation", pk=pk)


STATEMENTS_PER_PAGE = 200


def statements(request: HttpRequest) -> HttpResponse:
    """PRF-3 — the month's statements in scope: totals per department and overall (SQL sums over all of
    them), the statements a page at a time (the Excel export has them all)."""
    user: User = request.user  # type: ignore[assignment]
    # Payroll is for an ended month: without one asked for, the page opens on the last month (the
    # current one has no statements before it is over and closed).
    month = _month(request) if request.GET.get("month") else (_month(request) - dt.timedelta(days=1)).replace(day=1)
    scoped = pay.statements_for(user).filter(month=month)
    by_department, totals = pay.statement_totals_by_department(scoped)
    page = Paginator(scoped.order_by("department__name", "person__display_name", "pk"), STATEMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    pay_month = PayMonth.objects.filter(month=month).first()
    context = {
        "month": month,
        "rows": list(page.object_list),
        "page": page,
        "by_department": by_department,
        "totals": totals,
        "pay_month": pay_month,
        "is_closed": pay_month is not None and pay_month.status == PayMonth.Status.CLOSED,
        "may_close": user.has_perm(pay.CLOSE_PERM),
        "may_issue": user.has_perm(pay.ISSUE_PERM),
        "may_profile": user.has_perm(pay.PROFILE_PERM),
        "people": User.objects.filter(is_active=True).order_by("display_name", "username")
        if user.has_perm(pay.PROFILE_PERM)
        else [],
    }
    return render(request, "performance/statements.html", context)


def statements_export(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    rows = list(
        pay.statements_for(request.user)  # type: ignore[arg-type]
        .filter(month=month)
        .prefetch_related("lines")
        .order_by("department__name", "person_id")
    )
    # rule: ARC-2 — through the shared export control (permission, caps, log, formula escaping).
    return export_view(  # type: ignore[return-value]
        request,
        list_name="performance.statements",
        sheets=statements_sheets(rows),
        filename=f"pay-statements-{month:%Y-%m}",
        dated=False,
    )


def _back_to_statements(month: Any) -> HttpResponse:
    return redirect(reverse("performance:statements") + f"?month={month:%Y-%m}")


@require_POST
def month_close(request: HttpRequest) -> HttpResponse:
    month = _month(request, request.POST)
    try:
        pay.pay_month_close(actor=request.user, month=month)  # type: ignore[arg-type]
    except BusinessError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The payroll month is closed."))
    return _back_to_statements(month)


@require_POST
def statements_issue(request: HttpRequest) -> HttpResponse:
    month = _month(request, request.POST)
    try:
        count = pay.pay_statements_issue(actor=request.user, month=month)  # type: ignore[arg-type]
    except BusinessError as error:
        _fail(request, error)
    else:
        messages.success(request, _("%(count)s statements issued.") % {"count": count})
    return _back_to_statements(month)


@require_POST
def profile_set(request: HttpRequest) -> HttpResponse:
    person = User.objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        raise Http404
    try:
        pay.pay_profile_set(
            actor=request.user,  # type: ignore[arg-type]
            person=person,
            base_pay=request.POST.get("base_pay", ""),
            performance_pay=request.POST.get("performance_pay", ""),
        )
    except BusinessError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Pay profile saved."))
    return _back_to_statements(_month(request, request.POST))


def ranking(request: HttpRequest) -> HttpResponse:
    from yingxiao.org.scope import scope_for
    from yingxiao.policy.values import policy_value

    day = _month(request)
    months = int(policy_value("ranking_months"))
    period = rankings.period_containing(day, months)
    scope = scope_for(request.user)  # type: ignore[arg-type]
    visible: set[int] | None = None
    if not scope.is_all:
        visible = set(evaluations.people_to_evaluate(request.user).values_list("pk", flat=True))  # type: ignore[arg-type]
        visible.add(request.user.pk)  # type: ignore[arg-type]
    result = rankings.ranking(period, person_ids=visible)
    context = {
        "period": period,
        "ranking": result,
        "month": day,
        "complete": period.end <= timezone.localdate().replace(day=1),
    }
    return render(request, "performance/rankings.html", context)
