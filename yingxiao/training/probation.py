"""Closed sales during probation (ORG-6), through a pluggable counter.

The default counts the customers the new hire owned when they became a deal (成交) within the
probation window, from the customer history. When contracts exist, the sales app may count
signed contracts instead: ``set_closed_sales_counter(my_counter)`` (one counter is in force, so
nothing is counted twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.apps import apps
from django.db.models import Min
from django.utils import timezone

ClosedSalesCounter = Callable[[int, dt.date, dt.date], int]


def customers_converted(person_id: int, start: dt.date, end: dt.date) -> int:
    """Customers that became a deal while owned by ``person_id``, first time on a day in [start, end]."""
    if not apps.is_installed("yingxiao.customers"):
        return 0
    from yingxiao.customers.models import Customer

    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    history = Customer.history.model.objects  # type: ignore[attr-defined]
    became = (
        history.filter(stage=Customer.Stage.DEAL, owner_id=person_id)
        .values("id")
        .annotate(first=Min("history_date"))
        .filter(first__gte=first, first__lt=after)
    )
    return became.count()


_counter: ClosedSalesCounter = customers_converted


def set_closed_sales_counter(counter: ClosedSalesCounter | None) -> None:
    """Replace how closed sales are counted (``None`` restores the default)."""
    global _counter
    _counter = counter or customers_converted


def closed_sales(person_id: int, start: dt.date, end: dt.date) -> int:
    return int(_counter(person_id, start, end))
