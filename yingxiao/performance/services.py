"""Fines and rewards actions (DIS-1, DIS-2): record, approve through the director, confirm payment.

Amounts and windows are policy (``policy_value``), read when the action happens, never
hard-coded here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.services import approval_submit
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import Assignment, DataScope, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import holders, primary_department, primary_position

from . import errors
from .models import Reward, Violation

if TYPE_CHECKING:
    from yingxiao.approvals.models import Instance

VIOLATION_REQUEST = "violation"
REWARD_REQUEST = "reward"
HR_ROLE = "hr"
_RULE_ID = re.compile(r"^[A-Z]{2,4}-\d{1,3}$")
_CENT = Decimal("0.01")
# DIS-2 kinds whose amount is a policy number; the others are set when entered.
POLICY_REWARDS = {
    Reward.Kind.EXCELLENT_EMPLOYEE: "excellent_employee_reward",
    Reward.Kind.WHISTLEBLOW: "whistleblow_reward",
}


def _policy(name: str) -> Any:
    from yingxiao.policy.values import policy_value

    return policy_value(name)


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError(errors.BAD_AMOUNT, field="amount") from exc
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise BusinessError(errors.BAD_AMOUNT, field="amount")
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def _may_record_for(actor: User, person: User) -> None:
    """A head records for their department, the director for all; nobody for themselves."""
    if actor.pk == person.pk:
        raise BusinessError(errors.SELF_RECORD)
    if not actor.has_perm("performance.add_violation"):
        raise BusinessError(errors.NOT_YOUR_STAFF)
    scope = scope_for(actor)
    if scope.is_all:
        return
    department = primary_department(person)
    if scope.level == DataScope.DEPARTMENT and department is not None and department.pk in scope.department_ids:
        return
    raise BusinessError(errors.NOT_YOUR_STAFF)


def is_frontline(person: User) -> bool:
    """A frontline employee (一线员工): the roles they hold reach only their own records."""
    return scope_for(person).level == DataScope.OWN


def supervisor_of(person: User) -> User | None:
    """Who answers for ``person`` (DIS-1): a holder of the nearest superior post that is not vacant.

    Unlike approval routing, absence does not pass the fine on: the supervisor stays answerable.
    """
    position = primary_position(person)
    superior = position.superior if position else None
    seen: set[int] = set()
    while superior is not None and superior.pk not in seen:
        seen.add(superior.pk)
        for holder in holders(superior):
            if holder.pk != person.pk and holder.status != User.Status.LEFT and holder.is_active:
                return holder
        superior = superior.superior
    return None


def _link(violation: Violation) -> str:
    return reverse("performance:violations") + f"?person={violation.person_id}"


def violation_record(
    *,
    actor_or_system: User | None,
    person: User,
    rule_id: str,
    evidence: str,
    amount: Any,
    subject: models.Model | None = None,
    breach_key: str | None = None,
) -> Violation:
    """Record a breach of ``rule_id`` by ``person`` and send it to the director (DIS-1).

    ``actor_or_system`` is the head or director recording it, or ``None`` for the rule engine.
    A frontline employee's superior gets a linked violation at ``supervisor_multiple``× (乐捐加倍);
    one approval covers both. ``breach_key`` makes it idempotent: the same breach recorded again
    (a repeated or concurrent sweep) returns the existing violation and creates nothing.
    """
    actor = actor_or_system
    rule_id = (rule_id or "").strip()
    if not _RULE_ID.match(rule_id):
        raise BusinessError(errors.BAD_RULE, field="rule_id")
    evidence = (evidence or "").strip()
    if not evidence:
        raise BusinessError(errors.NO_EVIDENCE, field="evidence")
    value = _money(amount)
    if actor is not None:
        _may_record_for(actor, person)
    key = (breach_key or "").strip()[:240]
    if key:
        existing = Violation.objects.filter(breach_key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            violation = _create_pair(actor, person, rule_id, evidence, value, subject, key)
    except IntegrityError:
        if key:  # a concurrent sweep recorded the same breach first
            existing = Violation.objects.filter(breach_key=key).first()
            if existing is not None:
                return existing
        raise
    violation.refresh_from_db()
    return violation


def _create_pair(
    actor: User | None,
    person: User,
    rule_id: str,
    evidence: str,
    amount: Decimal,
    subject: models.Model | None,
    key: str,
) -> Violation:
    link = {}
    if subject is not None:
        link = {"content_type": ContentType.objects.get_for_model(subject), "object_id": subject.pk}
    violation = Violation.objects.create(
        person=person,
        department=primary_department(person),
        rule_id=rule_id,
        evidence=evidence,
        amount=amount,
        breach_key=key,
        recorded_by=actor,
        **link,
    )
    # rule: DIS-1 — for a frontline employee the direct superior is fined too, at the multiple.
    supervisor = supervisor_of(person) if is_frontline(person) else None
    if supervisor is not None:
        multiple = Decimal(str(_policy("supervisor_multiple")))
        Violation.objects.create(
            person=supervisor,
            department=primary_department(supervisor),
            rule_id=rule_id,
            kind=Violation.Kind.SUPERVISOR,
            origin=violation,
            evidence=str(format_lazy(_("Supervisor of {person}: {evidence}"), person=person, evidence=evidence)),
            amount=(amount * multiple).quantize(_CENT, rounding=ROUND_HALF_UP),
            breach_key=f"{key}#supervisor" if key else "",
            recorded_by=actor,
            **link,
        )
    # rule: DIS-1 — the marketing director approves before it counts.
    title = str(format_lazy(_("Violation {rule}: {person}, {amount}"), rule=rule_id, person=person, amount=amount))
    instance = approval_submit(
        actor=actor,
        request_type=VIOLATION_REQUEST,
        subject=violation,
        amount=amount,
        note=evidence,
        title=title,
        department=violation.department,
    )
    Violation.objects.filter(Q(pk=violation.pk) | Q(origin=violation)).update(approval=instance)
    return violation


# --- approval callbacks (run inside the deciding transaction) ---------------------------------
def _hr_people() -> list[User]:
    return [
        a.user
        for a in Assignment.objects.filter(
            ended_on__isnull=True, position__is_active=True, position__role__code=HR_ROLE, user__is_active=True
        ).select_related("user")
    ]


def _flag_repeat_offence(violation: Violation, now: dt.datetime) -> None:
    """DIS-1: ``repeat_offence_count`` own offences within ``repeat_offence_days`` go to HR."""
    window_start = now - dt.timedelta(days=int(_policy("repeat_offence_days")))
    count = Violation.objects.filter(
        person=violation.person_id,
        kind=Violation.Kind.OWN,
        status__in=[Violation.Status.APPROVED, Violation.Status.PAID],
        recorded_at__gte=window_start,
        recorded_at__lte=violation.recorded_at,
    ).count()
    if count < int(_policy("repeat_offence_count")):
        return
    Violation.objects.filter(pk=violation.pk).update(repeat_flagged=True)
    message = format_lazy(
        _("Repeat offence: {person} has {count} approved violations within {days} days (latest {rule})."),
        person=violation.person,
        count=count,
        days=_policy("repeat_offence_days"),
        rule=violation.rule_id,
    )
    link = _link(violation)
    recipients = _hr_people()

    def send() -> None:
        from yingxiao.core.notifications import notify

        for person in recipients:
            notify(person, message=message, link=link)

    transaction.on_commit(send)


def _subject_pk(instance: Instance) -> int:
    if instance.object_id is None:  # registered types always carry their record
        raise ValueError("approval without a subject")
    return int(instance.object_id)


def violation_on_approved(instance: Instance) -> None:
    """The director approved: the fine and the supervisor's share count, due in ``fine_pay_days``."""
    now = timezone.now()
    today = timezone.localdate(now)
    due = today + dt.timedelta(days=int(_policy("fine_pay_days")))
    rows = Violation.objects.filter(
        Q(pk=instance.object_id) | Q(origin_id=instance.object_id), status=Violation.Status.PROPOSED
    )
    rows.update(status=Violation.Status.APPROVED, approved_at=now, booked_on=today, due_on=due, approval=instance)
    primary = Violation.objects.select_related("person").get(pk=_subject_pk(instance))
    if primary.kind == Violation.Kind.OWN:
        _flag_repeat_offence(primary, now)
    for violation in Violation.objects.filter(Q(pk=primary.pk) | Q(origin=primary)).select_related("person"):
        _notify_person(violation, _("Fine approved: {rule}, {amount}, to be paid to finance by {due}."), due=due)


