"""Reads over the customer archive, always through ``restrict`` (ORG-5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, NullIf

from yingxiao.core.pagination import capped_count
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import DataScope, Department, User

from . import search
from .filters import CustomerFilterSet
from .models import Contact, Customer, OwnershipChange

HISTORY_LIMIT = 50
# Helper columns that lists never show: not worth reading on every row.
_LIST_DEFER = ("search_tokens", "name_pinyin", "name_initials", "needs")


def customer_queryset(actor: User, action: str = "view") -> QuerySet[Customer]:
    """Customers the actor may ``action``, newest registration first (index: registered_at, id)."""
    return (
        Customer.objects.restrict(actor, action)
        .select_related("owner", "department")
        .defer(*_LIST_DEFER)
        .order_by("-registered_at", "-id")
    )


# What a list row shows (the API list and its lean serializer): plain columns, the owner's and the
# department's display names by join — no model instances, no related rows.
LIST_VALUES = (
    "id",
    "name",
    "kind",
    "industry",
    "region",
    "address",
    "phone",
    "email",
    "source",
    "heard_from",
    "previous_brand",
    "grade",
    "stage",
    "intent",
    "credit",
    "is_blacklisted",
    "owner_id",
    "department_id",
    "registered_at",
    "last_served_at",
)
# A searched list counts at most this many matches ("1000+"): counting every match of a common
# term costs more than the page.
SEARCH_COUNT_CAP = 1000


# Names by correlated subquery rather than join: a join, even one the planner removes, keeps the
# id-only scans of deep pages and counts off the covering index.
_OWNER_NAME = Subquery(
    User.objects.filter(pk=OuterRef("owner_id"))
    .order_by()
    .values(name=Coalesce(NullIf(F("display_name"), Value("")), F("username")))[:1]
)
_DEPARTMENT_NAME = Subquery(Department.objects.filter(pk=OuterRef("department_id")).order_by().values("name")[:1])


def customer_list_values(actor: User, action: str = "view") -> QuerySet[Customer]:
    """The actor's customers as list rows (dicts), newest registration first."""
    return (
        Customer.objects.restrict(actor, action)
        .order_by("-registered_at", "-id")
        .values(*LIST_VALUES, owner_name=_OWNER_NAME, department_name=_DEPARTMENT_NAME)
    )


MATCH_COUNT = "match_count"


def customer_search(
    queryset: QuerySet[Customer],
    q: str,
    *,
    scope_level: str = "",
    cap: int | None = None,
    count_in_rows: bool = False,
) -> tuple[QuerySet[Customer], tuple[int, bool] | None]:
    """``queryset`` narrowed by the search term, written for the best plan; and the count if known.

    Rare terms are read from the search index and sorted (``search.matches_first``); common ones
    walk the ordering's index. The count (capped at ``cap``) is returned when it was needed to
    decide, or when the index statistics already show far more matches than the cap
    (``scope_level="all"`` only for an otherwise unfiltered queryset). With ``count_in_rows`` a
    rare term's rows carry the number of matches (``MATCH_COUNT``, a window count over the matches
    the sort reads anyway) instead of a separate count — for a page read in one query (not
    ``pagination.slice_rows``' deep pages).
    """
    cap = SEARCH_COUNT_CAP if cap is None else cap
    scope_is_all = scope_level == DataScope.ALL
    # One person's customers (a few thousand at most): check the substring on their rows.
    searched = search.apply_search(queryset, q, trigram_index=scope_level != DataScope.OWN)
    ordering = tuple(searched.query.order_by)
    if (
        not q.strip()
        or connections[searched.db].vendor != "postgresql"
        or not ordering
        or not all(isinstance(o, str) for o in ordering)
    ):
        return searched, None
    frequency = search.token_frequency(searched, q)
    if scope_level == DataScope.OWN and count_in_rows:
        # One person's matches, counted in the page query itself: a token by the token index
        # intersected with the owner's rows, a substring on the owner's rows.
        searched = searched.annotate(**{MATCH_COUNT: Window(Count("pk"))})
        return (search.matches_first(searched, ordering) if frequency is not None else searched), None
    if frequency is not None:
        if frequency < search.RARE_FREQUENCY:
            if count_in_rows:
                searched = searched.annotate(**{MATCH_COUNT: Window(Count("pk"))})
            return search.matches_first(searched, ordering), None
        if scope_is_all and frequency * search.table_rows(searched) >= 5 * cap:
            return searched, (cap, False)
        return searched, None
    count = capped_count(searched, cap)
    if count[1]:  # every match counted: few enough to read them all from the search index
        searched = search.matches_first(searched, ordering)
    return searched, count


