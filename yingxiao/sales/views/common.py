"""What the sales views share: the request type and mapping refused actions to HTTP."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User


class AuthenticatedHtmxRequest(HttpRequest):
    """What these views receive: a logged-in employee (LoginRequiredMiddleware) and htmx details."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def raise_http(error: BusinessError) -> None:
    """404 and 403 business errors become the HTTP errors (never a hint a record exists)."""
    if error.status == 404:
        raise Http404 from error
    if error.status == 403:
        raise PermissionDenied from error


def require_perm(request: AuthenticatedHtmxRequest, *perms: str) -> None:
    if not any(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied
