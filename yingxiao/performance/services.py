"""Fines and rewards actions (DIS-1, DIS-2): record, approve through the director, confirm payment.

Amounts and windows are policy (``policy_value``), read when the action happens, never
hard-coded here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.services import approval_submit
from yingxiao.core.errors import BusinessError
from yingxiao.core.sql import id_list
from yingxiao.org.models import Assignment, DataScope, Position, User
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


# --- many violations at once (rule sweeps) ------------------------------------------------------
@dataclass(frozen=True)
class Breach:
    """One breach for ``violation_record_many``: the same inputs as ``violation_record``'s."""

    person: User
    evidence: str
    amount: Any
    subject: models.Model | None = None
    breach_key: str = ""


class LedgerRow(NamedTuple):
    """One breach for ``violation_record_rows``: a ``Breach`` with its person and subject as ids
    (``subject_type_id``: the subject's ``ContentType`` id; it and ``object_id`` None for none)."""

    person_id: int
    evidence: str
    amount: Any
    breach_key: str = ""
    subject_type_id: int | None = None
    object_id: int | None = None


class _Post(NamedTuple):
    """What the ledger needs of a post: read as values, not as model instances (thousands per sweep)."""

    department_id: int | None
    superior_id: int | None


class _Answerable:
    """Who answers for whom, read for many people at once (the batch form of ``primary_position``,
    ``is_frontline`` and ``supervisor_of``): one query for the people's posts, one per superior post."""

    def __init__(self) -> None:
        self.positions: dict[int, _Post | None] = {}  # user id → primary position
        self.posts: dict[int, _Post] = {}
        self.holders: dict[int, list[User]] = {}
        self.scopes: dict[int, set[str]] = {}  # user id → the data scopes of their roles

    def load(self, user_ids: set[int]) -> None:
        missing = user_ids - set(self.positions)
        if not missing:
            return
        rows = (
            Assignment.objects.filter(
                user_id__in=id_list(sorted(missing)), ended_on__isnull=True, position__is_active=True
            )
            .order_by("user_id", "-is_primary", "position_id")  # as ``positions_of``: primary first, then by post
            .values_list(
                "user_id",
                "position_id",
                "position__department_id",
                "position__superior_id",
                "position__role__data_scope",
            )
        )
        for user_id, post_id, department_id, superior_id, data_scope in rows:
            post = self.posts.setdefault(post_id, _Post(department_id, superior_id))
            self.positions.setdefault(user_id, post)
            self.scopes.setdefault(user_id, set()).add(data_scope)
        for user_id in missing:
            self.positions.setdefault(user_id, None)
            self.scopes.setdefault(user_id, set())

    def frontline(self, person: User) -> bool:
        """``is_frontline(person)`` from the posts read once: every role the person holds reaches
        only their own records (what ``scope_for`` computes; a superuser sees all)."""
        if not person.is_active:
            return True  # an inactive user's scope is their own records
        if person.is_superuser:
            return False
        return self.scopes[person.pk] <= {DataScope.OWN}

    def department_id(self, user_id: int) -> int | None:
        position = self.positions[user_id]
        return position.department_id if position is not None else None

    def _read_posts(self, post_ids: set[int]) -> None:
        """The posts and their current holders (as ``holders``: primary first, then by start), one
        query each for all the posts not read yet."""
        missing = post_ids - set(self.posts)
        if missing:
            rows = Position.objects.filter(pk__in=sorted(missing)).values_list("pk", "department_id", "superior_id")
            self.posts.update({pk: _Post(department_id, superior_id) for pk, department_id, superior_id in rows})
        missing = post_ids - set(self.holders)
        if missing:
            for post_id in missing:
                self.holders[post_id] = []
            rows = (
                Assignment.objects.filter(position_id__in=missing, ended_on__isnull=True)
                .select_related("user")
                .order_by("position_id", "-is_primary", "started_on", "pk")
            )
            for assignment in rows:
                self.holders[assignment.position_id].append(assignment.user)

    def supervisors(self, people: list[User]) -> dict[int, User | None]:
        """``supervisor_of`` for each person (by id), walking up all their reporting lines at once:
        one read of posts and holders per level, not per person or per post."""
        found: dict[int, User | None] = {}
        walking: dict[int, tuple[int | None, set[int]]] = {}  # person id → (post to look at, posts seen)
        for person in people:
            position = self.positions[person.pk]
            walking.setdefault(person.pk, (position.superior_id if position is not None else None, set()))
        while walking:
            for person_id, (post_id, seen) in walking.items():
                if post_id is None or post_id in seen:
                    found[person_id] = None
            walking = {pk: step for pk, step in walking.items() if pk not in found}
            self._read_posts({post_id for post_id, _seen in walking.values() if post_id is not None})
            going_up: dict[int, tuple[int | None, set[int]]] = {}
            for person_id, (post_id, seen) in walking.items():
                if post_id is None:  # pragma: no cover - filtered out above
                    continue
                seen.add(post_id)
                for holder in self.holders[post_id]:
                    if holder.pk != person_id and holder.status != User.Status.LEFT and holder.is_active:
                        found[person_id] = holder
                        break
                else:
                    going_up[person_id] = (self.posts[post_id].superior_id, seen)
            walking = going_up
        return found

    def supervisor(self, person: User) -> User | None:
        """``supervisor_of(person)``, with the posts and their holders read once per batch."""
        return self.supervisors([person])[person.pk]


