"""Actual providers (实际完成): metric code → function(scope, period) → (value, records behind it).

Plan vs actual (PLN-3) asks each metric's provider for the actual of a unit over a period. A
provider returns the figure and the queryset of the records it counted, so every number can be
drilled down to its rows. ``viewer`` narrows the records to what that person may see (ORG-5):
a total never includes out-of-scope rows.

Built in here: ``new_customers`` (customers registered in the period) and ``sales`` (quotes
sent in the period, the only signed-off sales document the sales app has so far). ``collections``,
``profit`` and ``new_products`` are registered as hooks returning ``None`` ("no data yet"): the app
that records receipts, contracts or product launches calls ``register_actual_provider`` with its own
function, which replaces the hook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from yingxiao.org.scope import subtree_ids


@dataclass(frozen=True)
class UnitScope:
    """Whose results count: a person, or a department with everything below it."""

    department_id: int | None = None
    person_id: int | None = None

    def department_ids(self) -> set[int]:
        return subtree_ids({self.department_id}) if self.department_id else set()


@dataclass(frozen=True)
class Actual:
    """An actual figure and the records behind it (``value`` None: the metric has no data source yet)."""

    value: Decimal | None
    records: QuerySet[Any] | None = None


Provider = Callable[[UnitScope, tuple[dt.date, dt.date], Any], Actual]
_PROVIDERS: dict[str, Provider] = {}


def register_actual_provider(metric: str, provider: Provider) -> None:
    """Register (or replace) the provider of ``metric``; ``provider(scope, (first, last), viewer)``."""
    _PROVIDERS[metric] = provider


def actual_for(metric: str, scope: UnitScope, period: tuple[dt.date, dt.date], viewer: Any = None) -> Actual:
    provider = _PROVIDERS.get(metric)
    if provider is None:
        return Actual(None)
    return provider(scope, period, viewer)


def has_provider(metric: str) -> bool:
    return metric in _PROVIDERS and _PROVIDERS[metric] is not _no_data


def _window(period: tuple[dt.date, dt.date]) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    first, last = period
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _in_unit(qs: QuerySet[Any], scope: UnitScope, *, owner: str, department: str) -> QuerySet[Any]:
    if scope.person_id is not None:
        return qs.filter(**{owner: scope.person_id})
    return qs.filter(**{f"{department}__in": sorted(scope.department_ids())})


def _viewable(qs: QuerySet[Any], viewer: Any) -> QuerySet[Any]:
    """rule: ORG-5 — only the rows the viewer may see count towards the figure they are shown."""
    # rule: ORG-5 — totals never include rows outside the viewer's scope.
    if viewer is None:
        return qs
    return qs & qs.model.objects.restrict(viewer, "view")


def _new_customer_rows(period: tuple[dt.date, dt.date]) -> QuerySet[Any]:
    from yingxiao.customers.models import Customer

    start, end = _window(period)
    return Customer.objects.filter(registered_at__gte=start, registered_at__lt=end)


def _sales_rows(period: tuple[dt.date, dt.date]) -> QuerySet[Any]:
    from yingxiao.sales.models import Contract

    first, last = period
    return Contract.objects.filter(
        status__in=[Contract.Status.SIGNED, Contract.Status.ARCHIVED], signed_on__gte=first, signed_on__lte=last
    )


def _collection_rows(period: tuple[dt.date, dt.date]) -> QuerySet[Any]:
    from yingxiao.sales.models import Receipt

    first, last = period
    return Receipt.objects.filter(status=Receipt.Status.CONFIRMED, received_on__gte=first, received_on__lte=last)


@dataclass(frozen=True)
class Source:
    """A built-in metric's records (before the unit and the viewer) and how they add up.

    All three built-ins keep the owner in ``owner`` and the department in ``department``, so the
    actuals of many units are one GROUP BY (``actuals_by_unit``) instead of one query per target.
    """

    rows: Callable[[tuple[dt.date, dt.date]], QuerySet[Any]]
    count: bool = False  # count the rows (new customers) rather than sum their amount

    def total(self, qs: QuerySet[Any]) -> Decimal:
        if self.count:
            return Decimal(qs.aggregate(n=Count("pk"))["n"] or 0)
        return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")

    def value(self) -> Any:
        return Count("pk") if self.count else Sum("amount")

    def actual(self, scope: UnitScope, period: tuple[dt.date, dt.date], viewer: Any = None) -> Actual:
        qs = _viewable(_in_unit(self.rows(period), scope, owner="owner", department="department"), viewer)
        return Actual(self.total(qs), qs)


_NEW_CUSTOMERS = Source(_new_customer_rows, count=True)
_SALES = Source(_sales_rows)
_COLLECTIONS = Source(_collection_rows)


def new_customers(scope: UnitScope, period: tuple[dt.date, dt.date], viewer: Any = None) -> Actual:
    """New customers: customers registered in the period (counted)."""
    return _NEW_CUSTOMERS.actual(scope, period, viewer)


def sales(scope: UnitScope, period: tuple[dt.date, dt.date], viewer: Any = None) -> Actual:
    """Sales: the amounts of contracts signed in the period (CON-1)."""
    return _SALES.actual(scope, period, viewer)


def collections(scope: UnitScope, period: tuple[dt.date, dt.date], viewer: Any = None) -> Actual:
    """Collections: money received in the period and confirmed by finance (ORD-2, CON-3)."""
    return _COLLECTIONS.actual(scope, period, viewer)


_SOURCES: dict[str, tuple[Provider, Source]] = {
    "new_customers": (new_customers, _NEW_CUSTOMERS),
    "sales": (sales, _SALES),
    "collections": (collections, _COLLECTIONS),
}


def actuals_by_unit(
    metric: str, scopes: list[UnitScope], period: tuple[dt.date, dt.date], viewer: Any = None
) -> dict[UnitScope, Decimal | None]:
    """The actual of each unit over one period: one GROUP BY per kind of unit for a built-in metric.

    Equal to ``actual_for`` of each unit (a department counts its whole subtree; ORG-5: only rows
    the viewer may see). A metric whose provider was replaced by another app is asked unit by unit.
    """
    provider = _PROVIDERS.get(metric)
    builtin = _SOURCES.get(metric)
    if builtin is None or provider is not builtin[0]:
        return {scope: actual_for(metric, scope, period, viewer).value for scope in scopes}
    source = builtin[1]
    zero = Decimal(0) if source.count else Decimal("0.00")
    result: dict[UnitScope, Decimal | None] = {}
    rows = _viewable(source.rows(period), viewer).order_by()
    people = sorted({s.person_id for s in scopes if s.person_id is not None})
    if people:
        per_person = dict(
            rows.filter(owner_id__in=people)
            .values_list("owner_id")
            .annotate(v=source.value())
            .values_list("owner_id", "v")
        )
        for scope in scopes:
            if scope.person_id is not None:
                result[scope] = Decimal(per_person.get(scope.person_id) or zero)
    subtrees = {s: s.department_ids() for s in scopes if s.person_id is None}
    if subtrees:
        wanted = sorted(set().union(*subtrees.values()))
        per_department = dict(
            rows.filter(department_id__in=wanted)
            .values_list("department_id")
            .annotate(v=source.value())
            .values_list("department_id", "v")
        )
        for scope, ids in subtrees.items():
            result[scope] = Decimal(sum((per_department.get(pk) or 0 for pk in ids), zero))
    return result


def _no_data(scope: UnitScope, period: tuple[dt.date, dt.date], viewer: Any = None) -> Actual:
    """A hook: the metric's records are not kept by any app yet."""
    return Actual(None)


def register_builtin_providers() -> None:
    for metric in ("profit", "new_products"):
        _PROVIDERS.setdefault(metric, _no_data)
    register_actual_provider("collections", collections)
    register_actual_provider("new_customers", new_customers)
    register_actual_provider("sales", sales)
