"""Targets (PLN-1…PLN-3): plans, decomposition, roll-up consistency, reallocation, plan vs actual.

Decomposition: each node is split either by period (a year into quarters or months, a quarter
into its months — same unit) or by unit (a department into its sub-departments, offices and
people — same period). A parent whose parts do not add up must carry an explanation of exactly
that difference, or the plan cannot be published; after publication amounts change only by a
reallocation with a reason, which keeps every touched level consistent (or explained).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import Assignment, Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import heads_of, primary_department
from yingxiao.policy.values import policy_value

from . import errors
from .actuals import Actual, UnitScope, actual_for
from .common import money, require_perm, text, year_value
from .models import CorrectiveAction, Metric, PeriodKind, Reallocation, Target, TargetPlan, period_bounds

_FINER = {PeriodKind.YEAR: (PeriodKind.QUARTER, PeriodKind.MONTH), PeriodKind.QUARTER: (PeriodKind.MONTH,)}
HUNDRED = Decimal(100)


def _changeable(actor: User, target: Target) -> Target:
    """The target if the actor may change it: all for an all-scope role, else within their department subtree.

    A person never changes their own target (ORG-5 "own" scope reads it, heads and directors set it).
    """
    scope = scope_for(actor)
    qs = Target.objects.select_related("plan", "department", "person").filter(pk=target.pk)
    if not scope.is_all:
        qs = qs.filter(department_id__in=sorted(scope.department_ids))
    found = qs.first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def _department_in_scope(actor: User, department: Department) -> bool:
    scope = scope_for(actor)
    return scope.is_all or department.pk in scope.department_ids


# --- plans ------------------------------------------------------------------------------------
def plan_create(
    *, actor: User, year: Any, metric: str, department: Department, amount: Any, name: str = ""
) -> TargetPlan:
    """rule: PLN-1 — an annual plan of one metric for a department, with its annual target as the root."""
    require_perm(actor, "planning.add_targetplan")
    year = year_value(year)
    if metric not in Metric.values:
        raise BusinessError(errors.BAD_METRIC, field="metric")
    value = money(amount)
    name = text(name, "name", required=False, limit=100)
    if not _department_in_scope(actor, department):
        raise BusinessError(NOT_FOUND, field="department")
    try:
        with transaction.atomic():
            plan = TargetPlan.objects.create(
                year=year, metric=metric, department=department, name=name, created_by=actor
            )
            Target.objects.create(plan=plan, department=department, amount=value)
    except IntegrityError as exc:
        raise BusinessError(errors.DUPLICATE_PLAN) from exc
    return plan


def _period(kind: Any, index: Any) -> tuple[str, int]:
    if kind not in PeriodKind.values:
        raise BusinessError(errors.BAD_PERIOD, field="period_kind")
    if kind == PeriodKind.YEAR:
        return kind, 0
    try:
        number = int(index)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_PERIOD, field="period_index") from exc
    if not 1 <= number <= (4 if kind == PeriodKind.QUARTER else 12):
        raise BusinessError(errors.BAD_PERIOD, field="period_index")
    return kind, number


def _person_department(person: User, within: Department) -> Department | None:
    """The department of ``person`` inside ``within``'s subtree (their primary post first)."""
    primary = primary_department(person)
    if primary is not None and primary.path.startswith(within.path):
        return primary
    assignment = (
        Assignment.objects.filter(
            user=person, ended_on__isnull=True, position__department__path__startswith=within.path
        )
        .select_related("position__department")
        .first()
    )
    return assignment.position.department if assignment else None


