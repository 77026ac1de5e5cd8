"""Pages of grade reviews, admission, invitations, tracking sheets and referrals.

The customer detail page loads ``panel`` with htmx; its forms post to the actions below, which
parse, call a service and go back to the customer with a message. Scope is the services' and
selectors' ``restrict`` (ORG-5): an out-of-scope customer is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.querysets import get_restricted_or_404

from .. import selectors
from ..models import AdmissionCriterion, GradeReview, Invitation, Referral, TrackingSheet, TrackingStep
from . import admission, grades, invitations, referrals, tracking
from .forms import (
    AdmissionTickForm,
    CriterionForm,
    DealValueForm,
    DowngradeForm,
    GradeReviewForm,
    InvitationForm,
    NoteForm,
    ReferralForm,
    StepDoneForm,
    StepForm,
    TrackingReviewForm,
    TrackingSheetForm,
)


def _error_text(error: Exception) -> str:
    if isinstance(error, BusinessError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return _("You do not have permission to do this.")


def _act(
    request: HttpRequest, customer_id: int, form: Any, action: Callable[[dict[str, Any]], Any], done: str
) -> HttpResponse:
    """Validate ``form``, run ``action`` with its data, report the outcome and go back to the customer."""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            action(form.cleaned_data)
        except (BusinessError, ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, done)
    return redirect("customers:detail", pk=customer_id)


@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx partial on the customer page: grade, admission, invitations, tracking sheet, referrals."""
    customer = selectors.get_customer_for(request.user, pk)
    user = request.user
    can_change = user.has_perm("customers.change_customer")
    sheet = tracking.sheet_of(user, customer)
    visible_invitations = list(customer.invitations.select_related("department", "inviter"))
    return render(
        request,
        "customers/relations/_panel.html",
        {
            "customer": customer,
            "can_change": can_change,
            "reviews": grades.reviews_of(user, customer)[:10],
            "review_form": GradeReviewForm(initial={"result_grade": customer.grade, "apply_grade": True}),
            "downgrade_form": DowngradeForm(),
            "checklist": admission.checklist_of(customer),
            "tick_form": AdmissionTickForm(),
            "invitations": visible_invitations,
            "invitation_form": InvitationForm(),
            "sheet": sheet,
            "sheet_needed": customer.intent in tracking.NEEDS_SHEET,
            "sheet_due": tracking.review_due_at(sheet) if sheet else None,
            "sheet_form": TrackingSheetForm(),
            "step_form": StepForm(),
            "review_sheet_form": TrackingReviewForm(),
            "referrals": referrals.referrals_of(user, customer),
            "referral_form": ReferralForm(),
            "deal_value_form": DealValueForm(),
        },
    )


# --- CUS-4 grade reviews -------------------------------------------------------------------------


@require_POST
def grade_review_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)
    return _act(
        request,
        pk,
        GradeReviewForm(request.POST),
        lambda d: grades.grade_review_record(actor=request.user, customer=customer, **d),
        _("Grade evaluation recorded."),
    )


