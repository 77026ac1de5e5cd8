"""Reads over the customer archive, always through ``restrict`` (ORG-5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.org.models import Department, User

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