def customer_filterset(actor: User, filters: Mapping[str, Any] | None = None) -> CustomerFilterSet:
    """The shared filterset over the actor's customers (unbound when there are no filters)."""
    return CustomerFilterSet(filters or None, queryset=customer_queryset(actor))


def customer_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Customer]:
    """The actor's customers narrowed by the list filters (search, stage, grade …); invalid filters are ignored."""
    return customer_filterset(actor, filters).qs


def get_customer_for(actor: User, pk: Any, action: str = "view") -> Customer:
    """One customer the actor may ``action``, else 404 (never a hint that it exists)."""
    queryset = Customer.objects.select_related("owner", "department", "registered_by")
    return get_restricted_or_404(Customer, actor, pk, action, queryset=queryset)


def get_contact_for(actor: User, pk: Any, action: str = "view") -> Contact:
    return get_restricted_or_404(Contact, actor, pk, action, queryset=Contact.objects.select_related("customer"))


def contacts_of(customer: Customer) -> list[Contact]:
    return list(customer.contacts.all())


def ownership_changes_of(customer: Customer) -> list[OwnershipChange]:
    return list(
        customer.ownership_changes.select_related(
            "changed_by", "old_owner", "new_owner", "old_department", "new_department"
        ).order_by("-changed_at", "-pk")
    )


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One version of the customer or one of its contacts: who, when, what changed (CUS-9)."""

    when: datetime
    user: User | None
    kind: str  # "+" created, "~" changed, "-" deleted
    subject: str  # the contact's name, or "" for the customer itself
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(field_obj: Any, value: Any, names: dict[tuple[str, Any], str]) -> str:
    if value in (None, ""):
        return "—"
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if field_obj.is_relation:
        return names.get((field_obj.related_model._meta.label_lower, value), str(value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _entries(records: list[Any], model: type) -> list[tuple[Any, list[tuple[Any, Any, Any]]]]:
    """Pairs each historical record with its (field, old, new) differences from the previous version."""
    tracked = [f for f in model.history.model._meta.fields if f.name in {g.name for g in model._meta.fields}]
    tracked = [f for f in tracked if f.name not in ("id", "created_at", "customer")]
    result = []
    previous: dict[Any, Any] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        diffs = []
        if before is not None:
            for f in tracked:
                old, new = getattr(before, f.attname), getattr(record, f.attname)
                if old != new:
                    diffs.append((f, old, new))
        previous[record.id] = record
        result.append((record, diffs))
    return result


def history_of(customer: Customer, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The customer's and its contacts' versions, newest first, in a fixed number of queries."""
    customer_records = list(customer.history.select_related("history_user").order_by("-history_date")[:limit])
    contact_records = list(
        Contact.history.filter(customer_id=customer.pk).select_related("history_user").order_by("-history_date")[:limit]
    )
    pairs = [(r, d, "") for r, d in _entries(customer_records, Customer)]
    pairs += [(r, d, r.name) for r, d in _entries(contact_records, Contact)]
    user_ids: set[Any] = set()
    department_ids: set[Any] = set()
    for _record, diffs, _subject in pairs:
        for f, old, new in diffs:
            if f.is_relation and f.related_model is User:
                user_ids |= {old, new}
            elif f.is_relation and f.related_model is Department:
                department_ids |= {old, new}
    names: dict[tuple[str, Any], str] = {}
    if user_ids - {None}:
        names |= {("org.user", u.pk): str(u) for u in User.objects.filter(pk__in=user_ids - {None})}
    if department_ids - {None}:
        names |= {("org.department", d.pk): d.name for d in Department.objects.filter(pk__in=department_ids - {None})}
    entries = [
        HistoryEntry(
            when=record.history_date,
            user=record.history_user,
            kind=record.history_type,
            subject=subject,
            reason=record.history_change_reason or "",
            changes=[
                FieldChange(str(f.verbose_name), _display(f, old, names), _display(f, new, names))
                for f, old, new in diffs
            ],
        )
        for record, diffs, subject in pairs
    ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