def violation_record_many(*, actor_or_system: User | None, rule_id: str, breaches: list[Breach]) -> list[Violation]:
    """``violation_record`` for many breaches of one rule at once, with the same records (DIS-1).

    Per breach: the violation, the frontline person's supervisor's linked violation at
    ``supervisor_multiple``× (乐捐加倍), one approval request for both with its signed submission entry
    (HR-8), the approver told after commit. Set-based: one read of the people's posts and one per
    level of their reporting lines, whatever the number of breaches; routing is resolved once per
    (department, amount); on PostgreSQL each table written by one ``INSERT … SELECT … FROM unnest``
    (``ledger_sql``), elsewhere by ``bulk_create``.
    A breach whose ``breach_key`` is recorded already returns the existing violation. Validation
    fails the whole batch before anything is written. A request the routing approves at once (no
    step applies) goes through ``approval_submit`` one by one so its callbacks run as usual.
    Returns the violations in the order of ``breaches``.
    """
    actor = actor_or_system
    rule_id = (rule_id or "").strip()
    if not _RULE_ID.match(rule_id):
        raise BusinessError(errors.BAD_RULE, field="rule_id")
    items: list[tuple[Breach, str, Decimal, str]] = []
    for breach in breaches:
        evidence = (breach.evidence or "").strip()
        if not evidence:
            raise BusinessError(errors.NO_EVIDENCE, field="evidence")
        items.append((breach, evidence, _money(breach.amount), (breach.breach_key or "").strip()[:240]))
    if actor is not None:
        checked: set[int] = set()
        for breach in breaches:
            if breach.person.pk not in checked:
                _may_record_for(actor, breach.person)
                checked.add(breach.person.pk)
    keys = [key for _b, _e, _v, key in items if key]
    # ``<> ''`` as the unique index's condition, so the index is used for however many keys
    recorded = Violation.objects.filter(breach_key__in=keys).exclude(breach_key="")
    by_key = {v.breach_key: v for v in recorded} if keys else {}
    fresh: list[int] = []  # indexes of the breaches to record (a key twice in the batch: once)
    claimed: set[str] = set()
    for index, (_b, _e, _v, key) in enumerate(items):
        if key and (key in by_key or key in claimed):
            continue
        if key:
            claimed.add(key)  # by this index; the others with the key get its violation
        fresh.append(index)
    try:
        with transaction.atomic():
            made = _create_many(actor, rule_id, [items[i] for i in fresh])
    except IntegrityError:
        # A concurrent sweep recorded some of them first: one by one, each returns what is there.
        return [
            violation_record(
                actor_or_system=actor,
                person=breach.person,
                rule_id=rule_id,
                evidence=evidence,
                amount=value,
                subject=breach.subject,
                breach_key=key,
            )
            for breach, evidence, value, key in items
        ]
    by_index = dict(zip(fresh, made, strict=True))
    for violation in made:
        if violation.breach_key:
            by_key[violation.breach_key] = violation
    return [by_key[key] if key else by_index[index] for index, (_b, _e, _v, key) in enumerate(items)]


