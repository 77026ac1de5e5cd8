"""Authentication backend that grants the permissions of the roles a user's positions carry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RolePermissionBackend(ModelBackend):
    """Django's model backend plus ORG-5 roles: positions → role → permissions.

    A user's permission set is kept in the ``org`` cache (see ``yingxiao.org.scope``): a request
    reads it with no query; any change to roles, positions, assignments or users invalidates it.
    """

    def _get_group_permissions(self, user_obj: Any) -> Any:
        from_groups = super()._get_group_permissions(user_obj)
        from_roles = Permission.objects.filter(
            role__positions__assignments__user=user_obj,
            role__positions__assignments__ended_on__isnull=True,
            role__positions__is_active=True,
        )
        return (from_groups | from_roles).distinct()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            from .scope import cache_key, org_cache

            key = cache_key("perms", user_obj)
            perms = org_cache().get(key)
            if perms is None:
                perms = frozenset(super().get_all_permissions(user_obj))
                org_cache().set(key, perms)
            user_obj._perm_cache = set(perms)
        return user_obj._perm_cache
