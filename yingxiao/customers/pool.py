"""The public customer pool (公海, CUS-7): the release query, release, claim, reassignment.

rule: CUS-7 — a customer its owner has not served within ``{service_window_days}`` days is
released: the owner AND the department are cleared (the pool belongs to no department — anyone
with the claim permission may take it; the former owner and department stay on the pool entry
and in ``OwnershipChange``). The service clock starts at the last qualifying service
(``last_served_at``, advanced by the activities app; SMS never counts), or at registration if
never served; an ownership change (claim, reassignment, allocation, transfer) restarts it, so a
customer just claimed gets a full window. Archived and blacklisted customers are never released.

Everything set-based: ``releasable_customers(as_of)`` is the one query the sweep streams;
``release_batch`` releases a batch with one compare-and-set UPDATE (only rows whose owner,
department and ``last_served_at`` are still what the check saw) that also writes the pool entries
and ownership changes (one statement on PostgreSQL).
``HAND_WRITTEN_RELEASE_SQL`` is the equivalent single UPDATE, for the benchmark.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from . import pool_errors as errors
from .models import Customer, OwnershipChange, PoolEntry
from .search import apply_search

if TYPE_CHECKING:
    from yingxiao.policy.registry import ApplySQL, Finding

RULE_ID = "CUS-7"
CLAIM_PERMISSION = "customers.claim_pool_customer"
REASSIGN_PERMISSION = "customers.reassign_customer"
SWEEP_PERMISSION = "customers.run_pool_sweep"
RESOURCE_DIRECTOR_ROLE = "customer_resource_director"

# The same release as one statement (PostgreSQL), for the benchmark to time against the sweep.
HAND_WRITTEN_RELEASE_SQL = """
UPDATE customers_customer AS c SET owner_id = NULL, department_id = NULL
WHERE c.owner_id IS NOT NULL AND NOT c.is_archived AND NOT c.is_blacklisted
  AND COALESCE(c.last_served_at, c.registered_at) < %(cutoff)s
  AND NOT EXISTS (SELECT 1 FROM customers_ownershipchange oc
                  WHERE oc.customer_id = c.id AND oc.changed_at >= %(cutoff)s)
"""


# --- the release query ---------------------------------------------------------------------
def window_start(as_of: dt.datetime, days: int) -> dt.datetime:
    """Start of the local day ``days`` days before ``as_of``'s day: service before it is too old.

    Counted in calendar days: served on 1 January, a 90-day window keeps the customer through
    31 March (90 days) and releases it from 1 April (91 days).
    """
    day = timezone.localdate(as_of) - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _release_q(cutoff: dt.datetime) -> Q:
    recent_change = OwnershipChange.objects.filter(customer=OuterRef("pk"), changed_at__gte=cutoff)
    return (
        Q(owner__isnull=False, is_archived=False, is_blacklisted=False)
        & (Q(last_served_at__lt=cutoff) | Q(last_served_at__isnull=True, registered_at__lt=cutoff))
        & ~Q(Exists(recent_change))
    )


def releasable_customers(as_of: dt.datetime) -> QuerySet[Customer]:
    """rule: CUS-7 — every customer that is released to the pool as of ``as_of`` (one query)."""
    days = policy_value("service_window_days", at=as_of)
    return Customer.objects.filter(_release_q(window_start(as_of, days)))


def soon_releasable_customers(as_of: dt.datetime) -> QuerySet[Customer]:
    """Customers not released as of ``as_of`` but released within ``{pool_release_reminder_days}``."""
    days = policy_value("service_window_days", at=as_of)
    lead = policy_value("pool_release_reminder_days", at=as_of)
    cutoff = window_start(as_of, days)
    return Customer.objects.filter(_release_q(cutoff + dt.timedelta(days=lead))).exclude(_release_q(cutoff))


# --- release (the CUS-7 rule's action) -----------------------------------------------------
def _cas_update_sql(count: int) -> str:
    """The compare-and-set UPDATE of ``_release_batch_portable`` (SQLite): one row of values per finding."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * count)
    # Only placeholders and the model's own table name are interpolated; values go as parameters.
    return (
        f"WITH f(id, owner_id, served, dept) AS (VALUES {values}) "  # noqa: S608
        f"UPDATE {table} SET owner_id = NULL, department_id = NULL FROM f "
        f"WHERE {table}.id = f.id AND {table}.owner_id = f.owner_id "
        f"AND {table}.last_served_at IS f.served AND {table}.department_id IS f.dept "
        f"RETURNING {table}.id"
    )