def violation_record_rows(*, actor_or_system: User | None, rule_id: str, rows: list[LedgerRow]) -> list[int]:
    """``violation_record_many`` for breaches given by ids (``LedgerRow``), e.g. a rule sweep's rows
    read by SQL (``Rule.violation_sql``): the same records and validation, no model built per
    breach. Returns the own violations' ids in the order of ``rows`` (a breach key recorded
    already: the existing violation's). A concurrent writer that recorded one of the keys first
    makes it raise ``IntegrityError`` with nothing written: apply the breaches again (the engine
    then applies the batch through the rule's ``apply_batch``)."""
    actor = actor_or_system
    rule_id = (rule_id or "").strip()
    if not _RULE_ID.match(rule_id):
        raise BusinessError(errors.BAD_RULE, field="rule_id")
    valid: list[LedgerRow] = []
    amounts: dict[Any, Decimal] = {}  # ``_money`` once per distinct amount (a sweep's fine is one)
    for row in rows:
        evidence = (row.evidence or "").strip()
        if not evidence:
            raise BusinessError(errors.NO_EVIDENCE, field="evidence")
        amount = amounts.get(row.amount)
        if amount is None:
            amount = amounts[row.amount] = _money(row.amount)
        key = (row.breach_key or "").strip()[:240]
        valid.append(LedgerRow(row.person_id, evidence, amount, key, row.subject_type_id, row.object_id))
    persons = User.objects.in_bulk({row.person_id for row in valid})
    unknown = {row.person_id for row in valid} - set(persons)
    if unknown:
        raise ValueError(f"violation_record_rows: no such people {sorted(unknown)}")
    if actor is not None:
        for person in persons.values():
            _may_record_for(actor, person)
    keys = [row.breach_key for row in valid if row.breach_key]
    by_key: dict[str, int] = {}
    if keys and connection.vendor == "postgresql":
        from .ledger_sql import recorded_keys

        by_key = recorded_keys(keys)
    elif keys:  # ``<> ''`` as the unique index's condition, so the index is used for however many keys
        by_key = dict(
            Violation.objects.filter(breach_key__in=keys).exclude(breach_key="").values_list("breach_key", "pk")
        )
    fresh: list[int] = []  # indexes of the rows to record (a key twice in the rows: once)
    claimed: set[str] = set()
    for index, row in enumerate(valid):
        if row.breach_key and (row.breach_key in by_key or row.breach_key in claimed):
            continue
        if row.breach_key:
            claimed.add(row.breach_key)
        fresh.append(index)
    todo = [valid[i] for i in fresh]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            from .ledger_sql import write_rows

            made = write_rows(actor, rule_id, todo, persons).own_ids
        else:
            made = [v.pk for v in _create_many(actor, rule_id, _breach_items(todo, persons))]
    by_index = dict(zip(fresh, made, strict=True))
    for index, pk in by_index.items():
        if valid[index].breach_key:
            by_key[valid[index].breach_key] = pk
    return [by_key[row.breach_key] if row.breach_key else by_index[i] for i, row in enumerate(valid)]


def _breach_items(rows: list[LedgerRow], persons: dict[int, User]) -> list[tuple[Breach, str, Decimal, str]]:
    """The rows as ``_create_many``'s items, their subjects read once per content type."""
    subjects: dict[tuple[int, int], models.Model] = {}
    wanted: dict[int, set[int]] = {}
    for row in rows:
        if row.subject_type_id is not None and row.object_id is not None:
            wanted.setdefault(row.subject_type_id, set()).add(row.object_id)
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            subjects.update(((type_id, pk), obj) for pk, obj in model._default_manager.in_bulk(ids).items())
    return [
        (
            Breach(
                person=persons[row.person_id],
                evidence=row.evidence,
                amount=row.amount,
                subject=subjects.get((row.subject_type_id or 0, row.object_id or 0)),
                breach_key=row.breach_key,
            ),
            row.evidence,
            row.amount,
            row.breach_key,
        )
        for row in rows
    ]