def violation_on_rejected(instance: Instance) -> None:
    Violation.objects.filter(
        Q(pk=instance.object_id) | Q(origin_id=instance.object_id), status=Violation.Status.PROPOSED
    ).update(status=Violation.Status.REJECTED, approval=instance)


def _notify_person(violation: Violation, template: Any, **extra: Any) -> None:
    message = format_lazy(template, rule=violation.rule_id, amount=violation.amount, **extra)
    person, link = violation.person, _link(violation)

    def send() -> None:
        from yingxiao.core.notifications import notify

        notify(person, message=message, link=link)

    transaction.on_commit(send)


def violation_mark_paid(*, actor: User, violation: Violation, paid_at: dt.datetime | None = None) -> Violation:
    """Finance confirms the fine was paid (DIS-1); nobody else can."""
    # Roles are data (ORG-5): whoever holds the permission is finance for this purpose.
    if not actor.has_perm("performance.confirm_payment_violation"):
        raise BusinessError(errors.FINANCE_ONLY)
    with transaction.atomic():
        updated = Violation.objects.filter(pk=violation.pk, status=Violation.Status.APPROVED).update(
            status=Violation.Status.PAID, paid_at=paid_at or timezone.now(), paid_confirmed_by=actor
        )
        if updated != 1:
            raise BusinessError(errors.NOT_PAYABLE)
    violation.refresh_from_db()
    return violation


