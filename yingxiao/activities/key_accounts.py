"""Key accounts (大客户 / 核心客户, CUS-14): designation, management visits due, compliance.

A key account must be visited in person (visit or home visit) by the sales director, a core
account by the general manager or the chairman, at least every ``key_account_visit_days`` days
after the last such visit (or after its designation). A visit counts when its staff held one of
those roles on the day of the visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from yingxiao.core.errors import NOT_FOUND, PERMISSION_DENIED, BusinessError
from yingxiao.customers.models import Customer
from yingxiao.org.models import Assignment, User
from yingxiao.policy.values import policy_value

from . import errors
from .models import Activity, KeyAccount
from .return_visits import day_start

if TYPE_CHECKING:
    from collections.abc import Iterable

# rule: CUS-14 — who must visit each level (role codes of the org chart), and what a visit is.
VISITOR_ROLES: dict[str, tuple[str, ...]] = {
    KeyAccount.Level.KEY: ("sales_director",),
    KeyAccount.Level.CORE: ("general_manager", "chairman"),
}
VISIT_KINDS = (Activity.Kind.VISIT, Activity.Kind.HOME_VISIT)


def _last_visit_by(roles: tuple[str, ...]) -> Subquery:
    visit_day = OuterRef("visit_day")
    held_role = Assignment.objects.filter(
        user=OuterRef("staff"), position__role__code__in=roles, started_on__lte=visit_day
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=visit_day))
    visits = (
        Activity.objects.filter(customer=OuterRef("customer"), kind__in=VISIT_KINDS)
        .annotate(visit_day=TruncDate("occurred_at"))
        .filter(Exists(held_role))
        .order_by("-occurred_at")
    )
    return Subquery(visits.values("occurred_at")[:1])


def with_visit_due(accounts: QuerySet[KeyAccount]) -> QuerySet[KeyAccount]:
    """Active accounts annotated with ``last_visit`` (by the right role) and ``visit_anchor``."""
    return (
        accounts.filter(is_active=True)
        .annotate(
            last_visit=Case(
                When(level=KeyAccount.Level.KEY, then=_last_visit_by(VISITOR_ROLES[KeyAccount.Level.KEY])),
                default=_last_visit_by(VISITOR_ROLES[KeyAccount.Level.CORE]),
            )
        )
        .annotate(visit_anchor=Coalesce(F("last_visit"), F("designated_at")))
    )


def due_by(accounts: QuerySet[KeyAccount], *, days: int, day: dt.date) -> QuerySet[KeyAccount]:
    """Accounts (from ``with_visit_due``) whose visit is due on or before ``day``."""
    return accounts.filter(visit_anchor__lt=day_start(day - dt.timedelta(days=days - 1)))


def role_holders() -> dict[str, list[int]]:
    """Current, available holders of each visitor role, by level."""
    today = timezone.localdate()
    rows = (
        Assignment.objects.filter(
            ended_on__isnull=True,
            position__is_active=True,
            user__is_active=True,
            position__role__code__in=[code for codes in VISITOR_ROLES.values() for code in codes],
        )
        .filter(Q(user__status=User.Status.ACTIVE) | Q(user__status=User.Status.ABSENT, user__absent_until__lt=today))
        .order_by("user_id")
        .values_list("position__role__code", "user_id")
        .distinct()
    )
    by_level: dict[str, list[int]] = {level: [] for level in VISITOR_ROLES}
    for code, user_id in rows:
        for level, codes in VISITOR_ROLES.items():
            if code in codes and user_id not in by_level[level]:
                by_level[level].append(user_id)
    return by_level


@dataclass(frozen=True)
class ComplianceRow:
    account: KeyAccount
    due: dt.date
    status: str  # "ok", "due_soon", "overdue"

    @property
    def days_left(self) -> int:
        return (self.due - timezone.localdate()).days


@dataclass
class Compliance:
    rows: list[ComplianceRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def compliant(self) -> int:
        return sum(1 for row in self.rows if row.status != "overdue")

    @property
    def percent(self) -> Decimal | None:
        if not self.rows:
            return None
        return (Decimal(self.compliant * 100) / Decimal(self.total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def key_accounts_visible_to(actor: User) -> QuerySet[KeyAccount]:
    return KeyAccount.objects.restrict(actor, "view").select_related("customer", "customer__owner", "designated_by")


def key_account_compliance(actor: User, *, today: dt.date | None = None) -> Compliance:
    """Every active key account in the actor's scope with its visit due date and status (measured)."""
    # rule: CUS-14 — measured.
    today = today or timezone.localdate()
    days = int(policy_value("key_account_visit_days"))
    lead = int(policy_value("key_account_lead_days"))
    accounts: Iterable[KeyAccount] = with_visit_due(key_accounts_visible_to(actor)).order_by("visit_anchor", "pk")
    rows = []
    for account in accounts:
        due = timezone.localdate(account.visit_anchor) + dt.timedelta(days=days)  # type: ignore[attr-defined]
        status = "overdue" if due < today else "due_soon" if due <= today + dt.timedelta(days=lead) else "ok"
        rows.append(ComplianceRow(account, due, status))
    return Compliance(rows)


def key_account_designate(*, actor: User, customer: Customer | int, level: str, note: str = "") -> KeyAccount:
    """Designate a customer in the actor's scope as a key or core account (or change a past designation)."""
    # rule: CUS-14
    if not actor.has_perm("activities.add_keyaccount"):
        raise BusinessError(PERMISSION_DENIED)
    if level not in KeyAccount.Level.values:
        raise BusinessError(errors.KEY_ACCOUNT_BAD_LEVEL, field="level", level=level)
    pk = customer.pk if isinstance(customer, Customer) else customer
    target = Customer.objects.restrict(actor, "view").filter(pk=pk).first() if pk is not None else None
    if target is None:
        raise BusinessError(NOT_FOUND, field="customer")
    try:
        with transaction.atomic():
            account = KeyAccount.objects.select_for_update().filter(customer=target).first()
            if account is not None and account.is_active:
                raise BusinessError(errors.KEY_ACCOUNT_EXISTS, field="customer")
            account = account or KeyAccount(customer=target)
            account.level = level
            account.is_active = True
            account.designated_by = actor
            account.designated_at = timezone.now()
            account.note = str(note or "").strip()[:500]
            account._history_user = actor  # type: ignore[attr-defined]
            account.save()
    except IntegrityError as exc:  # designated concurrently by someone else
        raise BusinessError(errors.KEY_ACCOUNT_EXISTS, field="customer") from exc
    return account


def key_account_end(*, actor: User, account: KeyAccount | int) -> KeyAccount:
    """End a designation (the history keeps who designated and who ended it)."""
    pk = account.pk if isinstance(account, KeyAccount) else account
    target = KeyAccount.objects.restrict(actor, "change").filter(pk=pk, is_active=True).first()
    if target is None:
        raise BusinessError(NOT_FOUND)
    with transaction.atomic():
        target.is_active = False
        target._history_user = actor  # type: ignore[attr-defined]
        target.save(update_fields=["is_active"])
    return target
