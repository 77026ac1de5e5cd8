"""The API's error format: ``{"code": "...", "message": "...", "errors": {...}}``.

Every failure has a stable code and a message in the caller's language (Accept-Language or
the session's choice), whatever raised it: a service's ``BusinessError``, a serializer, a
filter, the parser, the router. ``errors`` appears only for invalid input and maps each field
(``non_field_errors`` for the whole payload) to its messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .errors import INVALID_INPUT, NOT_AUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, BusinessError, ErrorCode

# A unique constraint that a concurrent request won: the database refused the second write.
DUPLICATE = ErrorCode("core.duplicate", _("A record with these values already exists."), 409)


def _body(error: ErrorCode, message: Any = None, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": str(message if message is not None else error.message)}
    if errors is not None:
        body["errors"] = errors
    return body


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: detail if isinstance(detail, list) else [detail]}


def _django_errors(exc: DjangoValidationError) -> dict[str, Any]:
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    errors = exc.message_dict
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every failure as ``{code, message[, errors]}`` with a fitting HTTP status."""
    if isinstance(exc, BusinessError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(_body(NOT_FOUND), status=404)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 401 with WWW-Authenticate when the first authenticator names a scheme, else 403.
        message = NOT_AUTHENTICATED.message if isinstance(exc, exceptions.NotAuthenticated) else exc.detail
        headers = {"WWW-Authenticate": exc.auth_header} if getattr(exc, "auth_header", None) else None
        return Response(_body(NOT_AUTHENTICATED, message), status=exc.status_code, headers=headers)
    if isinstance(exc, exceptions.PermissionDenied):
        # Keep a specific reason (such as a failed CSRF check); replace DRF's generic wording with ours.
        specific = str(exc.detail) != str(exceptions.PermissionDenied.default_detail)
        return Response(_body(PERMISSION_DENIED, exc.detail if specific else None), status=403)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(_body(PERMISSION_DENIED), status=403)
    if isinstance(exc, DjangoValidationError):
        return Response(_body(INVALID_INPUT, errors=_django_errors(exc)), status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response(_body(INVALID_INPUT, errors=_field_errors(exc.detail)), status=400)
    if isinstance(exc, IntegrityError):
        return Response(_body(DUPLICATE), status=409)
    if isinstance(exc, exceptions.APIException):
        headers = {"Retry-After": str(int(exc.wait))} if getattr(exc, "wait", None) else None
        codes = exc.get_codes()
        name = codes if isinstance(codes, str) else exc.default_code
        return Response(_body(ErrorCode(f"core.{name}", ""), exc.detail), status=exc.status_code, headers=headers)
    return None


@csrf_exempt  # it changes nothing: a POST to a wrong URL should learn "404", not "CSRF failed"
@login_not_required
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown URLs under /api/ answer in the API's format, not with the HTML 404 page."""
    return JsonResponse(_body(NOT_FOUND), status=404)
