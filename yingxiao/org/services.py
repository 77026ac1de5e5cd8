"""Business actions on the organisation (ORG-1, ORG-2). Each takes the acting user first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from yingxiao.core.errors import BusinessError
from yingxiao.core.guards import require_permission as _require

from .errors import ALREADY_HOLDS, DEPARTMENT_CYCLE, DEPARTMENT_NOT_EMPTY, POSITION_CYCLE
from .models import Assignment, Department, Position, Role, User
from .scope import forget_scope


def _path_for(department: Department) -> str:
    return f"{department.parent.path if department.parent else '/'}{department.pk}/"


# rule: ORG-1 — the tree is edited here only (create, move = split/merge, deactivate).
def department_create(
    *,
    actor: User,
    name: str,
    code: str,
    parent: Department | None,
    kind: str = Department.Kind.DEPARTMENT,
    sort_order: int = 0,
) -> Department:
    """Add a department under ``parent`` (ORG-1: the tree grows without code changes)."""
    _require(actor, "org.add_department")
    with transaction.atomic():
        department = Department(name=name, code=code, parent=parent, kind=kind, sort_order=sort_order)
        department.full_clean(exclude=["path"])
        department.save()
        department.path = _path_for(department)
        department.save(update_fields=["path"])
    return department


def department_update(*, actor: User, department: Department, **changes: Any) -> Department:
    """Rename, re-parent (split/merge) or re-order a department; the subtree's paths follow."""
    _require(actor, "org.change_department")
    new_parent = changes.pop("parent", department.parent)
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        if new_parent is not None and (new_parent.pk == locked.pk or new_parent.path.startswith(locked.path)):
            raise BusinessError(DEPARTMENT_CYCLE, field="parent")
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.parent = new_parent
        locked.full_clean(exclude=["path"])
        old_path = locked.path
        locked.path = _path_for(locked)
        locked.save()
        if old_path != locked.path:
            for child in Department.objects.filter(path__startswith=old_path).exclude(pk=locked.pk).order_by("path"):
                child.path = locked.path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    return locked


def department_deactivate(*, actor: User, department: Department) -> Department:
    """Close a department that no longer has posts or children (records are kept, never deleted)."""
    _require(actor, "org.change_department")
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        if locked.children.filter(is_active=True).exists() or locked.positions.filter(is_active=True).exists():
            raise BusinessError(DEPARTMENT_NOT_EMPTY)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    return locked


def position_create(
    *,
    actor: User,
    title: str,
    department: Department,
    role: Role,
    superior: Position | None = None,
    is_head: bool = False,
    sort_order: int = 0,
) -> Position:
    """Open a post in a department, reporting to ``superior`` (ORG-2)."""
    _require(actor, "org.add_position")
    position = Position(
        title=title, department=department, role=role, superior=superior, is_head=is_head, sort_order=sort_order
    )
    position.full_clean()
    position.save()
    return position


def position_set_superior(*, actor: User, position: Position, superior: Position | None) -> Position:
    """Change who a post reports to, refusing loops in the reporting line."""
    _require(actor, "org.change_position")
    node = superior
    while node is not None:
        if node.pk == position.pk:
            raise BusinessError(POSITION_CYCLE, field="superior")
        node = node.superior
    position.superior = superior
    position.save(update_fields=["superior"])
    return position


def position_assign(
    *, actor: User, user: User, position: Position, primary: bool = True, started_on: dt.date | None = None
) -> Assignment:
    """Put an employee on a post; ``primary=False`` is a concurrent holding (兼任)."""
    _require(actor, "org.add_assignment")
    with transaction.atomic():
        if Assignment.objects.filter(user=user, position=position, ended_on__isnull=True).exists():
            raise BusinessError(ALREADY_HOLDS)
        if primary:
            Assignment.objects.filter(user=user, is_primary=True, ended_on__isnull=True).update(is_primary=False)
        assignment = Assignment.objects.create(
            user=user, position=position, is_primary=primary, started_on=started_on or timezone.localdate()
        )
    forget_scope(user)
    return assignment


def position_vacate(*, actor: User, assignment: Assignment, ended_on: dt.date | None = None) -> Assignment:
    """End a holding; the post becomes vacant (暂缺) if nobody else holds it."""
    _require(actor, "org.change_assignment")
    assignment.ended_on = ended_on or timezone.localdate()
    assignment.save(update_fields=["ended_on"])
    forget_scope(assignment.user)
    return assignment


def employee_set_absence(
    *, actor: User, employee: User, absent_until: dt.date | None, delegate: User | None = None
) -> User:
    """Mark someone away until a date (or back, with ``None``); ORG-4 routes around them meanwhile."""
    if actor.pk != employee.pk:
        _require(actor, "org.change_user")
    employee.status = User.Status.ABSENT if absent_until else User.Status.ACTIVE
    employee.absent_until = absent_until
    if delegate is not None:
        employee.delegate = delegate
    employee.save(update_fields=["status", "absent_until", "delegate"])
    return employee
