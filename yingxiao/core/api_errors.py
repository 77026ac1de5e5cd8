"""The API's error format: ``{"code": "...", "message": "...", "errors": {...}}``.

Every failure has a stable code and a message in the caller's language, whatever raised it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from .errors import INVALID_INPUT, NOT_AUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, BusinessError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every failure as ``{code, message[, errors]}`` with a fitting HTTP status."""
    if isinstance(exc, BusinessError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response({"code": NOT_FOUND.code, "message": str(NOT_FOUND.message)}, status=404)
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        return Response({"code": PERMISSION_DENIED.code, "message": str(PERMISSION_DENIED.message)}, status=403)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return Response({"code": NOT_AUTHENTICATED.code, "message": str(exc.detail)}, status=401)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"code": INVALID_INPUT.code, "message": str(INVALID_INPUT.message), "errors": errors}, 400)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response({"code": INVALID_INPUT.code, "message": str(INVALID_INPUT.message), "errors": errors}, 400)
    if isinstance(exc, exceptions.APIException):
        code = f"core.{exc.default_code}"
        return Response({"code": code, "message": str(exc.detail)}, status=exc.status_code)
    return None
