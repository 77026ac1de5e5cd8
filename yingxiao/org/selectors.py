"""Reads over the organisation: holders of positions, the reporting line (ORG-3, ORG-4), the tree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from yingxiao.core.sql import id_list

from .models import Assignment, Department, Position, User


def holders(position: Position) -> list[User]:
    """Current holders of a position, primary holders first."""
    return [
        a.user
        for a in Assignment.objects.filter(position=position, ended_on__isnull=True)
        .select_related("user")
        .order_by("-is_primary", "started_on", "pk")
    ]


def positions_of(user: User) -> QuerySet[Position]:
    """Positions the user currently holds, the primary one first."""
    return (
        Position.objects.filter(assignments__user=user, assignments__ended_on__isnull=True, is_active=True)
        .select_related("department", "role", "superior")
        .order_by("-assignments__is_primary", "pk")
    )


def primary_position(user: User) -> Position | None:
    return positions_of(user).first()


def primary_department(user: User) -> Department | None:
    position = primary_position(user)
    return position.department if position else None


def primary_department_ids(user_ids: Iterable[int]) -> dict[int, int]:
    """user id → the id of their primary department (as ``primary_department``), in one query."""
    rows = (
        Assignment.objects.filter(user_id__in=id_list(list(user_ids)), ended_on__isnull=True, position__is_active=True)
        .order_by("user_id", "-is_primary", "pk")
        .values_list("user_id", "position__department_id")
    )
    result: dict[int, int] = {}
    for user_id, department_id in rows:
        result.setdefault(user_id, department_id)
    return result


# rule: ORG-3, ORG-4 — the reporting line, skipping vacant posts and absent holders.
def superior_of(user: User) -> User | None:
    """The person ``user`` reports to (ORG-4).

    Walks up from the user's primary position: a vacant superior post (暂缺) or one whose
    holders are all absent is skipped to the next post up, so escalation always reaches
    someone who can act. A superior's delegate stands in for them while they are away.
    """
    position = primary_position(user)
    seen: set[int] = set()
    superior = position.superior if position else None
    while superior is not None and superior.pk not in seen:
        seen.add(superior.pk)
        for holder in holders(superior):
            if holder.pk == user.pk:
                continue
            if holder.is_available():
                return holder
            delegate = holder.delegate
            if delegate is not None and delegate.pk != user.pk and delegate.is_available():
                return delegate
        superior = superior.superior
    return None


def heads_of(department: Department) -> list[User]:
    """Available holders of the department's head post; an empty list when it is vacant."""
    result: list[User] = []
    for position in department.positions.filter(is_head=True, is_active=True):
        result.extend(u for u in holders(position) if u.is_available())
    return result


@dataclass
class ChartNode:
    """A department with its posts and holders, for the org-chart page."""

    department: Department
    positions: list[Position] = field(default_factory=list)
    children: list[ChartNode] = field(default_factory=list)


def org_chart() -> list[ChartNode]:
    """The whole tree in three queries, however large it is."""
    departments = list(Department.objects.filter(is_active=True).order_by("path", "sort_order"))
    open_assignments = Assignment.objects.filter(ended_on__isnull=True).select_related("user")
    positions = (
        Position.objects.filter(is_active=True)
        .select_related("role", "superior")
        .prefetch_related(Prefetch("assignments", queryset=open_assignments, to_attr="current"))
        .order_by("sort_order", "pk")
    )
    nodes = {d.pk: ChartNode(department=d) for d in departments}
    for position in positions:
        if position.department_id in nodes:
            nodes[position.department_id].positions.append(position)
    roots: list[ChartNode] = []
    for d in departments:
        parent = nodes.get(d.parent_id) if d.parent_id else None
        (parent.children if parent else roots).append(nodes[d.pk])
    return roots
