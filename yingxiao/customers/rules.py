"""Policy rules of the customer archive, run by the policy engine (house style 3).

- CUS-7 release (``PoolRelease``): customers not served within ``{service_window_days}`` go to
  the public pool; the check is ``pool.releasable_customers`` (one streamed query), the action
  ``pool.release_batch`` (one compare-and-set UPDATE per batch).
- CUS-7 reminder (``PoolReleaseReminder``, id ``CUS-7r``): ``{pool_release_reminder_days}`` days
  before the release, the owner is told which customer will go to the pool and when.

Breach keys: the release is keyed ``owner:start-of-clock:as-of day`` — a customer released,
claimed and again left unserved is released again later under a new key, while repeated or
concurrent sweeps of one day record it once (and the compare-and-set applies it once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.policy.registry import Action, ApplySQL, Finding, Rule, register
from yingxiao.policy.values import policy_value

from . import (
    blacklist,  # noqa: F401  (registers the CUS-3 approval callbacks)
    pool,
)
from .models import OwnershipChange

STREAM_CHUNK = 2000


def _day(value: dt.datetime | None) -> str:
    return timezone.localdate(value).isoformat() if value else ""


class PoolRelease(Rule):
    """rule: CUS-7 — release customers not served within the service window to the public pool."""

    id = pool.RULE_ID
    title = _("Release customers not served within the service window to the public pool")
    params = ("service_window_days", "qualifying_activity_types")
    action = Action.RELEASE
    subject_model = "customers.Customer"
    explanation = _(
        "%(customer)s (owner %(owner)s): last qualifying service %(last_served)s, registered %(registered)s — "
        "%(days)s days without service, more than the %(service_window_days)s-day window; "
        "released to the public pool."
    )
    batch_size = 1000

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        rows = (
            pool.releasable_customers(as_of)
            .order_by()
            .values_list(
                "pk", "owner_id", "department_id", "last_served_at", "registered_at", "name", "owner__display_name"
            )
        )
        zone = timezone.get_current_timezone()  # once: ``localdate`` looks it up per call
        today = timezone.localdate(as_of)
        as_of_day = today.isoformat()
        for pk, owner_id, dept, served, registered, name, owner_name in rows.iterator(chunk_size=STREAM_CHUNK):
            served_day = served.astimezone(zone).date() if served else None
            registered_day = registered.astimezone(zone).date()
            clock_day = served_day or registered_day
            yield Finding(
                subject_id=pk,
                key=f"{owner_id}:{clock_day.isoformat()}:{as_of_day}",
                person_id=owner_id,
                facts={
                    "customer": name,
                    "owner": owner_name,
                    "last_served": served_day.isoformat() if served_day else "—",
                    "registered": registered_day.isoformat(),
                    "days": (today - clock_day).days,
                    # compare-and-set inputs, exact (isoformat keeps the microseconds)
                    "served_at": served.isoformat() if served else None,
                    "dept": dept,
                },
            )

    def check_sql(self, as_of: dt.datetime) -> tuple[str, list[Any]]:
        """``check`` as one SELECT (the sweep records and releases inside the database)."""
        return pool.release_check_sql(as_of)

    def apply_sql(self) -> ApplySQL:
        return pool.release_apply_sql()

    def after_apply_sql(self, per_person: list[tuple[int | None, int, list[str]]]) -> None:
        pool.notify_released_later({person: (count, labels) for person, count, labels in per_person if person})

    def apply(self, finding: Finding) -> bool:
        return pool.release_batch([finding])[0]

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        return pool.release_batch(findings)


class PoolReleaseReminder(Rule):
    """rule: CUS-7 — remind the owner before a customer is released to the public pool."""

    id = "CUS-7r"
    title = _("Remind the owner before a customer is released to the public pool")
    params = ("service_window_days", "pool_release_reminder_days")
    action = Action.REMIND
    subject_model = "customers.Customer"
    explanation = _(
        "%(customer)s has had no qualifying service since %(since)s; unless served, it goes to the "
        "public pool on %(deadline)s."
    )

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        if not policy_value("pool_release_reminder_days", at=as_of):
            return
        days = policy_value("service_window_days", at=as_of)
        last_change = OwnershipChange.objects.filter(customer=OuterRef("pk")).order_by("-changed_at")
        rows = (
            pool.soon_releasable_customers(as_of)
            .annotate(last_change=Subquery(last_change.values("changed_at")[:1]))
            .order_by()
            .values_list("pk", "owner_id", "last_served_at", "registered_at", "last_change", "name")
        )
        for pk, owner_id, served, registered, changed, name in rows.iterator(chunk_size=STREAM_CHUNK):
            start = max(value for value in (served or registered, changed) if value is not None)
            deadline = timezone.localdate(start) + dt.timedelta(days=days + 1)
            yield Finding(
                subject_id=pk,
                key=f"{owner_id}:{deadline.isoformat()}",
                person_id=owner_id,
                facts={"customer": name, "since": _day(start), "deadline": deadline.isoformat()},
            )

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        from yingxiao.core.models import Notification
        from yingxiao.org.models import User

        active = set(
            User.objects.filter(pk__in={f.person_id for f in findings}, is_active=True).values_list("pk", flat=True)
        )
        rows = [
            Notification(
                recipient_id=f.person_id,
                message=f.explanation[:500],
                link=reverse("customers:detail", args=[f.subject_id]),
            )
            for f in findings
            if f.person_id in active
        ]
        Notification.objects.bulk_create(rows)
        return [f.person_id in active for f in findings]

    def apply(self, finding: Finding) -> bool:
        return self.apply_batch([finding])[0]


register(PoolRelease)
register(PoolReleaseReminder)

# CUS-4, CUS-10, CUS-13 live in their own module; importing it registers them.
from . import rules_relations  # noqa: E402, F401