def _served_param(served: str | None) -> Any:
    if not served:
        return None
    return connection.ops.adapt_datetimefield_value(dt.datetime.fromisoformat(served))


def release_batch(findings: Sequence[Finding]) -> list[bool]:
    """Release the customers of a batch of CUS-7 findings; True for each one released.

    Compare-and-set: a customer is released only if its owner, department and last service are
    still what the check saw (served or handed over since: skipped). Each released customer gets
    a pool entry (with the engine's explanation and inputs) and an ownership change; the owners
    are told after commit, one notice per owner. On PostgreSQL all of it is ONE statement over
    arrays (``_release_batch_pg``); elsewhere one UPDATE and two bulk INSERTs.
    """
    if not findings:
        return []
    reason = _release_reason()
    now = timezone.now()
    if connection.vendor == "postgresql":
        released = _release_batch_pg(findings, reason, now)
    else:
        released = _release_batch_portable(findings, reason, now)
    done = [finding.subject_id in released for finding in findings]
    by_owner: dict[int, list[str]] = defaultdict(list)
    for f, ok in zip(findings, done, strict=True):
        if ok and f.person_id is not None:
            by_owner[f.person_id].append(str(f.facts.get("customer", f.subject_id)))
    notify_released_later({owner: (len(names), names) for owner, names in by_owner.items()})
    return done


def notify_released_later(by_owner: dict[int, tuple[int, list[str]]]) -> None:
    """After commit, one notice per owner: how many of their customers went to the pool, and which."""
    if by_owner:
        transaction.on_commit(lambda: _notify_released(by_owner))


# The check as SQL (``PoolRelease.check_sql``): the same rows and facts as ``PoolRelease.check``.
_CHECK_SQL = """
SELECT c.id,
       c.owner_id::text || ':' || to_char(COALESCE(c.served, c.registered) AT TIME ZONE %s, 'YYYY-MM-DD')
           || ':' || %s,
       c.owner_id,
       jsonb_build_object(
           'customer', c.name,
           'owner', c.owner_name,
           'last_served', COALESCE(to_char(c.served AT TIME ZONE %s, 'YYYY-MM-DD'), '—'),
           'registered', to_char(c.registered AT TIME ZONE %s, 'YYYY-MM-DD'),
           'days', %s::date - (COALESCE(c.served, c.registered) AT TIME ZONE %s)::date,
           'served_at', to_char(c.served AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
           'dept', c.department_id)
FROM ({inner}) AS c(id, owner_id, department_id, served, registered, name, owner_name)
"""


def release_check_sql(as_of: dt.datetime) -> tuple[str, list[Any]]:
    """rule: CUS-7 — ``releasable_customers(as_of)`` with each finding's key and facts, as SQL."""
    inner, inner_params = (
        releasable_customers(as_of)
        .order_by()
        .values_list(
            "pk", "owner_id", "department_id", "last_served_at", "registered_at", "name", "owner__display_name"
        )
        .query.sql_with_params()
    )
    zone = timezone.get_current_timezone_name()
    today = timezone.localdate(as_of)
    return _CHECK_SQL.format(inner=inner), [zone, today.isoformat(), zone, zone, today, zone, *inner_params]


