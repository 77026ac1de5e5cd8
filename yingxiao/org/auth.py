"""Authentication backend that grants the permissions of the roles a user's positions carry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RolePermissionBackend(ModelBackend):
    """Django's model backend plus ORG-5 roles: positions → role → permissions."""

    def _get_group_permissions(self, user_obj: Any) -> Any:
        from_groups = super()._get_group_permissions(user_obj)
        from_roles = Permission.objects.filter(
            role__positions__assignments__user=user_obj,
            role__positions__assignments__ended_on__isnull=True,
            role__positions__is_active=True,
        )
        return (from_groups | from_roles).distinct()
