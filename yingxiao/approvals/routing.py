"""Who approves a step (APR-1), walking the org chart like an escalation does (ORG-4).

A step names a starting post — the requester's superior post, the head post of their
department, or a post carrying a role. From there:

- a holder who is at work approves;
- a holder who is away but has an available delegate keeps the step: the delegate sees it in
  their inbox and decides *for* them (``Decision.acted_for``);
- a vacant post (暂缺), or one whose holders are all away without a delegate, passes the step
  to the next post up the reporting line;
- the requester never approves their own request: their post is skipped too. When that leaves
  nobody above them (the requester is the top authority for this step) the step is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from yingxiao.org.models import Department, Position, User
from yingxiao.org.selectors import holders, primary_position

from .models import Step


@dataclass(frozen=True)
class Resolution:
    """The approver of a step, or why there is none."""

    approver: User | None
    # True when the walk met the requester's own post and found nobody above: skip the step.
    requester_is_top: bool = False


def _pick(position: Position, requester_id: int | None) -> tuple[User | None, bool]:
    """A holder of ``position`` who can act (directly or through a delegate); and whether the requester holds it."""
    people = holders(position)
    met_requester = any(u.pk == requester_id for u in people)
    others = [u for u in people if u.pk != requester_id]
    for user in others:
        if user.is_available():
            return user, met_requester
    for user in others:
        delegate = user.delegate
        if delegate is not None and delegate.pk != requester_id and delegate.is_available():
            return user, met_requester
    return None, met_requester


def _walk_up(start: Position | None, requester_id: int | None, met_requester: bool = False) -> Resolution:
    seen: set[int] = set()
    position = start
    while position is not None and position.pk not in seen:
        seen.add(position.pk)
        if position.is_active:
            user, met = _pick(position, requester_id)
            if user is not None:
                return Resolution(user)
            met_requester = met_requester or met
        position = position.superior
    return Resolution(None, requester_is_top=met_requester)


def _head_post(department: Department | None) -> Position | None:
    """The head post of the department, or of the nearest ancestor that has one."""
    seen: set[int] = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        post = department.positions.filter(is_head=True, is_active=True).order_by("sort_order", "pk").first()
        if post is not None:
            return post
        department = department.parent
    return None


def resolve_step(step: Step, *, requester: User | None, department: Department | None) -> Resolution:
    """The person whose decision this step waits for (see the module doc)."""
    requester_id = requester.pk if requester is not None else None
    if step.kind == Step.Kind.SUPERIOR:
        own = primary_position(requester) if requester is not None else None
        if own is None:
            # No post (e.g. the system): the head of the department stands in for the superior.
            return _walk_up(_head_post(department), requester_id)
        return _walk_up(own.superior, requester_id, met_requester=own.superior is None)
    if step.kind == Step.Kind.DEPARTMENT_HEAD:
        return _walk_up(_head_post(department), requester_id)
    posts = list(
        Position.objects.filter(role__code=step.role_code, is_active=True)
        .select_related("department", "superior")
        .order_by("department__path", "sort_order", "pk")
    )
    met_requester = False
    for post in posts:
        user, met = _pick(post, requester_id)
        if user is not None:
            return Resolution(user)
        met_requester = met_requester or met
    if posts:
        return _walk_up(posts[0].superior, requester_id, met_requester=met_requester)
    return Resolution(None)
