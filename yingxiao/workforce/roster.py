"""The duty roster (值班表, HR-10): posts, assignments, swaps approved by the head, unattended posts.

"上班时间不得出现空岗, 午餐期间设值班人员, 空岗一次罚款50元; 因工作原因不能在岗时, 必须找值班人员代替值班"
(seed 002 §17): every post — lunch duty included — has someone on it; a person who cannot be
there hands the duty to a colleague (a swap the department head approves); a post found empty
is reported by the head, the director or anyone holding the permission, and that report records
a violation on the rostered person citing HR-10 with the fine ``empty_post_fine``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_submit
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from . import errors
from .common import at_local, later, require_perm, subject_pk, text
from .models import DutyAssignment, DutyPost, DutySwap, UnattendedPost

SWAP_REQUEST = "duty_swap"
MAX_RANGE_DAYS = 62


def _manages(actor: User, department: Department) -> bool:
    """The actor plans this department's roster: management, or a head whose scope covers it."""
    scope = scope_for(actor)
    return scope.is_all or department.pk in scope.department_ids


def members(department: Department) -> QuerySet[User]:
    """Active people holding a post in ``department`` or below it."""
    return (
        User.objects.filter(
            is_active=True,
            assignments__ended_on__isnull=True,
            assignments__position__department__path__startswith=department.path,
        )
        .exclude(status=User.Status.LEFT)
        .distinct()
        .order_by("display_name", "username")
    )


def _is_member(person: User, department: Department) -> bool:
    return members(department).filter(pk=person.pk).exists()


def duty_post_create(
    *, actor: User, department: Department, kind: str, name: str, starts: dt.time, ends: dt.time
) -> DutyPost:
    """rule: HR-10 — a post to staff (lunch duty, front desk …) in a department the actor manages."""
    require_perm(actor, "workforce.add_dutypost")
    if kind not in DutyPost.Kind.values:
        raise BusinessError(errors.BAD_VALUE, field="kind", field_name="kind")
    name = text(name, "name", limit=100)
    if ends <= starts:
        raise BusinessError(errors.BAD_DATES, field="ends")
    if not _manages(actor, department):
        raise BusinessError(errors.NO_PERMISSION)
    return DutyPost.objects.create(department=department, kind=kind, name=name, starts=starts, ends=ends)


def duty_assign(*, actor: User, post: DutyPost, day: dt.date, person: User) -> DutyAssignment:
    """rule: HR-10 — put ``person`` (of the post's department) on ``post`` for ``day``; one per post and day."""
    require_perm(actor, "workforce.add_dutyassignment")
    if not _manages(actor, post.department):
        raise BusinessError(errors.NO_PERMISSION)
    if not post.is_active:
        raise BusinessError(errors.POST_INACTIVE, field="post")
    if day < timezone.localdate():
        raise BusinessError(errors.DUTY_PAST, field="day")
    if not _is_member(person, post.department):
        raise BusinessError(errors.NOT_IN_DEPARTMENT, field="person")
    try:
        with transaction.atomic():
            assignment = DutyAssignment.objects.create(
                post=post, department=post.department, day=day, person=person, assigned_by=actor
            )
    except IntegrityError as exc:
        raise BusinessError(errors.POST_TAKEN, field="day") from exc
    later(
        person,
        format_lazy(_("You are on duty: {post} on {day}."), post=post, day=day),
        reverse("workforce:roster"),
        actor,
    )
    return assignment


# rule: HR-10 — 因工作原因不能在岗时, 必须找值班人员代替值班: a swap the head approves.
def duty_swap_request(*, actor: User, assignment: DutyAssignment, substitute: User | None, reason: str) -> DutySwap:
    """rule: HR-10 — the person on duty hands it to a colleague; the department head approves."""
    require_perm(actor, "workforce.add_dutyswap")
    if assignment.person_id != actor.pk:
        raise BusinessError(errors.NOT_YOUR_DUTY)
    reason = text(reason, "reason")
    if assignment.status != DutyAssignment.Status.SCHEDULED or assignment.day < timezone.localdate():
        raise BusinessError(errors.DUTY_PAST)
    if (
        substitute is None
        or substitute.pk == actor.pk
        or not substitute.is_active
        or substitute.status == User.Status.LEFT
        or not _is_member(substitute, assignment.department)
    ):
        raise BusinessError(errors.BAD_SUBSTITUTE, field="substitute")
    with transaction.atomic():
        DutyAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if DutySwap.objects.filter(assignment=assignment, status=DutySwap.Status.PENDING).exists():
            raise BusinessError(errors.SWAP_PENDING)
        swap = DutySwap.objects.create(
            assignment=assignment,
            person=actor,
            department=assignment.department,
            substitute=substitute,
            reason=reason,
        )
        approval_submit(
            actor=actor,
            request_type=SWAP_REQUEST,
            subject=swap,
            note=reason,
            department=assignment.department,
            title=str(
                format_lazy(
                    _("Duty swap · {post} · {day} · {person} → {substitute}"),
                    post=assignment.post.name,
                    day=assignment.day,
                    person=actor,
                    substitute=substitute,
                )
            )[:200],
        )
    later(
        substitute, format_lazy(_("{person} asks you to take over a duty on {day}."), person=actor, day=assignment.day)
    )
    swap.refresh_from_db()
    return swap