def target_add_child(
    *,
    actor: User,
    parent: Target,
    amount: Any,
    period_kind: str | None = None,
    period_index: Any = None,
    department: Department | None = None,
    person: User | None = None,
) -> Target:
    """rule: PLN-1, PLN-2 — split a target by period (quarter, month) or by unit (department, office, person)."""
    require_perm(actor, "planning.change_target")
    parent = _changeable(actor, parent)
    if not parent.plan.is_draft:
        raise BusinessError(errors.NOT_DRAFT)
    value = money(amount)
    if department is None and person is None:  # a split by period
        kind, index = _period(period_kind, period_index)
        if kind not in _FINER.get(PeriodKind(parent.period_kind), ()):
            raise BusinessError(errors.BAD_CHILD_PERIOD, field="period_kind")
        first, last = period_bounds(parent.plan.year, kind, index)
        parent_first, parent_last = parent.bounds()
        if first < parent_first or last > parent_last:
            raise BusinessError(errors.BAD_CHILD_PERIOD, field="period_index")
        split, child_department, child_person = "period", parent.department, parent.person
    else:  # rule: PLN-2 — department, office and personal targets inside the parent's department
        kind, index = parent.period_kind, parent.period_index
        if parent.person_id is not None or (department is not None and person is not None):
            raise BusinessError(errors.BAD_CHILD_UNIT, field="department")
        if person is not None:
            child_department = _person_department(person, parent.department)
            if child_department is None or not person.is_active:
                raise BusinessError(errors.BAD_CHILD_UNIT, field="person")
            child_person: User | None = person
        else:
            assert department is not None
            if department.pk == parent.department_id or not department.path.startswith(parent.department.path):
                raise BusinessError(errors.BAD_CHILD_UNIT, field="department")
            child_department, child_person = department, None
        split = "unit"
    with transaction.atomic():
        Target.objects.select_for_update().filter(pk=parent.pk).first()  # one split at a time per parent
        siblings = list(parent.children.all())
        for sibling in siblings:
            sibling_split = "period" if sibling.period_kind != parent.period_kind else "unit"
            if sibling_split != split:
                raise BusinessError(errors.MIXED_SPLIT)
            if (sibling.period_kind, sibling.period_index, sibling.department_id, sibling.person_id) == (
                kind,
                index,
                child_department.pk,
                child_person.pk if child_person else None,
            ):
                raise BusinessError(errors.DUPLICATE_CHILD)
        return Target.objects.create(
            plan=parent.plan,
            parent=parent,
            period_kind=kind,
            period_index=index,
            department=child_department,
            person=child_person,
            amount=value,
        )


def target_set_amount(*, actor: User, target: Target, amount: Any) -> Target:
    """Change a target of a draft plan (a published one is changed by reallocation)."""
    require_perm(actor, "planning.change_target")
    target = _changeable(actor, target)
    if not target.plan.is_draft:
        raise BusinessError(errors.NOT_DRAFT)
    target.amount = money(amount)
    target.save(update_fields=["amount"])
    return target


# --- roll-up ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RollUp:
    """A parent and its parts: the difference, and whether it is explained (PLN-1)."""

    target: Target
    parts: Decimal
    difference: Decimal  # parts - target

    @property
    def explained(self) -> bool:
        return self.difference == 0 or (
            bool(self.target.difference_note.strip()) and self.target.explained_difference == self.difference
        )


def roll_up(targets: list[Target]) -> dict[int, RollUp]:
    """For each target with parts among ``targets``' plan: the sum of its parts and the difference."""
    if not targets:
        return {}
    plan_ids = {t.plan_id for t in targets}
    sums = {
        row["parent"]: row["total"] or Decimal(0)
        for row in Target.objects.filter(plan_id__in=plan_ids, parent__isnull=False)
        .values("parent")
        .annotate(total=Sum("amount"))
    }
    return {t.pk: RollUp(target=t, parts=sums[t.pk], difference=sums[t.pk] - t.amount) for t in targets if t.pk in sums}


def unexplained(plan: TargetPlan, only: set[int] | None = None) -> list[RollUp]:
    """rule: PLN-1 — parents whose parts do not add up and carry no explanation of that difference."""
    targets = list(plan.targets.select_related("department", "person", "plan"))
    if only is not None:
        targets = [t for t in targets if t.pk in only]
    return [row for row in roll_up(targets).values() if not row.explained]