# --- rewards (DIS-2) ----------------------------------------------------------------------------
def reward_record(
    *,
    actor: User,
    person: User,
    kind: str,
    reason: str,
    amount: Any = None,
    reported_violation: Violation | None = None,
) -> Reward:
    """Enter a reward; like a fine it goes to the director's approval before it counts (DIS-2)."""
    if kind not in Reward.Kind.values:
        raise BusinessError(errors.BAD_KIND, field="kind")
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(errors.NO_REASON, field="reason")
    if amount is None or amount == "":
        if kind not in POLICY_REWARDS:
            raise BusinessError(errors.BAD_AMOUNT, field="amount")
        amount = _policy(POLICY_REWARDS[Reward.Kind(kind)])
    value = _money(amount)
    _may_record_for(actor, person)
    with transaction.atomic():
        reward = Reward.objects.create(
            person=person,
            department=primary_department(person),
            kind=kind,
            amount=value,
            reason=reason,
            reported_violation=reported_violation,
            recorded_by=actor,
        )
        title = str(
            format_lazy(
                _("Reward: {person}, {kind}, {amount}"), person=person, kind=reward.get_kind_display(), amount=value
            )
        )
        instance = approval_submit(
            actor=actor,
            request_type=REWARD_REQUEST,
            subject=reward,
            amount=value,
            note=reason,
            title=title,
            department=reward.department,
        )
        Reward.objects.filter(pk=reward.pk).update(approval=instance)
    reward.refresh_from_db()
    return reward


def reward_on_approved(instance: Instance) -> None:
    now = timezone.now()
    Reward.objects.filter(pk=_subject_pk(instance), status=Reward.Status.PROPOSED).update(
        status=Reward.Status.APPROVED, approved_at=now, booked_on=timezone.localdate(now), approval=instance
    )


def reward_on_rejected(instance: Instance) -> None:
    Reward.objects.filter(pk=_subject_pk(instance), status=Reward.Status.PROPOSED).update(
        status=Reward.Status.REJECTED, approval=instance
    )
