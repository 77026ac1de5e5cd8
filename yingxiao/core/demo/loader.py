"""Load the whole demo company in one transaction: calendar, org chart, customers, a year of activities,
then a year of business in every module, written through the apps' services (``modules.py``)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from yingxiao.activities.models import Activity
from yingxiao.core.models import CalendarDay
from yingxiao.customers.models import Contact, Customer, CustomerIdentity
from yingxiao.org.models import Department, Position, User

from .activities import ActivityFactory
from .customers import CustomerFactory
from .holidays import official_calendar
from .logins import VACANT_POSITIONS
from .modules import build_modules
from .org import DemoOrg, build_org
from .story import Story
from .timeline import Clock

DEFAULT_SEED = 20260101
DEFAULT_CUSTOMERS = 500
BATCH = 1000


@dataclass
class DemoResult:
    org: DemoOrg
    calendar_days: int
    customers: int
    contacts: int
    identities: int
    activities: int
    unserved: int  # customers not served within the 90-day window (CUS-7)
    modules: dict[str, int]  # what the business modules wrote (sales, service, people …), by key
    module_seconds: dict[str, float]  # time each module builder took

    @property
    def vacant_positions(self) -> list[Position]:
        return [self.org.positions[key] for key in VACANT_POSITIONS]


def database_is_empty() -> bool:
    """The demo only fills a database that has no organisation yet."""
    return not Department.objects.exists()


def _load_calendar() -> int:
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = [
        CalendarDay(date=day, kind=kind, name=name) for day, kind, name in official_calendar() if day not in existing
    ]
    bulk_create_with_history(rows, CalendarDay, batch_size=BATCH, default_change_reason="demo")
    return len(rows)


def load_demo(
    *, seed: int = DEFAULT_SEED, customers: int = DEFAULT_CUSTOMERS, anchor: dt.date | None = None
) -> DemoResult:
    """Build the demo company. Same seed and customer count → same names, owners and counts."""
    anchor = anchor or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 — demo data, not security
    clock = Clock(anchor)
    with transaction.atomic():
        calendar_days = _load_calendar()
        org = build_org(anchor=anchor)
        drafts = CustomerFactory(rng, org.users, org.home, clock).build(customers)
        activity_factory = ActivityFactory(seed, org.users, clock)
        activities = [
            activity for index, draft in enumerate(drafts) for activity in activity_factory.build(draft, index)
        ]

        rows = []
        for draft in drafts:
            customer = draft.customer
            customer._history_date = customer.registered_at  # type: ignore[attr-defined]
            customer._history_user = customer.registered_by  # type: ignore[attr-defined]
            rows.append(customer)
        bulk_create_with_history(rows, Customer, batch_size=BATCH, default_change_reason="demo")

        contacts = []
        for draft in drafts:
            for contact in draft.contacts:
                contact._history_date = draft.customer.registered_at  # type: ignore[attr-defined]
                contact._history_user = draft.customer.registered_by  # type: ignore[attr-defined]
                contacts.append(contact)
        bulk_create_with_history(contacts, Contact, batch_size=BATCH, default_change_reason="demo")

        # rule: CUS-2 — one identity row per key; the generator guarantees none is shared.
        identities = [
            CustomerIdentity(
                customer=draft.customer,
                kind=kind,
                value=value,
                contact=draft.contacts[index] if index is not None else None,
            )
            for draft in drafts
            for kind, value, index in draft.keys
        ]
        CustomerIdentity.objects.bulk_create(identities, batch_size=BATCH)

        for activity in activities:
            activity._history_date = activity.occurred_at  # type: ignore[attr-defined]
            activity._history_user = activity.staff  # type: ignore[attr-defined]
        bulk_create_with_history(activities, Activity, batch_size=BATCH, default_change_reason="demo")

        story = Story(
            seed=seed,
            clock=clock,
            users={user.username: user for user in User.objects.all()},  # fresh: no cached scope
            home=org.home,
            customers=list(Customer.objects.select_related("owner", "department").order_by("pk")),
        )
        module_seconds = build_modules(story)

    cutoff = dt.datetime.combine(anchor, dt.time.min, tzinfo=clock.tz) - dt.timedelta(days=90)
    unserved = sum(1 for d in drafts if d.customer.last_served_at is None or d.customer.last_served_at < cutoff)
    return DemoResult(
        org=org,
        calendar_days=calendar_days,
        customers=len(drafts),
        contacts=len(contacts),
        identities=len(identities),
        activities=len(activities),
        unserved=unserved,
        modules=story.counts,
        module_seconds=module_seconds,
    )