def target_explain(*, actor: User, target: Target, note: str) -> Target:
    """rule: PLN-1 — explain why a target's parts differ from it (the explanation covers that exact difference)."""
    require_perm(actor, "planning.change_target")
    target = _changeable(actor, target)
    note = text(note, "note")
    row = roll_up([target]).get(target.pk)
    if row is None or row.difference == 0:
        raise BusinessError(errors.NOTHING_TO_EXPLAIN)
    target.difference_note = note
    target.explained_difference = row.difference
    target.save(update_fields=["difference_note", "explained_difference"])
    return target


def _labels(rows: list[RollUp]) -> str:
    return "；".join(f"{r.target.unit_label} {r.target.period_label} ({r.difference:+})" for r in rows[:10])


def plan_publish(*, actor: User, plan: TargetPlan) -> TargetPlan:
    """rule: PLN-1 — publish a plan only when every level adds up or its difference is explained."""
    require_perm(actor, "planning.publish_targetplan")
    if not TargetPlan.objects.restrict(actor, "view").filter(pk=plan.pk).exists():
        raise BusinessError(NOT_FOUND)
    with transaction.atomic():
        locked = TargetPlan.objects.select_for_update().get(pk=plan.pk)
        if not locked.is_draft:
            raise BusinessError(errors.NOT_DRAFT)
        rows = unexplained(locked)
        # rule: PLN-1 — parts that do not add up, unexplained, keep the plan from being published.
        if rows:
            raise BusinessError(errors.UNEXPLAINED, nodes=_labels(rows))
        locked.status = TargetPlan.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
    return locked


# --- reallocation -----------------------------------------------------------------------------
def target_reallocate(*, actor: User, changes: dict[Target, Any], reason: str) -> list[Reallocation]:
    """rule: PLN-1 — re-allocate published targets: audited (who, when, old → new, why), levels stay consistent."""
    require_perm(actor, "planning.change_target")
    reason = text(reason, "reason") if str(reason or "").strip() else ""
    if not reason:
        raise BusinessError(errors.REASON_REQUIRED, field="reason")
    if not changes:
        raise BusinessError(errors.NO_CHANGE)
    wanted = {_changeable(actor, target).pk: money(amount) for target, amount in changes.items()}
    batch = uuid.uuid4()
    with transaction.atomic():
        locked = list(Target.objects.select_for_update().filter(pk__in=sorted(wanted)).order_by("pk"))
        plans = {t.plan_id for t in locked}
        if len(plans) != 1:
            raise BusinessError(errors.BAD_VALUE, field="changes", field_name="changes")
        plan = TargetPlan.objects.get(pk=plans.pop())
        if plan.is_draft:
            raise BusinessError(errors.NOT_PUBLISHED)
        records = []
        touched: set[int] = set()
        for target in locked:
            new = wanted[target.pk]
            if new == target.amount:
                continue
            records.append(
                Reallocation(
                    target=target,
                    batch=batch,
                    old_amount=target.amount,
                    new_amount=new,
                    reason=reason,
                    actor=actor,
                    department_id=target.department_id,
                    person_id=target.person_id,
                )
            )
            target.amount = new
            target.save(update_fields=["amount"])
            touched.add(target.pk)
            if target.parent_id:
                touched.add(target.parent_id)
        if not records:
            raise BusinessError(errors.NO_CHANGE)
        rows = unexplained(plan, only=touched)
        if rows:  # nothing is changed: the atomic block rolls back
            raise BusinessError(errors.UNEXPLAINED, nodes=_labels(rows))
        # rule: PLN-1 — every reallocation is recorded: who, when, old → new, why.
        Reallocation.objects.bulk_create(records)
    return records


# --- plan vs actual ---------------------------------------------------------------------------
def unit_scope(target: Target) -> UnitScope:
    if target.person_id is not None:
        return UnitScope(person_id=target.person_id)
    return UnitScope(department_id=target.department_id)