def _create_many(actor: User | None, rule_id: str, items: list[tuple[Breach, str, Decimal, str]]) -> list[Violation]:
    """Insert the pairs and their approvals; the own violations, in the order of ``items``."""
    from yingxiao.approvals.models import Decision, Instance, Step, minute
    from yingxiao.approvals.registry import get_request_type
    from yingxiao.approvals.services import _advance, flow_for

    todo = items
    if not todo:
        return []
    if connection.vendor == "postgresql":  # the same records, set-based inside the database
        from .ledger_sql import create_many

        return create_many(actor, rule_id, todo)
    people = _Answerable()
    people.load({breach.person.pk for breach, *_rest in todo})
    multiple = Decimal(str(_policy("supervisor_multiple")))
    content_types: dict[type, ContentType] = {}
    owns: list[Violation] = []
    supervisors: list[tuple[Violation, User]] = []
    # rule: DIS-1 — for a frontline employee the direct superior is fined too, at the multiple.
    answerable = people.supervisors([breach.person for breach, *_rest in todo if people.frontline(breach.person)])
    for breach, evidence, value, key in todo:
        link: dict[str, Any] = {}
        if breach.subject is not None:
            model = type(breach.subject)
            if model not in content_types:
                content_types[model] = ContentType.objects.get_for_model(breach.subject)
            link = {"content_type": content_types[model], "object_id": breach.subject.pk}
        own = Violation(
            person=breach.person,
            department_id=people.department_id(breach.person.pk),
            rule_id=rule_id,
            evidence=evidence,
            amount=value,
            breach_key=key,
            recorded_by=actor,
            **link,
        )
        owns.append(own)
        supervisor = answerable.get(breach.person.pk)
        if supervisor is not None:
            supervisors.append((own, supervisor))
    Violation.objects.bulk_create(owns, batch_size=1000)
    people.load({supervisor.pk for _own, supervisor in supervisors})
    pairs: dict[int, list[Violation]] = {own.pk: [own] for own in owns}
    shares = []
    for own, supervisor in supervisors:
        share = Violation(
            person=supervisor,
            department_id=people.department_id(supervisor.pk),
            rule_id=rule_id,
            kind=Violation.Kind.SUPERVISOR,
            origin=own,
            evidence=str(
                format_lazy(_("Supervisor of {person}: {evidence}"), person=own.person, evidence=own.evidence)
            ),
            amount=(own.amount * multiple).quantize(_CENT, rounding=ROUND_HALF_UP),
            breach_key=f"{own.breach_key}#supervisor" if own.breach_key else "",
            recorded_by=actor,
            content_type=own.content_type,
            object_id=own.object_id,
        )
        shares.append(share)
        pairs[own.pk].append(share)
    Violation.objects.bulk_create(shares, batch_size=1000)
    _created_history([v.pk for v in owns + shares], actor)  # the rows ``create()`` writes one by one
    # rule: DIS-1 — the marketing director approves before it counts: one request per pair.
    request_type = get_request_type(VIOLATION_REQUEST)
    flow = flow_for(request_type)  # type: ignore[arg-type]
    violation_type = ContentType.objects.get_for_model(Violation)
    actor_department = primary_department(actor) if actor is not None else None
    routes: dict[tuple[Any, Decimal], tuple[Instance, list[Any]]] = {}
    instances: list[Instance] = []
    one_by_one: list[Violation] = []
    # Only superior / department-head steps route by department; role steps (the director) do not.
    by_department = any(kind != Step.Kind.ROLE for kind in flow.steps.values_list("kind", flat=True))
    for own in owns:
        department_id = own.department_id or (actor_department.pk if actor_department else None)
        route_key = (department_id if by_department else None, own.amount)
        if route_key not in routes:
            probe = Instance(flow=flow, requester=actor, department_id=department_id, amount=own.amount)
            routes[route_key] = (probe, _advance(probe, after=None))  # the routing, once per group
        route, skipped = routes[route_key]
        if route.status != Instance.Status.PENDING or skipped:
            one_by_one.append(own)  # approved at once, or steps skipped: the general path
            continue
        title = str(
            format_lazy(_("Violation {rule}: {person}, {amount}"), rule=rule_id, person=own.person, amount=own.amount)
        )
        instances.append(
            Instance(
                request_type=VIOLATION_REQUEST,
                flow=flow,
                title=title[:200],
                content_type=violation_type,
                object_id=own.pk,
                requester=actor,
                department_id=department_id,
                amount=own.amount,
                note=own.evidence,
                status=Instance.Status.PENDING,
                current_step=route.current_step,
                current_approver=route.current_approver,
            )
        )
    Instance.objects.bulk_create(instances, batch_size=1000)
    at = minute(timezone.now())
    decisions = []
    for instance in instances:
        decision = Decision(
            instance=instance, actor=actor, decision=Decision.Kind.SUBMIT, note=instance.note, decided_at=at
        )
        decision.signature = decision.compute_signature()
        decisions.append(decision)
    Decision.objects.bulk_create(decisions, batch_size=1000)
    # Each pair points at its request: one UPDATE reading the request of the pair's own violation.
    linked = [violation for instance in instances for violation in pairs[instance.object_id or 0]]
    request_of = Instance.objects.filter(
        request_type=VIOLATION_REQUEST,
        content_type=violation_type,
        object_id=Coalesce(OuterRef("origin_id"), OuterRef("pk")),
        status=Instance.Status.PENDING,
    )
    Violation.objects.filter(pk__in=[v.pk for v in linked]).update(
        approval_id=Subquery(request_of.order_by("-pk").values("pk")[:1])
    )
    for instance in instances:
        for violation in pairs[instance.object_id or 0]:
            violation.approval = instance
    _notify_approvers(instances, actor)
    for own in one_by_one:
        title = str(
            format_lazy(_("Violation {rule}: {person}, {amount}"), rule=rule_id, person=own.person, amount=own.amount)
        )
        instance = approval_submit(
            actor=actor,
            request_type=VIOLATION_REQUEST,
            subject=own,
            amount=own.amount,
            note=own.evidence,
            title=title,
            department=own.department,
        )
        Violation.objects.filter(Q(pk=own.pk) | Q(origin=own)).update(approval=instance)
        for violation in pairs[own.pk]:
            violation.refresh_from_db()
    return owns


