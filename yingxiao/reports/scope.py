"""Which departments a viewer may filter the dashboards by (ORG-5).

The director (all scope) may pick any department; a head their own department subtree; a rep
none (their figures are their own anyway). A department outside that set is answered like a
record outside the scope: not found, and nothing about it is computed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import DataScope, Department
from yingxiao.org.scope import scope_for, subtree_ids

from . import errors

if TYPE_CHECKING:
    from yingxiao.org.models import User


def department_choices(viewer: User) -> QuerySet[Department]:
    """The departments the viewer may filter by, in tree order."""
    scope = scope_for(viewer)
    departments = Department.objects.filter(is_active=True).order_by("path")
    if scope.is_all:
        return departments
    if scope.level == DataScope.DEPARTMENT and scope.department_ids:
        return departments.filter(pk__in=sorted(scope.department_ids))
    return departments.none()


def resolve_department(viewer: User, value: Any) -> Department | None:
    """The department named by a filter value, or None for no filter; out of scope → 404-like error."""
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise BusinessError(errors.DEPARTMENT_OUT_OF_SCOPE, field="department") from None
    department = department_choices(viewer).filter(pk=pk).first()
    if department is None:
        # rule: ORG-5 — a chart filter outside the viewer's scope is refused, nothing computed.
        raise BusinessError(errors.DEPARTMENT_OUT_OF_SCOPE, field="department")
    return department


def department_ids(department: Department | None) -> list[int] | None:
    """The department and its subtree (None: no filter)."""
    if department is None:
        return None
    return sorted(subtree_ids({department.pk}))