def target_actual(target: Target, viewer: Any = None) -> Actual:
    return actual_for(target.plan.metric, unit_scope(target), target.bounds(), viewer)


@dataclass(frozen=True)
class Progress:
    """One row of plan vs actual (PLN-3)."""

    target: Target
    actual: Decimal | None
    ended: bool

    @property
    def rate(self) -> Decimal | None:
        if self.actual is None or not self.target.amount:
            return None
        return (self.actual * HUNDRED / self.target.amount).quantize(Decimal("0.1"))

    @property
    def gap(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.target.amount


def is_behind(planned: Decimal, actual: Decimal | None, threshold_pct: Decimal) -> bool:
    """rule: PLN-3 — behind plan by more than the threshold (a share of the target)."""
    # rule: PLN-3 — the threshold is policy (plan_behind_threshold), a share of the target.
    if actual is None or planned <= 0:
        return False
    return (planned - actual) * HUNDRED > planned * threshold_pct


def plan_vs_actual(*, viewer: User, plan: TargetPlan, today: dt.date | None = None) -> list[Progress]:
    """The viewer's targets of ``plan`` with their actuals, counted within the viewer's scope (ORG-5)."""
    today = today or timezone.localdate()
    targets = list(
        Target.objects.restrict(viewer, "view")
        .filter(plan=plan)
        .select_related("plan", "department", "person", "corrective_action")
        .order_by("period_kind", "period_index", "department__path", "person_id", "pk")
    )
    rows = []
    for target in targets:
        actual = target_actual(target, viewer).value
        rows.append(Progress(target=target, actual=actual, ended=target.bounds()[1] < today))
    return rows


def responsible_for(target: Target) -> User | None:
    """Who answers for a target: the person, else the head of its department."""
    if target.person_id is not None:
        return target.person
    heads = heads_of(target.department)
    return heads[0] if heads else None


def corrective_action_require(target: Target, actual: Decimal, as_of: dt.datetime) -> CorrectiveAction | None:
    """rule: PLN-3 — open the corrective action of a target found behind plan (once per target)."""
    due = target.bounds()[1] + dt.timedelta(days=int(policy_value("corrective_action_days", at=as_of)))
    owner = responsible_for(target)
    action, created = CorrectiveAction.objects.get_or_create(
        target=target,
        defaults={
            "owner": owner,
            "department": target.department,
            "planned": target.amount,
            "actual": actual,
            "due_date": due,
        },
    )
    return action if created else None


def corrective_action_submit(
    *, actor: User, action: CorrectiveAction, analysis: str, measures: str
) -> CorrectiveAction:
    """rule: PLN-3 — the analysis of the gap and the corrective measures, before the deadline or late."""
    require_perm(actor, "planning.add_correctiveaction")
    if not CorrectiveAction.objects.restrict(actor, "view").filter(pk=action.pk).exists():
        raise BusinessError(NOT_FOUND)
    analysis = text(analysis, "analysis")
    measures = text(measures, "action")
    with transaction.atomic():
        locked = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
        if locked.status != CorrectiveAction.Status.REQUIRED:
            raise BusinessError(errors.ALREADY_DONE)
        locked.analysis = analysis
        locked.action = measures
        locked.status = CorrectiveAction.Status.SUBMITTED
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["analysis", "action", "status", "submitted_by", "submitted_at"])
    return locked


def tree(targets: list[Target]) -> list[tuple[Target, int]]:
    """The visible targets in tree order with their depth (a hidden parent makes its child a root)."""
    by_parent: dict[int | None, list[Target]] = defaultdict(list)
    ids = {t.pk for t in targets}
    for t in targets:
        by_parent[t.parent_id if t.parent_id in ids else None].append(t)
    result: list[tuple[Target, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in by_parent.get(parent, []):
            result.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return result
