"""The one permission guard every service starts with."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


def require_permission(actor: Any, perm: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is a logged-in user holding ``perm`` (``app.codename``)."""
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise PermissionDenied
