"""Planning pages: plans and the target tree editor (sums and differences), plan vs actual with its
chart, budgets, expense claims and gifts. Views parse → call a service → render; reads are scoped."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yingxiao.core.errors import BusinessError
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import User

from . import expenses, targets
from .forms import (
    AmountForm,
    BudgetForm,
    ChildForm,
    ClaimForm,
    CorrectiveForm,
    ExplainForm,
    GiftConfirmForm,
    GiftForm,
    PlanForm,
    PlanningForm,
    ReallocateForm,
)
from .models import Budget, CorrectiveAction, ExpenseClaim, GiftRequest, Target, TargetPlan


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def _need(request: AuthenticatedRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _run(
    request: AuthenticatedRequest, form: PlanningForm, call: Callable[[dict[str, Any]], Any], success: str
) -> bool:
    """Validate the form, call the service; True when done (errors end up on the form)."""
    if not form.is_valid():
        return False
    try:
        call(dict(form.cleaned_data))
    except BusinessError as error:
        form.add_business_error(error)
        return False
    messages.success(request, success)
    return True


# --- targets ----------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def plans_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: PLN-1 — the annual plans the user may see; directors create new ones."""
    _need(request, "planning.view_targetplan")
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        _need(request, "planning.add_targetplan")
        if _run(
            request,
            form,
            lambda d: targets.plan_create(actor=request.user, **d),
            _("The plan was created; decompose it now."),
        ):
            return redirect("planning:targets")
    plans = TargetPlan.objects.restrict(request.user, "view").select_related("department")
    return render(request, "planning/plans.html", {"plans": plans, "form": form}, status=400 if form.errors else 200)


_TREE_OPS: dict[str, type[PlanningForm]] = {
    "add": ChildForm,
    "amount": AmountForm,
    "explain": ExplainForm,
    "reallocate": ReallocateForm,
}


def _tree_call(request: AuthenticatedRequest, op: str, target: Target) -> Callable[[dict[str, Any]], Any]:
    actor = request.user
    if op == "add":
        return lambda d: targets.target_add_child(actor=actor, parent=target, **d)
    if op == "amount":
        return lambda d: targets.target_set_amount(actor=actor, target=target, amount=d["amount"])
    if op == "explain":
        return lambda d: targets.target_explain(actor=actor, target=target, note=d["note"])
    return lambda d: targets.target_reallocate(actor=actor, changes={target: d["amount"]}, reason=d["reason"])


