"""Reads of the contact log, always scoped through ``restrict`` (ORG-5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from .filters import ActivityFilterSet
from .models import Activity

if TYPE_CHECKING:
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User


def activities_visible_to(actor: User) -> QuerySet[Activity]:
    """Every contact the actor may see, with what a list row shows joined in (no N+1)."""
    return Activity.objects.restrict(actor, "view").select_related("customer", "staff", "contact", "routed_to")


def timeline_for(actor: User, customer: Customer, limit: int = 50) -> list[Activity]:
    """The customer's latest contacts, newest first, as far as the actor may see them — one query."""
    return list(
        Activity.objects.restrict(actor, "view")
        .filter(customer=customer)
        .select_related("staff", "contact", "routed_to")
        .order_by("-occurred_at", "-id")[:limit]
    )


def activity_filterset(actor: User, filters: Mapping[str, Any] | None) -> ActivityFilterSet:
    """The shared filterset bound to ``filters`` over the actor's contacts (for forms that show it)."""
    return ActivityFilterSet(data=filters or None, queryset=activities_visible_to(actor))


def activity_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Activity]:
    """The actor's contacts narrowed by ``filters`` (invalid filter values are ignored)."""
    rows: QuerySet[Activity] = activity_filterset(actor, filters).qs
    return rows