@require_POST
def grade_downgrade(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_restricted_or_404(GradeReview, request.user, pk)
    return _act(
        request,
        review.customer_id,
        DowngradeForm(request.POST),
        lambda d: grades.grade_downgrade(actor=request.user, review=review, grade=d["grade"]),
        _("Customer downgraded."),
    )


@require_GET
def grades_due(request: HttpRequest) -> HttpResponse:
    """Customers in the user's scope due for a grade evaluation (CUS-4)."""
    if not request.user.has_perm("customers.view_gradereview"):
        raise PermissionDenied
    due = grades.customers_due_for_review(request.user)[:200]
    return render(request, "customers/relations/grades_due.html", {"customers": due})


# --- CUS-5 admission -----------------------------------------------------------------------------


@require_POST
def admission_tick(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)
    criterion = get_object_or_404(AdmissionCriterion, pk=criterion_pk)
    return _act(
        request,
        pk,
        AdmissionTickForm(request.POST),
        lambda d: admission.admission_tick(actor=request.user, customer=customer, criterion=criterion, **d),
        _("Admission checklist updated."),
    )


@require_http_methods(["GET", "POST"])
def criteria(request: HttpRequest, criterion_pk: int | None = None) -> HttpResponse:
    """The administrator's admission checklist: list, add, edit (CUS-5)."""
    if not request.user.has_perm("customers.view_admissioncriterion"):
        raise PermissionDenied
    instance = get_object_or_404(AdmissionCriterion, pk=criterion_pk) if criterion_pk else None
    form = CriterionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                admission.criterion_create(actor=request.user, data=form.cleaned_data)
            else:
                admission.criterion_update(actor=request.user, criterion=instance, data=form.cleaned_data)
        except (BusinessError, ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:admission_criteria")
    return render(
        request,
        "customers/relations/criteria.html",
        {"criteria": AdmissionCriterion.objects.order_by("position", "pk"), "form": form, "editing": instance},
    )


# --- CUS-8 invitations ---------------------------------------------------------------------------


@require_POST
def invitation_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)
    return _act(
        request,
        pk,
        InvitationForm(request.POST),
        lambda d: invitations.invitation_create(actor=request.user, customer=customer, **d),
        _("Invitation logged."),
    )


@require_POST
def invitation_status(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    invitation = get_restricted_or_404(Invitation, request.user, pk, "change")
    if verb == "confirm":
        action = lambda d: invitations.invitation_confirm(actor=request.user, invitation=invitation)  # noqa: E731
    else:
        action = lambda d: invitations.invitation_decline(actor=request.user, invitation=invitation, **d)  # noqa: E731
    return _act(request, invitation.customer_id, NoteForm(request.POST), action, _("Invitation updated."))


@require_http_methods(["GET", "POST"])
def invitation_conflicts(request: HttpRequest) -> HttpResponse:
    """The coordinator's page: open conflicts, the suggested winner, and the decision (CUS-8)."""
    if not request.user.has_perm("customers.resolve_invitation"):
        raise PermissionDenied
    if request.method == "POST":
        winner = get_object_or_404(Invitation, pk=request.POST.get("winner") or 0)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                invitations.invitation_resolve(actor=request.user, winner=winner, note=form.cleaned_data["note"])
            except (BusinessError, ValidationError) as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _("Conflict resolved."))
        return redirect("customers:invitation_conflicts")
    conflicts = invitations.invitation_conflicts(request.user)
    return render(request, "customers/relations/conflicts.html", {"conflicts": conflicts, "note_form": NoteForm()})


# --- CUS-10 tracking sheets ----------------------------------------------------------------------


@require_POST
def tracking_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)
    return _act(
        request,
        pk,
        TrackingSheetForm(request.POST),
        lambda d: tracking.tracking_sheet_create(
            actor=request.user,
            customer=customer,
            goal=d["goal"],
            steps=[{"planned_on": d["planned_on"], "action": d["action"]}],
        ),
        _("Tracking sheet written."),
    )


@require_POST
def tracking_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = get_restricted_or_404(TrackingSheet, request.user, pk, "change")
    return _act(
        request,
        sheet.customer_id,
        StepForm(request.POST),
        lambda d: tracking.tracking_step_add(actor=request.user, sheet=sheet, **d),
        _("Step planned."),
    )


@require_POST
def tracking_step_done(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(TrackingStep.objects.select_related("sheet"), pk=pk)
    get_restricted_or_404(TrackingSheet, request.user, step.sheet_id, "change")
    return _act(
        request,
        step.sheet.customer_id,
        StepDoneForm(request.POST),
        lambda d: tracking.tracking_step_done(actor=request.user, step=step, result=d["result"]),
        _("Step done."),
    )


@require_POST
def tracking_review(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = get_restricted_or_404(TrackingSheet, request.user, pk)
    return _act(
        request,
        sheet.customer_id,
        TrackingReviewForm(request.POST),
        lambda d: tracking.tracking_sheet_review(actor=request.user, sheet=sheet, comment=d["comment"]),
        _("Review recorded."),
    )


@require_GET
def tracking_overview(request: HttpRequest) -> HttpResponse:
    """A/B customers without a tracking sheet and sheets overdue for the supervisor's review (CUS-10)."""
    if not request.user.has_perm("customers.view_trackingsheet"):
        raise PermissionDenied
    data = tracking.sheets_needing_attention(request.user)
    return render(
        request,
        "customers/relations/tracking.html",
        {"missing": data["missing"][:200], "overdue": data["overdue"][:200]},
    )


# --- CUS-13 referrals ----------------------------------------------------------------------------


@require_POST
def referral_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)

    def record(data: dict[str, Any]) -> Referral:
        try:
            referrer = selectors.get_customer_for(request.user, data.pop("referrer"))
        except Http404:
            raise BusinessError(NOT_FOUND, field="referrer") from None
        return referrals.referral_record(actor=request.user, referrer=referrer, referred=customer, **data)

    return _act(request, pk, ReferralForm(request.POST), record, _("Referral recorded."))


@require_POST
def referral_deal_value(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_restricted_or_404(Referral, request.user, pk, "change")
    return _act(
        request,
        referral.referred_id,
        DealValueForm(request.POST),
        lambda d: referrals.referral_set_deal_value(actor=request.user, referral=referral, **d),
        _("Deal value saved."),
    )
