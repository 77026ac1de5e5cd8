"""Training pages (HR-9, ORG-6): plans and sessions, attendance and scores, onboarding and probation."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import User

from . import services
from .forms import OnboardingForm, PlanForm, SessionForm
from .models import Attendance, Onboarding, TrainingNeed, TrainingPlan, TrainingSession


def _errors(request: HttpRequest, form: object) -> None:
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))  # type: ignore[attr-defined]


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "plans": list(TrainingPlan.objects.restrict(user).select_related("department")[:50]),
        "sessions": list(TrainingSession.objects.restrict(user).select_related("plan", "trainer")[:50]),
        "my_records": list(Attendance.objects.filter(person=user).select_related("session")[:20]),  # type: ignore[misc]
        "needs": list(TrainingNeed.objects.restrict(user).select_related("person")[:100]),
        "plan_form": PlanForm() if user.has_perm("training.add_trainingplan") else None,
        "session_form": SessionForm() if user.has_perm("training.add_trainingsession") else None,
        "may_close_need": user.has_perm("training.change_trainingneed"),
    }
    return render(request, "training/index.html", context)


@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("training:index")
    try:
        services.plan_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Training plan saved."))
    return redirect("training:index")


@require_POST
def session_new(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("training:index")
    try:
        session = services.session_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect("training:index")
    messages.success(request, _("Session scheduled."))
    return redirect("training:session", pk=session.pk)


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_restricted_or_404(TrainingSession, request.user, pk)
    may_record = request.user.has_perm("training.add_attendance")
    records = Attendance.objects.restrict(request.user).filter(session=session).select_related("person")
    people = User.objects.filter(is_active=True).order_by("display_name", "username") if may_record else []
    context = {"session": session, "records": list(records), "may_record": may_record, "people": people}
    return render(request, "training/session.html", context)


@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_restricted_or_404(TrainingSession, request.user, pk)
    person = User.objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        raise Http404
    try:
        services.attendance_record(
            actor=request.user,  # type: ignore[arg-type]
            session=session,
            person=person,
            attended=request.POST.get("attended") == "on",
            score=request.POST.get("score"),
            note=request.POST.get("note", ""),
        )
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Attendance recorded."))
    return redirect("training:session", pk=pk)


def onboarding_list(request: HttpRequest) -> HttpResponse:
    rows = Onboarding.objects.restrict(request.user).select_related("person", "mentor", "department")
    form = OnboardingForm() if request.user.has_perm("training.add_onboarding") else None
    return render(request, "training/onboarding.html", {"rows": list(rows[:200]), "form": form})


@require_POST
def onboarding_new(request: HttpRequest) -> HttpResponse:
    form = OnboardingForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("training:onboarding")
    try:
        services.onboarding_start(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Onboarding started."))
    return redirect("training:onboarding")


@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_restricted_or_404(TrainingNeed, request.user, pk)
    try:
        services.need_close(actor=request.user, need=need)  # type: ignore[arg-type]
    except BusinessError as error:
        messages.error(request, error.message)
    return redirect("training:index")
