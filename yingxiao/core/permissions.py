"""Verb permissions for the API: ``<app>.<verb>_<model>`` by HTTP method; rows are scoped elsewhere."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ModelActionPermission(permissions.BasePermission):
    """Require ``<app>.<verb>_<model>`` for the request's verb; rows are scoped by the queryset."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True
        action = METHOD_ACTIONS.get(request.method or "GET", "view")
        return bool(user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"))


class StaffReadPermission(ModelActionPermission):
    """Any logged-in employee may read (the org directory is not customer data); writes need the verb."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            return bool(user and user.is_authenticated)
        return super().has_permission(request, view)