def swap_on_approved(instance: Instance) -> None:
    """The head approved: the substitute is on duty now (the assignment's history keeps who was)."""
    swap = DutySwap.objects.select_for_update().select_related("assignment").get(pk=subject_pk(instance))
    if swap.status != DutySwap.Status.PENDING:
        return
    swap.status = DutySwap.Status.APPROVED
    swap.save(update_fields=["status"])
    changed = DutyAssignment.objects.filter(
        pk=swap.assignment_id, person=swap.person_id, status=DutyAssignment.Status.SCHEDULED
    ).update(person=swap.substitute_id)
    if changed:
        link = reverse("workforce:roster")
        later(swap.person, _("Your duty swap was approved."), link)
        later(
            swap.substitute,
            format_lazy(_("You are on duty: {post} on {day}."), post=swap.assignment.post, day=swap.assignment.day),
            link,
        )


def swap_on_rejected(instance: Instance) -> None:
    DutySwap.objects.filter(pk=subject_pk(instance), status=DutySwap.Status.PENDING).update(
        status=DutySwap.Status.REJECTED
    )


def duty_report_unattended(
    *, actor: User, assignment: DutyAssignment, note: str, found_at: dt.datetime | None = None
) -> UnattendedPost:
    """rule: HR-10 — an empty post reported during its duty is a violation of the rostered person."""
    from yingxiao.performance.services import violation_record

    require_perm(actor, "workforce.report_unattended_dutyassignment")
    if not DutyAssignment.objects.restrict(actor, "view").filter(pk=assignment.pk).exists():  # type: ignore[attr-defined]
        raise BusinessError(errors.NO_PERMISSION)
    if assignment.person_id == actor.pk:
        raise BusinessError(errors.NO_PERMISSION)
    note = text(note, "note")
    moment = found_at or timezone.now()
    post = assignment.post
    if moment > timezone.now() or not (
        at_local(assignment.day, post.starts) <= moment <= at_local(assignment.day, post.ends)
    ):
        raise BusinessError(errors.NOT_ON_DUTY_TIME, field="found_at")
    with transaction.atomic():
        locked = DutyAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status == DutyAssignment.Status.UNATTENDED:
            raise BusinessError(errors.ALREADY_REPORTED)
        if locked.status != DutyAssignment.Status.SCHEDULED:
            raise BusinessError(errors.DUTY_PAST)
        report = UnattendedPost.objects.create(
            assignment=locked,
            person=locked.person,
            department=locked.department,
            reported_by=actor,
            found_at=moment,
            note=note,
        )
        locked.status = DutyAssignment.Status.UNATTENDED
        locked.save(update_fields=["status"])
        evidence = str(
            format_lazy(
                _("Post {post} unattended on {day} at {time}, reported by {reporter}: {note}"),
                post=post,
                day=locked.day,
                time=f"{timezone.localtime(moment):%H:%M}",
                reporter=actor,
                note=note,
            )
        )
        # rule: HR-10 — an empty post is a violation of the rostered person.
        # Recorded by the system on the reporter's word: whoever holds the reporting permission
        # (a 5S inspector, say) may report a post without being able to fine people in general.
        violation_record(
            actor_or_system=None,
            person=locked.person,
            rule_id="HR-10",
            evidence=evidence,
            amount=policy_value("empty_post_fine"),
            subject=report,
            breach_key=f"HR-10:duty:{locked.pk}",
        )
    return report


@dataclass
class RosterGrid:
    """A department's roster for one week: a row per post, a cell per day."""

    department: Department
    days: list[dt.date]
    rows: list[tuple[DutyPost, list[DutyAssignment | None]]] = field(default_factory=list)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def roster_week(actor: User, department: Department, monday: dt.date) -> RosterGrid:
    """rule: HR-10 — the week grid of ``department`` as ``actor`` may see it (two queries)."""
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    grid = RosterGrid(department=department, days=days)
    visible = DutyAssignment.objects.restrict(actor, "view").filter(  # type: ignore[attr-defined]
        department=department, day__gte=days[0], day__lte=days[-1]
    )
    cells = {
        (a.post_id, a.day): a
        for a in visible.exclude(status=DutyAssignment.Status.CANCELLED).select_related("person", "post")
    }
    posts = DutyPost.objects.filter(department=department).filter(
        Q(is_active=True) | Q(pk__in=[post_id for post_id, _day in cells])
    )
    for post in posts:
        grid.rows.append((post, [cells.get((post.pk, day)) for day in days]))
    return grid


def assignments_between(actor: User, start: dt.date, end: dt.date) -> QuerySet[DutyAssignment]:
    """Assignments in scope between two dates; reversed or over-long ranges are refused."""
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise BusinessError(errors.BAD_RANGE, field="end", days=MAX_RANGE_DAYS)
    return DutyAssignment.objects.restrict(actor, "view").filter(day__gte=start, day__lte=end)  # type: ignore[attr-defined]


def default_department(actor: User) -> Department | None:
    return primary_department(actor)