def _created_history(pks: list[int], user: User | None) -> None:
    """The "+" history rows of violations just inserted, copied from them in one INSERT … SELECT per
    batch — what ``simple_history`` writes when each is created, without building a model per row."""
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = Violation.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(f.column) for f in history._meta.concrete_fields if not f.name.startswith("history_"))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Only the models' own table and column names are interpolated; every value is a parameter.
    head = (
        f"INSERT INTO {quote(history._meta.db_table)} ({tracked}, history_date, history_change_reason, "  # noqa: S608
        f"history_type, history_user_id) SELECT {tracked}, %s, NULL, '+', %s FROM {quote(Violation._meta.db_table)} "
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(head + "WHERE id = ANY(%s) ORDER BY id", [now, user.pk if user else None, pks])
            return
        for start in range(0, len(pks), 500):
            batch = pks[start : start + 500]
            where = f"WHERE id IN ({', '.join(['%s'] * len(batch))}) ORDER BY id"
            cursor.execute(head + where, [now, user.pk if user else None, *batch])


def _notify_approvers(instances: list[Any], actor: User | None) -> None:
    """What ``approval_submit`` tells the approver (and their delegate while away), for many
    requests in one insert after commit."""
    from yingxiao.core.models import Notification
    from yingxiao.core.notifications import _LINK_MAX, _render
    from yingxiao.core.tasks import send_notification_email

    messages = []
    for instance in instances:
        approver = instance.current_approver
        if approver is None:
            continue
        link = reverse("approvals:detail", args=[instance.pk])[:_LINK_MAX]
        messages.append((approver, format_lazy(_("Approval needed: {title}"), title=instance.title), link))
        if not approver.is_available() and approver.delegate is not None:
            on_behalf = format_lazy(
                _("Approval needed on behalf of {who}: {title}"), who=str(approver), title=instance.title
            )
            messages.append((approver.delegate, on_behalf, link))
    if not messages:
        return

    def send() -> None:
        rows = Notification.objects.bulk_create(
            [
                Notification(recipient=recipient, actor=actor, message=_render(message), link=link)
                for recipient, message, link in messages
                if recipient.is_active
            ],
            batch_size=1000,
        )
        for row in rows:
            if row.recipient.email:
                send_notification_email.enqueue(row.pk)

    transaction.on_commit(send)
