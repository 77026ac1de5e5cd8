"""Base viewsets: scope every queryset to the caller, so out-of-scope objects are 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers, viewsets
from rest_framework.request import Request

from .permissions import METHOD_ACTIONS


# rule: ORG-5 — every API read is scoped through restrict().
class RestrictedViewSetMixin:
    """Scope the viewset's queryset to the caller: out-of-scope objects are simply not found (404)."""

    request: Request
    queryset: QuerySet[Any]

    def get_queryset(self) -> QuerySet[Any]:
        action = METHOD_ACTIONS.get(self.request.method or "GET", "view")
        if action == "add":
            action = "view"
        return self.queryset.all().restrict(self.request.user, action)  # type: ignore[attr-defined]


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail, scoped."""


class ErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The API's error format (``yingxiao.core.api_errors``): a stable code and a message in the caller's language."""

    code = serializers.CharField(help_text="Stable dotted code, e.g. core.not_found or customers.duplicate.")
    message = serializers.CharField(help_text="Human-readable message in the request language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Invalid input only: field name (or non_field_errors) → messages.",
    )


class ApiSchema(AutoSchema):
    """OpenAPI operations that also document the error responses every endpoint can give."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:  # type: ignore[override]
        responses = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        if direction != "response":
            return responses
        codes = ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.insert(0, "400")
        if "{" in self.path or self.method in ("PUT", "PATCH", "DELETE"):
            codes.append("404")
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
        return responses
