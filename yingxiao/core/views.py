"""Notification pages: the header badge (polled by htmx), the list, and "mark read"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from yingxiao.org.models import User

from .notifications import notification_mark_read, notifications_for, unread_count
from .pagination import paginate

PAGE_SIZE = 30


class AuthenticatedRequest(HttpRequest):
    """Every page here sits behind LoginRequiredMiddleware: the user is an employee."""

    user: User  # type: ignore[assignment]


@require_GET
def notification_badge(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "web/_notifications_count.html", {"unread_count": unread_count(request.user)})


@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = paginate(request, notifications_for(request.user), PAGE_SIZE)
    return render(request, "web/_notifications_page.html", {"page": page, "unread_count": unread_count(request.user)})


@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one notification read, then follow its link (``next``, same site only) or back to the list."""
    notification_mark_read(actor=request.user, ids=[pk])
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    notification_mark_read(actor=request.user)
    return redirect("notifications:list")
