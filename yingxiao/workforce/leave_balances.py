"""Leave balances per person (HR-5): annual-leave entitlements kept by HR, and what each person in
the viewer's scope is entitled to, has taken, has asked for and has left, with the other kinds
of leave taken in the year beside them.

An entitlement is set per person and year (``leave_entitlement_set``) or granted to everyone in
scope who has none for the year yet (``leave_entitlements_grant``), each with its history row
(who, when, the reason). A leave counts in the year of its first day, as ``leave.annual_balance``
and the request's balance check count it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User
from yingxiao.org.selectors import primary_department_ids

from . import errors
from .common import require_perm
from .leave import annual_balance, days_used
from .models import Leave, LeaveEntitlement
from .selectors import visible_people

ENTITLEMENT_PERM = "workforce.change_leaveentitlement"
MAX_ENTITLED_DAYS = Decimal(366)
_STEP = Decimal("0.5")  # half days: what a leave request can count
FIRST_YEAR, LAST_YEAR = 2000, 2100
ZERO = Decimal(0)


def parse_year(raw: Any, default: int) -> int:
    """A year from a query string; ``default`` when missing or out of range."""
    try:
        year = int(str(raw))
    except (TypeError, ValueError):
        return default
    return year if FIRST_YEAR <= year <= LAST_YEAR else default


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BusinessError(errors.BAD_YEAR, field="year", first=FIRST_YEAR, last=LAST_YEAR)
    return year


def _days(value: Any) -> Decimal:
    try:
        days = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        days = Decimal(-1)
    if not days.is_finite() or not ZERO <= days <= MAX_ENTITLED_DAYS or days % _STEP:
        raise BusinessError(errors.BAD_ENTITLEMENT, field="days", most=MAX_ENTITLED_DAYS)
    return days.quantize(Decimal("0.1"))


def leave_balances(actor: User, year: int, people: Sequence[User]) -> list[dict[str, Any]]:
    """rule: HR-5 — a row per person of ``people`` whom ``actor`` may see (ORG-5): annual leave
    entitled / taken (approved) / pending / remaining, and the approved days of every other kind."""
    visible = set(visible_people(actor).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    people = [person for person in people if person.pk in visible]
    ids = [person.pk for person in people]
    entitled = dict(
        LeaveEntitlement.objects.filter(person_id__in=ids, year=year).values_list("person_id", "annual_days")
    )
    used = days_used(ids, year)
    other_kinds = [kind for kind in Leave.Kind if kind != Leave.Kind.ANNUAL]
    rows = []
    for person in people:
        days = used.get(person.pk, {})
        taken = days.get((Leave.Kind.ANNUAL, Leave.Status.APPROVED), ZERO)
        pending = days.get((Leave.Kind.ANNUAL, Leave.Status.PENDING), ZERO)
        allowed = entitled.get(person.pk)
        rows.append(
            {
                "person": person,
                "has_entitlement": allowed is not None,
                "entitled": allowed or ZERO,
                "taken": taken,
                "pending": pending,
                "remaining": (allowed or ZERO) - taken - pending,
                "other": [(kind, days.get((kind, Leave.Status.APPROVED), ZERO)) for kind in other_kinds],
            }
        )
    return rows


def _require_in_scope(actor: User, person: User) -> None:
    if not visible_people(actor).filter(pk=person.pk).exists():
        raise BusinessError(errors.NO_PERMISSION)


# rule: HR-5 — HR keeps each person's annual-leave entitlement; it never drops below what is used.
def leave_entitlement_set(*, actor: User, person: User, year: Any, days: Any) -> LeaveEntitlement:
    """Set ``person``'s annual-leave days for ``year`` (created or changed, with its history row)."""
    require_perm(actor, ENTITLEMENT_PERM)
    _require_in_scope(actor, person)
    year, days = _year(year), _days(days)
    with transaction.atomic():
        # The person's row is the lock: a leave request of theirs checks the balance under the same one.
        User.objects.select_for_update().filter(pk=person.pk).first()
        balance = annual_balance(person, year)
        committed = balance["taken"] + balance["pending"]
        if days < committed:
            raise BusinessError(errors.ENTITLEMENT_BELOW_USED, field="days", used=committed)
        entitlement = LeaveEntitlement.objects.filter(person=person, year=year).first()
        if entitlement is None:
            entitlement = LeaveEntitlement(person=person, year=year)
        elif entitlement.annual_days == days:
            return entitlement
        entitlement.annual_days = days
        entitlement.department_id = primary_department_ids([person.pk]).get(person.pk)
        entitlement._history_user = actor  # type: ignore[attr-defined]
        entitlement._change_reason = _("Set by HR")  # type: ignore[attr-defined]
        entitlement.save()
    return entitlement


def leave_entitlements_grant(*, actor: User, year: Any, days: Any, people: QuerySet[User]) -> int:
    """Give ``days`` of annual leave in ``year`` to each of ``people`` in the actor's scope who has
    no entitlement for that year yet (existing ones are kept); how many were granted."""
    require_perm(actor, ENTITLEMENT_PERM)
    year, days = _year(year), _days(days)
    with transaction.atomic():
        ids = list(
            visible_people(actor)
            .filter(pk__in=people.values("pk"))
            .exclude(pk__in=LeaveEntitlement.objects.filter(year=year).values("person_id"))
            .values_list("pk", flat=True)
        )
        departments = primary_department_ids(ids)
        try:
            with transaction.atomic():
                created = bulk_create_with_history(
                    [
                        LeaveEntitlement(person_id=pk, year=year, annual_days=days, department_id=departments.get(pk))
                        for pk in ids
                    ],
                    LeaveEntitlement,
                    batch_size=1000,
                    default_user=actor,
                    default_change_reason=_("Granted to everyone without an entitlement"),
                )
        except IntegrityError as exc:  # someone set one of them meanwhile: nothing granted, try again
            raise BusinessError(errors.ENTITLEMENTS_CHANGED) from exc
    return len(created)


def current_year() -> int:
    return timezone.localdate().year