def release_apply_sql() -> ApplySQL:
    """rule: CUS-7 — the release of a batch of pending results (``PoolRelease.apply_sql``): the
    compare-and-set UPDATE (owner, department and last service still what the check saw), the
    pool entries (pointing at their rule result, which holds the explanation and inputs), the
    ownership changes."""
    from yingxiao.policy.registry import ApplySQL

    quote = connection.ops.quote_name
    customer = quote(Customer._meta.db_table)
    entry_columns = _columns(PoolEntry, *_ENTRY_FIELDS)
    change_columns = _columns(OwnershipChange, *_CHANGE_FIELDS)
    # Only the models' own table and column names are interpolated; every value is a parameter.
    ctes = f"""
        released AS (
            UPDATE {customer} AS c SET owner_id = NULL, department_id = NULL FROM batch AS b
            WHERE c.id = b.subject_id AND c.owner_id = b.person_id
              AND c.last_served_at IS NOT DISTINCT FROM (b.facts ->> 'served_at')::timestamptz
              AND c.department_id IS NOT DISTINCT FROM (b.facts ->> 'dept')::bigint
            RETURNING c.id AS subject_id, b.person_id, b.result_id, b.facts, c.name AS label
        ), entries AS (
            INSERT INTO {quote(PoolEntry._meta.db_table)} ({entry_columns})
            SELECT subject_id, %(now)s, %(reason)s, %(rule)s, result_id, '', '{{}}'::jsonb, person_id,
                   (facts ->> 'dept')::bigint, ''
            FROM released
        ), changes AS (
            INSERT INTO {quote(OwnershipChange._meta.db_table)} ({change_columns})
            SELECT subject_id, %(now)s, person_id, (facts ->> 'dept')::bigint, %(reason)s, %(rule)s FROM released
        ), done AS (
            SELECT subject_id, person_id, label FROM released
        )"""  # noqa: S608
    reason = _release_reason()
    return ApplySQL(ctes=ctes, params={"now": timezone.now(), "reason": reason, "rule": RULE_ID})


# What a release writes, in the column order of both PostgreSQL statements (sweep and direct).
_ENTRY_FIELDS = (
    "customer",
    "entered_at",
    "reason",
    "rule_id",
    "rule_result",
    "explanation",
    "inputs",
    "released_owner",
    "released_department",
    "left_by",
)
_CHANGE_FIELDS = ("customer", "changed_at", "old_owner", "old_department", "reason", "rule_id")


def _release_reason() -> str:
    return gettext("Not served within the service window (CUS-7)")


def _columns(model: type[Any], *names: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in names)