@require_http_methods(["GET", "POST"])
def plan_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: PLN-1, PLN-2 — the target tree editor: each level with the sum of its parts and the difference."""
    plan = get_restricted_or_404(TargetPlan, request.user, pk, queryset=TargetPlan.objects.select_related("department"))
    error_form: PlanningForm | None = None
    error_target: int | None = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op == "publish":
            try:
                targets.plan_publish(actor=request.user, plan=plan)
            except BusinessError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The plan is published."))
            return redirect("planning:plan", pk=plan.pk)
        if op not in _TREE_OPS:
            return redirect("planning:plan", pk=plan.pk)
        target = get_restricted_or_404(Target, request.user, request.POST.get("target"), queryset=plan.targets.all())
        form = _TREE_OPS[op](request.POST)
        if _run(request, form, _tree_call(request, op, target), _("Saved.")):
            return redirect("planning:plan", pk=plan.pk)
        error_form, error_target = form, target.pk
    visible = list(
        Target.objects.restrict(request.user, "view").filter(plan=plan).select_related("plan", "department", "person")
    )
    sums = targets.roll_up(visible)
    rows = [{"target": t, "depth": depth, "rollup": sums.get(t.pk)} for t, depth in targets.tree(visible)]
    reallocations = plan.targets.none()
    if request.user.has_perm("planning.view_reallocation"):
        from .models import Reallocation

        reallocations = (
            Reallocation.objects.restrict(request.user, "view")
            .filter(target__plan=plan)
            .select_related("actor", "target__department", "target__person", "target__plan")[:50]
        )
    return render(
        request,
        "planning/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "unexplained": [r for r in sums.values() if not r.explained],
            "can_edit": request.user.has_perm("planning.change_target"),
            "can_publish": request.user.has_perm("planning.publish_targetplan") and plan.is_draft,
            "error_form": error_form,
            "error_target": error_target,
            "child_form": ChildForm(),
            "reallocations": reallocations,
        },
        status=400 if error_form is not None else 200,
    )


@require_http_methods(["GET", "POST"])
def progress_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: PLN-3 — plan vs actual per period and unit, with the corrective actions behind-plan targets need."""
    plan = get_restricted_or_404(TargetPlan, request.user, pk, queryset=TargetPlan.objects.select_related("department"))
    form = CorrectiveForm(request.POST or None)
    if request.method == "POST":
        action = get_restricted_or_404(
            CorrectiveAction, request.user, request.POST.get("action_id"), queryset=CorrectiveAction.objects.all()
        )
        if _run(
            request,
            form,
            lambda d: targets.corrective_action_submit(
                actor=request.user, action=action, analysis=d["analysis"], measures=d["action"]
            ),
            _("The corrective action was submitted."),
        ):
            return redirect("planning:progress", pk=plan.pk)
    rows = targets.plan_vs_actual(viewer=request.user, plan=plan)
    chart = {
        "labels": [f"{r.target.unit_label} {r.target.period_label}" for r in rows],
        "planned": [str(r.target.amount) for r in rows],
        "actual": [str(r.actual) if r.actual is not None else None for r in rows],
        "names": [_("Target"), _("Actual")],
    }
    open_actions = {
        a.target_id: a
        for a in CorrectiveAction.objects.restrict(request.user, "view").filter(
            target__plan=plan, status=CorrectiveAction.Status.REQUIRED
        )
    }
    return render(
        request,
        "planning/progress.html",
        {
            "plan": plan,
            "rows": [{"row": r, "action": open_actions.get(r.target.pk)} for r in rows],
            "chart": chart,
            "form": form,
            "total_planned": sum((r.target.amount for r in rows if r.target.parent_id is None), Decimal(0)),
        },
        status=400 if form.errors else 200,
    )


# --- budgets, claims, gifts -------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def budgets_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: PLN-4 — the budgets in scope with what is claimed and what remains; finance sets them."""
    _need(request, "planning.view_budget")
    form = BudgetForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        _need(request, "planning.change_budget")
        if _run(request, form, lambda d: expenses.budget_set(actor=request.user, **d), _("The budget was saved.")):
            return redirect("planning:budgets")
    budgets = Budget.objects.restrict(request.user, "view").select_related("department")[:500]
    return render(
        request,
        "planning/budgets.html",
        {"budgets": budgets, "form": form, "can_edit": request.user.has_perm("planning.change_budget")},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def claims_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: PLN-4 — claim an expense (refused beyond the remaining budget); the claims in scope."""
    _need(request, "planning.add_expenseclaim")
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and _run(
        request,
        form,
        lambda d: expenses.expense_claim_submit(actor=request.user, **d),
        _("The claim was sent for approval."),
    ):
        return redirect("planning:claims")
    claims = ExpenseClaim.objects.restrict(request.user, "view").select_related("claimant", "department")[:200]
    return render(request, "planning/claims.html", {"claims": claims, "form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def gifts_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: PLN-5 — request a gift for a customer; record the customer's signature once delivered."""
    _need(request, "planning.view_giftrequest")
    form = GiftForm(request.POST or None, initial={"customer": request.GET.get("customer")})
    confirm_form = GiftConfirmForm()
    if request.method == "POST":
        if request.POST.get("op") == "confirm":
            gift = get_restricted_or_404(GiftRequest, request.user, request.POST.get("gift"))
            confirm_form = GiftConfirmForm(request.POST, request.FILES)
            form = GiftForm()
            if _run(
                request,
                confirm_form,
                lambda d: expenses.gift_confirm_delivery(actor=request.user, gift=gift, **d),
                _("The delivery and the customer's signature were recorded."),
            ):
                return redirect("planning:gifts")
        elif _run(
            request,
            form,
            lambda d: expenses.gift_request(actor=request.user, **d),
            _("The gift request was sent for approval."),
        ):
            return redirect("planning:gifts")
    gifts = GiftRequest.objects.restrict(request.user, "view").select_related("requester", "customer")[:200]
    return render(
        request,
        "planning/gifts.html",
        {"gifts": gifts, "form": form, "confirm_form": confirm_form},
        status=400 if form.errors or confirm_form.errors else 200,
    )
