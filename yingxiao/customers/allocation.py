"""Central allocation of unowned customers (公平公开平均分配, CUS-6).

rule: CUS-6 — archives entered centrally (outreach lists, purchased telesales lists) have no
owner; the department head allocates them evenly among chosen staff. Round-robin in a fixed
order (customers by id, staff by id), so the counts differ by at most one and the same input
always gives the same result; the ``Allocation`` and its lines record who got what, and every
customer's change of owner is logged in ``OwnershipChange`` under CUS-6.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department

from . import pool_errors as errors
from .models import Allocation, AllocationLine, Customer, OwnershipChange, PoolEntry

RULE_ID = "CUS-6"
ALLOCATE_PERMISSION = "customers.allocate_customer"


def can_allocate(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.has_perm(ALLOCATE_PERMISSION))


def allocatable_customers(actor: User) -> QuerySet[Customer]:
    """Unowned customers within the actor's scope that are not in the public pool, oldest first."""
    if not can_allocate(actor):
        return Customer.objects.none()
    in_pool = PoolEntry.objects.filter(customer=OuterRef("pk"), left_at__isnull=True)
    return (
        Customer.objects.restrict(actor, "change")
        .filter(owner__isnull=True, is_archived=False)
        .exclude(Exists(in_pool))
        .select_related("department")
        .order_by("pk")
    )


def allocatable_staff(actor: User) -> QuerySet[User]:
    """Active staff the actor may allocate to: everyone (all scope) or those in the actor's departments."""
    conditions: dict[str, Any] = {"assignments__ended_on__isnull": True, "assignments__is_primary": True}
    scope = scope_for(actor)
    if not scope.is_all:
        conditions["assignments__position__department_id__in"] = sorted(scope.department_ids)
    return User.objects.filter(is_active=True, **conditions).distinct().order_by("pk")


def allocation_run(
    *, actor: User, customers: Iterable[Customer | int] | QuerySet[Customer], staff: Iterable[User], note: str = ""
) -> Allocation:
    """Allocate ``customers`` (unowned, in scope) evenly among ``staff``; returns the recorded Allocation.

    Refused, nothing changed: no permission, no customers or staff, a staff member outside the
    actor's departments, a customer out of scope (404-like) or no longer unowned (someone else
    allocated or claimed it meanwhile: ``customers.already_owned``).
    """
    if not can_allocate(actor):
        raise BusinessError(errors.ALLOCATE_NOT_ALLOWED)
    people = sorted({user.pk: user for user in staff}.values(), key=lambda user: user.pk)
    if not people:
        raise BusinessError(errors.NO_STAFF, field="staff")
    allowed = set(allocatable_staff(actor).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    for person in people:
        if person.pk not in allowed:
            raise BusinessError(errors.STAFF_OUT_OF_SCOPE, field="staff", name=str(person))
    if isinstance(customers, QuerySet):
        ids = sorted(customers.values_list("pk", flat=True))
    else:
        ids = sorted({c.pk if isinstance(c, Customer) else int(c) for c in customers})
    if not ids:
        raise BusinessError(errors.NO_CUSTOMERS, field="customers")
    departments: dict[int, Department | None] = {p.pk: primary_department(p) for p in people}
    now = timezone.now()
    with transaction.atomic():
        # Lock in id order; every selected customer must still be unowned and outside the pool.
        locked = list(
            Customer.objects.restrict(actor, "change")
            .select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "owner_id", "department_id")
        )
        if len(locked) != len(ids):
            from yingxiao.core.errors import NOT_FOUND

            raise BusinessError(NOT_FOUND)
        in_pool = set(
            PoolEntry.objects.filter(customer_id__in=ids, left_at__isnull=True).values_list("customer_id", flat=True)
        )
        taken = [row for row in locked if row[1] is not None or row[0] in in_pool]
        if taken:
            raise BusinessError(errors.ALREADY_OWNED, count=len(taken))
        allocation = Allocation.objects.create(
            created_by=actor,
            created_at=now,
            note=(note or "").strip()[:300],
            customer_count=len(ids),
            staff_count=len(people),
        )
        per_person: dict[int, list[int]] = defaultdict(list)
        lines = []
        old_department = {row[0]: row[2] for row in locked}
        for position, pk in enumerate(ids):
            person = people[position % len(people)]  # rule: CUS-6 — round-robin: counts differ by ≤ 1
            per_person[person.pk].append(pk)
            lines.append(AllocationLine(allocation=allocation, customer_id=pk, staff=person, position=position))
        AllocationLine.objects.bulk_create(lines)
        for person in people:
            department = departments[person.pk]
            Customer.objects.filter(pk__in=per_person[person.pk], owner__isnull=True).update(
                owner=person, department=department
            )
        reason = gettext("Allocated by %(who)s (allocation #%(number)s)") % {"who": str(actor), "number": allocation.pk}
        OwnershipChange.objects.bulk_create(
            OwnershipChange(
                customer_id=line.customer_id,
                changed_at=now,
                changed_by=actor,
                old_owner=None,
                new_owner=line.staff,
                old_department_id=old_department[line.customer_id],
                new_department=departments[line.staff.pk],
                reason=reason[:300],
                rule_id=RULE_ID,
            )
            for line in lines
        )
        counts = {pk: len(items) for pk, items in per_person.items()}
        transaction.on_commit(lambda: _notify_allocated(actor, allocation, people, counts))
    return allocation


def _notify_allocated(actor: User, allocation: Allocation, people: list[User], counts: dict[int, int]) -> None:
    from yingxiao.core.notifications import notify

    for person in people:
        if counts.get(person.pk):
            message = format_lazy(
                _("{who} allocated {count} customers to you (CUS-6)."), who=str(actor), count=counts[person.pk]
            )
            notify(person, message=message, link=reverse("customers:list"), actor=actor)


def allocation_summary(allocation: Allocation) -> list[dict[str, Any]]:
    """Per staff member: how many customers the allocation gave them."""
    rows: dict[int, dict[str, Any]] = {}
    for line in allocation.lines.select_related("staff"):
        row = rows.setdefault(line.staff_id, {"staff": line.staff, "count": 0})
        row["count"] += 1
    return sorted(rows.values(), key=lambda row: row["staff"].pk)