def _release_batch_pg(findings: Sequence[Finding], reason: str, now: dt.datetime) -> set[int]:
    """One statement: the compare-and-set UPDATE, and from its RETURNING rows the pool entries
    and ownership changes (data-modifying CTEs). Only ids and compare values travel as arrays;
    an entry with a ``RuleResult`` reads its explanation and inputs there (a finding without
    one — applied outside a sweep — gets the explanation it carries)."""
    quote = connection.ops.quote_name
    customer = quote(Customer._meta.db_table)
    pool_entry = quote(PoolEntry._meta.db_table)
    change = quote(OwnershipChange._meta.db_table)
    # Only the models' own table and column names are interpolated; every value is a parameter.
    sql = f"""
        WITH f AS (
            SELECT * FROM unnest(%(ids)s::bigint[], %(owners)s::bigint[], %(served)s::timestamptz[],
                                 %(depts)s::bigint[], %(results)s::bigint[])
                AS f(id, owner_id, served, dept, result_id)
        ), released AS (
            UPDATE {customer} AS c SET owner_id = NULL, department_id = NULL FROM f
            WHERE c.id = f.id AND c.owner_id = f.owner_id
              AND c.last_served_at IS NOT DISTINCT FROM f.served AND c.department_id IS NOT DISTINCT FROM f.dept
            RETURNING c.id
        ), entries AS (
            INSERT INTO {pool_entry} ({_columns(PoolEntry, *_ENTRY_FIELDS)})
            SELECT f.id, %(now)s, %(reason)s, %(rule)s, f.result_id, '', '{{}}'::jsonb, f.owner_id, f.dept, ''
            FROM f JOIN released USING (id)
        ), changes AS (
            INSERT INTO {change} ({_columns(OwnershipChange, *_CHANGE_FIELDS)})
            SELECT f.id, %(now)s, f.owner_id, f.dept, %(reason)s, %(rule)s FROM f JOIN released USING (id)
        )
        SELECT id FROM released
    """  # noqa: S608
    params = {
        "ids": [f.subject_id for f in findings],
        "owners": [f.person_id for f in findings],
        "served": [_served_param(f.facts.get("served_at")) for f in findings],
        "depts": [f.facts.get("dept") for f in findings],
        "results": [f.result_id for f in findings],
        "now": now,
        "reason": reason,
        "rule": RULE_ID,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        released = {row[0] for row in cursor.fetchall()}
    missing = [f for f in findings if f.subject_id in released and f.result_id is None and f.explanation]
    for f in missing:  # applied outside a sweep: keep the explanation the finding carries
        PoolEntry.objects.filter(customer_id=f.subject_id, left_at__isnull=True).update(
            explanation=f.explanation, inputs=dict(f.facts)
        )
    return released


def _release_batch_portable(findings: Sequence[Finding], reason: str, now: dt.datetime) -> set[int]:
    params: list[Any] = []
    for finding in findings:
        facts = finding.facts
        params += [finding.subject_id, finding.person_id, _served_param(facts.get("served_at")), facts.get("dept")]
    with connection.cursor() as cursor:
        cursor.execute(_cas_update_sql(len(findings)), params)
        released = {row[0] for row in cursor.fetchall()}
    if not released:
        return released
    chosen = [f for f in findings if f.subject_id in released]
    PoolEntry.objects.bulk_create(
        PoolEntry(
            customer_id=f.subject_id,
            entered_at=now,
            reason=reason,
            rule_id=RULE_ID,
            rule_result_id=f.result_id,
            explanation="" if f.result_id else f.explanation,
            inputs={} if f.result_id else dict(f.facts),
            released_owner_id=f.person_id,
            released_department_id=f.facts.get("dept"),
        )
        for f in chosen
    )
    OwnershipChange.objects.bulk_create(
        OwnershipChange(
            customer_id=f.subject_id,
            changed_at=now,
            changed_by=None,
            old_owner_id=f.person_id,
            new_owner=None,
            old_department_id=f.facts.get("dept"),
            new_department=None,
            reason=reason,
            rule_id=RULE_ID,
        )
        for f in chosen
    )
    return released


def _notify_released(by_owner: dict[int, tuple[int, list[str]]]) -> None:
    from yingxiao.core.models import Notification

    link = reverse("customers:pool")
    rows = []
    for owner_id in User.objects.filter(pk__in=list(by_owner), is_active=True).values_list("pk", flat=True):
        count, names = by_owner[owner_id]
        shown = "、".join(names[:5]) + ("…" if count > 5 else "")
        message = gettext("%(count)s of your customers were released to the public pool (CUS-7): %(names)s") % {
            "count": count,
            "names": shown,
        }
        rows.append(Notification(recipient_id=owner_id, message=message[:500], link=link))
    Notification.objects.bulk_create(rows)


# --- permissions ---------------------------------------------------------------------------
def can_claim(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.has_perm(CLAIM_PERMISSION))


def is_resource_director(actor: User) -> bool:
    return bool(actor.is_authenticated and RESOURCE_DIRECTOR_ROLE in scope_for(actor).role_codes)


def can_run_sweep(actor: User) -> bool:
    """Directors: who may change the policy, the customer-resource director, or ``run_pool_sweep``."""
    from yingxiao.policy.services import CHANGE_PERMISSION

    return bool(
        actor.is_authenticated
        and (actor.has_perm(CHANGE_PERMISSION) or actor.has_perm(SWEEP_PERMISSION) or is_resource_director(actor))
    )


def can_reassign(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.has_perm(REASSIGN_PERMISSION))


def can_see_pool(actor: User) -> bool:
    return can_claim(actor) or can_run_sweep(actor) or can_reassign(actor)


def resource_directors() -> QuerySet[User]:
    """Holders of the customer-resource director role (顾客资源总监), who record claims."""
    return User.objects.filter(
        is_active=True,
        assignments__ended_on__isnull=True,
        assignments__position__is_active=True,
        assignments__position__role__code=RESOURCE_DIRECTOR_ROLE,
    ).distinct()


# --- reads ---------------------------------------------------------------------------------
def pool_entries(actor: User, *, q: str = "", region: str = "", industry: str = "") -> QuerySet[PoolEntry]:
    """The open pool entries (public to everyone who may claim), newest first, optionally searched."""
    if not can_see_pool(actor):
        return PoolEntry.objects.none()
    entries = PoolEntry.objects.filter(left_at__isnull=True)
    if q.strip():
        entries = entries.filter(customer__in=apply_search(Customer.objects.all(), q.strip()[:100]).values("pk"))
    if region.strip():
        entries = entries.filter(customer__region__icontains=region.strip()[:100])
    if industry.strip():
        entries = entries.filter(customer__industry__icontains=industry.strip()[:100])
    return entries.select_related("customer", "released_owner", "released_department", "rule_result").order_by(
        "-entered_at", "-id"
    )


def open_entry_of(customer: Customer | int) -> PoolEntry | None:
    pk = customer.pk if isinstance(customer, Customer) else customer
    return PoolEntry.objects.filter(customer_id=pk, left_at__isnull=True).select_related("rule_result").first()


def claims_today(actor: User, now: dt.datetime | None = None) -> int:
    start = window_start(now or timezone.now(), 0)
    return PoolEntry.objects.filter(taken_by=actor, left_by=PoolEntry.LeftBy.CLAIMED, left_at__gte=start).count()


# --- claim ---------------------------------------------------------------------------------
def customer_claim(*, actor: User, customer: Customer | int) -> Customer:
    """Take a customer from the public pool (CUS-7); exactly one of many simultaneous claims wins.

    Refused, nothing changed: no claim permission (``customers.claim_not_allowed``), over the
    daily ``{pool_claim_daily_quota}`` (``customers.claim_quota``), not (or no longer) in the
    pool (``customers.not_in_pool``). The claim closes the pool entry with a conditional UPDATE
    (row count 1 wins), gives the customer to the claimer and their department, is logged as an
    ownership change under CUS-7, and the customer-resource director is told.
    """
    if not can_claim(actor):
        raise BusinessError(errors.CLAIM_NOT_ALLOWED)
    pk = customer.pk if isinstance(customer, Customer) else int(customer)
    now = timezone.now()
    quota = policy_value("pool_claim_daily_quota", at=now)
    department = primary_department(actor)
    with transaction.atomic():
        # One person's claims in a row, so two at once cannot both pass the quota.
        User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()
        if claims_today(actor, now) >= quota:
            raise BusinessError(errors.CLAIM_QUOTA, quota=quota)
        # rule: CUS-7 — compare-and-set: only an open entry of an unowned customer can be taken.
        taken = PoolEntry.objects.filter(customer_id=pk, left_at__isnull=True).update(
            left_at=now, left_by=PoolEntry.LeftBy.CLAIMED, taken_by=actor
        )
        if taken != 1:
            raise BusinessError(errors.NOT_IN_POOL)
        owned = Customer.objects.filter(pk=pk, owner__isnull=True).update(owner=actor, department=department)
        if owned != 1:
            raise BusinessError(errors.NOT_IN_POOL)  # rolls the entry back too
        OwnershipChange.objects.create(
            customer_id=pk,
            changed_at=now,
            changed_by=actor,
            old_owner=None,
            new_owner=actor,
            old_department=None,
            new_department=department,
            reason=gettext("Claimed from the public pool"),
            rule_id=RULE_ID,
        )
        claimed = Customer.objects.select_related("owner", "department").get(pk=pk)
        transaction.on_commit(lambda: _notify_claim(actor, claimed))
    return claimed


def _notify_claim(actor: User, customer: Customer) -> None:
    from yingxiao.core.notifications import notify

    link = reverse("customers:detail", args=[customer.pk])
    message = format_lazy(
        _("{who} claimed {customer} from the public pool (CUS-7); please record the change of owner."),
        who=str(actor),
        customer=customer.name,
    )
    for director in resource_directors():
        if director.pk != actor.pk:
            notify(director, message=message, link=link, actor=actor)


# --- reassignment --------------------------------------------------------------------------
def customer_reassign(
    *,
    actor: User,
    customers: Iterable[Customer | int],
    to_user: User | None = None,
    to_department: Department | None = None,
    reason: str,
) -> int:
    """The customer-resource director gives customers to a person, or to a department (no owner).

    rule: CUS-7 — "the company may reassign it to another department or person": bulk, in one
    transaction, rows locked in id order, each change logged with its reason; open pool entries
    are closed. Returns how many customers changed hands.
    """
    if not can_reassign(actor):
        raise BusinessError(errors.REASSIGN_NOT_ALLOWED)
    if (to_user is None) == (to_department is None):
        raise BusinessError(errors.REASSIGN_TARGET, field="to_user")
    reason = (reason or "").strip()
    if not reason:
        from .errors import REASON_REQUIRED

        raise BusinessError(REASON_REQUIRED, field="reason")
    reason = reason[:300]
    if to_user is not None and not to_user.is_active:
        from .errors import UNKNOWN_OWNER

        raise BusinessError(UNKNOWN_OWNER, field="to_user")
    new_department = primary_department(to_user) if to_user is not None else to_department
    ids = sorted({c.pk if isinstance(c, Customer) else int(c) for c in customers})
    if not ids:
        raise BusinessError(errors.NO_CUSTOMERS, field="customers")
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Customer.objects.restrict(actor, "change")
            .select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "owner_id", "department_id")
        )
        if len(rows) != len(ids):
            raise BusinessError(NOT_FOUND)
        new_owner_id = to_user.pk if to_user is not None else None
        new_department_id = new_department.pk if new_department is not None else None
        moving = [row for row in rows if (row[1], row[2]) != (new_owner_id, new_department_id)]
        moving_ids = [row[0] for row in moving]
        Customer.objects.filter(pk__in=moving_ids).update(owner_id=new_owner_id, department_id=new_department_id)
        PoolEntry.objects.filter(customer_id__in=ids, left_at__isnull=True).update(
            left_at=now, left_by=PoolEntry.LeftBy.REASSIGNED, taken_by=actor
        )
        OwnershipChange.objects.bulk_create(
            OwnershipChange(
                customer_id=pk,
                changed_at=now,
                changed_by=actor,
                old_owner_id=old_owner,
                new_owner_id=new_owner_id,
                old_department_id=old_department,
                new_department_id=new_department_id,
                reason=reason,
                rule_id=RULE_ID,
            )
            for pk, old_owner, old_department in moving
        )
        old_owners = {row[1] for row in moving if row[1] is not None and row[1] != new_owner_id}
        transaction.on_commit(lambda: _notify_reassign(actor, to_user, len(moving), old_owners))
    return len(moving)


def _notify_reassign(actor: User, to_user: User | None, count: int, old_owner_ids: set[int]) -> None:
    from yingxiao.core.notifications import notify

    if count and to_user is not None:
        message = format_lazy(_("{count} customers were reassigned to you by {who}."), count=count, who=str(actor))
        notify(to_user, message=message, link=reverse("customers:list"), actor=actor)
    for user in User.objects.filter(pk__in=old_owner_ids):
        notify(user, message=format_lazy(_("Some of your customers were reassigned by {who}."), who=str(actor)))
