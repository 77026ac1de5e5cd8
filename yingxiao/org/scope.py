"""Resolve what an actor may see (ORG-5): the widest data scope of the roles they hold.

Computed once per user object and cached on it, so a request pays for it at most once; across
requests it is kept in the ``org`` cache under a key that carries the *org version*. Every change
to departments, roles (and their permissions), positions, assignments or users bumps the version
(signals below), so the next request recomputes. The cache entries also expire after
``CACHES["org"]["TIMEOUT"]`` seconds (60 by default): with the per-process memory cache another
worker process sees a change at the latest then; with Redis (REDIS_URL) at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import Assignment, DataScope, Department, Position, Role, User

if TYPE_CHECKING:
    from .models import User

_ORDER = {DataScope.OWN: 0, DataScope.DEPARTMENT: 1, DataScope.ALL: 2}
_CACHE_ATTR = "_yingxiao_scope"


@dataclass(frozen=True)
class ActorScope:
    """The rows an actor reaches: everything, a set of department ids, or only their own."""

    level: str
    user_id: int | None
    department_ids: frozenset[int] = field(default_factory=frozenset)
    role_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_all(self) -> bool:
        return self.level == DataScope.ALL

    def q(self, *, owner: str | None, department: str | None) -> Q:
        """A filter for a model whose ownership lives in the named fields (None: not owned that way)."""
        if self.is_all:
            return Q()
        conditions = Q(pk__in=[])
        if owner and self.user_id is not None:
            conditions |= Q(**{owner: self.user_id})
        if department and self.level == DataScope.DEPARTMENT and self.department_ids:
            conditions |= Q(**{f"{department}__in": sorted(self.department_ids)})
        return conditions


def subtree_ids(department_ids: set[int]) -> set[int]:
    """Ids of the given departments and every department below them."""
    if not department_ids:
        return set()
    paths = Department.objects.filter(pk__in=department_ids).values_list("path", flat=True)
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return set(Department.objects.filter(condition).values_list("pk", flat=True))


_VERSION_KEY = "version"


def org_cache() -> Any:
    return caches["org"]


def org_version() -> int:
    """The current org version (a fresh, never reused number when the cache has none)."""
    cache = org_cache()
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, time.time_ns())
        version = cache.get(_VERSION_KEY) or time.time_ns()
    return int(version)


def bump_org_version(**_kwargs: Any) -> None:
    """Invalidate every cached permission set and scope (a signal receiver)."""
    cache = org_cache()
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # no version yet (or evicted): start from a number never used before
        cache.set(_VERSION_KEY, time.time_ns(), None)


def cache_key(kind: str, user: User) -> str:
    """Key of a per-user org fact (``perms``, ``scope``) at the current org version."""
    return f"{kind}:{org_version()}:{user.pk}"


def _user_saved(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes nothing the caches hold
    bump_org_version()


def connect_cache_invalidation() -> None:
    """Bump the org version whenever anything a cached permission set or scope depends on changes.

    Called from ``OrgConfig.ready()``. Queryset ``update()`` calls bypass signals: services that
    change org rows in bulk must call ``bump_org_version()`` themselves.
    """
    for model in (Department, Role, Position, Assignment, Group, Permission):
        post_save.connect(bump_org_version, sender=model, dispatch_uid=f"org_version_save_{model.__name__}")
        post_delete.connect(bump_org_version, sender=model, dispatch_uid=f"org_version_delete_{model.__name__}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="org_version_save_User")
    post_delete.connect(bump_org_version, sender=User, dispatch_uid="org_version_delete_User")
    for through in (
        Role.permissions.through,
        User.user_permissions.through,
        User.groups.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(bump_org_version, sender=through, dispatch_uid=f"org_version_m2m_{through.__name__}")


def scope_for(user: User) -> ActorScope:
    """The actor's effective scope; superusers see all."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = ActorScope(level=DataScope.OWN, user_id=None)
    elif (shared := org_cache().get(key := cache_key("scope", user))) is not None:
        scope = shared
    else:
        rows = list(
            Assignment.objects.filter(user=user, ended_on__isnull=True, position__is_active=True).values_list(
                "position__role__data_scope", "position__role__code", "position__department_id"
            )
        )
        level = DataScope.ALL if user.is_superuser else DataScope.OWN
        for data_scope, _code, _dept in rows:
            if _ORDER[DataScope(data_scope)] > _ORDER[DataScope(level)]:
                level = DataScope(data_scope)
        # A head's subtree comes from the positions whose role reaches the department.
        departments = {dept for data_scope, _code, dept in rows if data_scope == DataScope.DEPARTMENT}
        scope = ActorScope(
            level=str(level),
            user_id=user.pk,
            department_ids=frozenset(subtree_ids(departments)) if level == DataScope.DEPARTMENT else frozenset(),
            role_codes=frozenset(code for _scope, code, _dept in rows),
        )
        org_cache().set(key, scope)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: User) -> None:
    """Drop the cached scope (and every user's shared cached scope) after positions change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    bump_org_version()
