"""Base viewsets: scope every queryset to the caller, so out-of-scope objects are 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.request import Request

from .permissions import METHOD_ACTIONS


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
