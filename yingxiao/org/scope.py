"""Resolve what an actor may see (ORG-5): the widest data scope of the roles they hold.

Computed once per user object and cached on it, so a request pays for it at most once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q

from .models import Assignment, DataScope, Department

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


def scope_for(user: User) -> ActorScope:
    """The actor's effective scope; superusers see all."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = ActorScope(level=DataScope.OWN, user_id=None)
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
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: User) -> None:
    """Drop the cached scope after the user's positions change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
