"""Leave balances page (HR-5): everyone in the viewer's scope with their annual leave entitled,
taken, pending and remaining for a year; HR sets one person's entitlement or grants a number of
days to everyone shown who has none yet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.org.models import Department, User
from yingxiao.org.selectors import primary_department

from . import leave_balances, selectors
from .views import SHEET_PAGE_SIZE, AuthenticatedRequest


def _filters(request: AuthenticatedRequest, data: dict[str, str]) -> tuple[int, Department | None]:
    year = leave_balances.parse_year(data.get("year"), leave_balances.current_year())
    return year, selectors.department_param(data.get("department")) or primary_department(request.user)


def _back(year: int, department: Department | None, page: str = "") -> HttpResponse:
    query = {"year": year, **({"department": department.pk} if department is not None else {})}
    if page.isdigit():
        query["page"] = int(page)
    return redirect(f"{reverse('workforce:leave_balances')}?{urlencode(query)}")


@require_GET
def balances_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-5 — balances per person, a page of people at a time, within the viewer's scope (ORG-5)."""
    if not request.user.has_perm("workforce.view_leave"):
        raise PermissionDenied
    year, department = _filters(request, request.GET)
    people = selectors.visible_people(request.user, department)
    page = paginate(request, people, per_page=SHEET_PAGE_SIZE)
    return render(
        request,
        "workforce/leave_balances.html",
        {
            "rows": leave_balances.leave_balances(request.user, year, list(page.object_list)),
            "page": page,
            "year": year,
            "department": department,
            "departments": Department.objects.filter(is_active=True).order_by("path"),
            "can_set": request.user.has_perm(leave_balances.ENTITLEMENT_PERM),
            "max_days": leave_balances.MAX_ENTITLED_DAYS,
        },
    )


@require_POST
def entitlement_set_view(request: AuthenticatedRequest, person_pk: int) -> HttpResponse:
    """rule: HR-5 — HR sets one person's annual-leave days for the year."""
    year, department = _filters(request, request.POST)
    person = selectors.visible_people(request.user).filter(pk=person_pk).first()
    if person is None:  # outside the viewer's scope: as if it did not exist (ORG-5)
        raise Http404
    try:
        leave_balances.leave_entitlement_set(
            actor=request.user, person=person, year=year, days=request.POST.get("days", "")
        )
    except BusinessError as error:
        messages.error(request, f"{person}: {error.message}")
    else:
        messages.success(request, _("%(person)s: annual leave for %(year)s saved.") % {"person": person, "year": year})
    return _back(year, department, request.POST.get("page", ""))


@require_POST
def entitlements_grant_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: HR-5 — HR grants the year's days to everyone shown (the department filter) without any."""
    year, department = _filters(request, request.POST)
    people = selectors.visible_people(request.user, department)
    try:
        count = leave_balances.leave_entitlements_grant(
            actor=request.user,
            year=year,
            days=request.POST.get("days", ""),
            people=User.objects.filter(pk__in=people.values("pk")),
        )
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Annual leave for %(year)s granted to %(count)s people.") % {"year": year, "count": count}
        )
    return _back(year, department)
