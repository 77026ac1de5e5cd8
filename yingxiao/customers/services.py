"""Business actions on the customer archive (CUS-1, CUS-2, CUS-9, ORG-5). Each takes the acting user first.

Every write: checks permission and scope, validates (nothing is written on bad input), writes in
one transaction, versions the change with django-simple-history (who, when, why — CUS-9) and keeps
the first-registration-wins identity keys in step (CUS-2).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.guards import require_permission as _require
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department

from . import dedup
from .dedup import DuplicateHit
from .errors import (
    CONTACT_REQUIRED,
    INVALID_PHONE,
    OWNER_NOT_ALLOWED,
    REASON_REQUIRED,
    SAME_OWNER,
    TRANSFER_NOT_ALLOWED,
    UNKNOWN_FIELD,
    UNKNOWN_OWNER,
    USE_TRANSFER,
)
from .models import Contact, Customer, DuplicateAttempt, OwnershipChange
from .normalize import normalize_email, normalize_phone
from .relations.hooks import customer_changing
from .search import search_fields

__all__ = [
    "DuplicateHit",
    "contact_add",
    "contact_update",
    "customer_check_duplicates",
    "customer_create",
    "customer_transfer",
    "customer_update",
]

CUSTOMER_FIELDS = frozenset(
    {
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
        "needs",
        "grade",
        "stage",
        "intent",
        "credit",
    }
)
CONTACT_FIELDS = frozenset({"name", "title", "phone", "email", "birthday", "is_primary", "notes"})
_TEXT_EXCLUDE = ["owner", "department", "registered_by", "customer"]


def _clean(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Known fields only, strings trimmed; an unknown field is refused rather than silently dropped."""
    allowed = set(allowed)
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            raise BusinessError(UNKNOWN_FIELD, field=key, name=key)
        result[key] = value.strip() if isinstance(value, str) else value
    if isinstance(result.get("email"), str):
        # Full-width ＠ and letters typed on a Chinese keyboard: the same address, stored half-width.
        result["email"] = unicodedata.normalize("NFKC", result["email"])
    return result


def _validate_phone(obj: Customer | Contact) -> None:
    if obj.phone and not normalize_phone(obj.phone):
        raise BusinessError(INVALID_PHONE, field="phone")


def _check_text_lengths(obj: Customer | Contact) -> None:
    """full_clean does not enforce a TextField's max_length; oversized text is refused all the same."""
    errors = {
        field.name: [_("Ensure this value has at most %(limit)d characters.") % {"limit": field.max_length}]
        for field in obj._meta.concrete_fields
        if field.max_length and len(str(getattr(obj, field.attname) or "")) > field.max_length
    }
    if errors:
        raise ValidationError(errors)


def _validate_customer(customer: Customer, contacts: Iterable[Contact]) -> None:
    """CUS-1: a name and a way to reach the customer; field formats and lengths; raises before any write."""
    _check_text_lengths(customer)
    customer.full_clean(exclude=_TEXT_EXCLUDE, validate_unique=False, validate_constraints=False)
    _validate_phone(customer)
    contacts = list(contacts)
    for contact in contacts:
        contact.full_clean(exclude=_TEXT_EXCLUDE, validate_unique=False, validate_constraints=False)
        _validate_phone(contact)
    reachable = [customer.phone, normalize_email(customer.email)]
    reachable += [value for c in contacts for value in (c.phone, normalize_email(c.email))]
    if not any(reachable):
        raise BusinessError(CONTACT_REQUIRED, field="phone")


def _fill_search_fields(customer: Customer) -> None:
    for field, value in search_fields(customer.name, customer.phone).items():
        setattr(customer, field, value)


def _versioned(obj: Customer | Contact, actor: User, reason: str) -> None:
    # rule: CUS-9 — simple-history records who and why with the row it writes on save().
    obj._history_user = actor  # type: ignore[union-attr]
    obj._change_reason = reason  # type: ignore[union-attr]


def _resolve_owner(actor: User, value: Any) -> User:
    """The owner of a new registration: the actor by default, someone else only within the actor's scope."""
    if value in (None, ""):
        return actor
    if isinstance(value, User):
        owner: User | None = value if value.is_active else None
    else:
        try:
            owner = User.objects.filter(pk=int(value), is_active=True).first()
        except (TypeError, ValueError):
            owner = None
    if owner is None:
        raise BusinessError(UNKNOWN_OWNER, field="owner")
    if owner.pk == actor.pk:
        return owner
    scope = scope_for(actor)
    if scope.is_all:
        return owner
    department = primary_department(owner)
    if department is not None and department.pk in scope.department_ids:
        return owner
    raise BusinessError(OWNER_NOT_ALLOWED, field="owner")


def _changeable(actor: User, customer: Customer) -> Customer:
    """The customer re-read under lock, if the actor may change it; otherwise 404-like (ORG-5)."""
    locked = Customer.objects.restrict(actor, "change").select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise BusinessError(NOT_FOUND)
    return locked


def customer_create(
    *,
    actor: User,
    data: Mapping[str, Any],
    contacts: Iterable[Mapping[str, Any]] = (),
    channel: str = DuplicateAttempt.Channel.WEB,
) -> Customer:
    """Register a customer (CUS-1) unless any of its identity keys is already registered (CUS-2).

    The owner defaults to the actor and the department to the owner's primary department.
    A duplicate is refused with ``customers.duplicate`` (masked to the actor's scope) and logged.
    """
    _require(actor, "customers.add_customer")
    fields = _clean(data, CUSTOMER_FIELDS | {"owner"})
    contact_rows = [_clean(row, CONTACT_FIELDS) for row in contacts]
    owner = _resolve_owner(actor, fields.pop("owner", None))
    if contact_rows:
        _require(actor, "customers.add_contact")
    customer = Customer(
        **fields,
        owner=owner,
        department=primary_department(owner),
        registered_by=actor,
        registered_at=timezone.now(),
    )
    new_contacts = [Contact(customer=customer, **row) for row in contact_rows]
    _validate_customer(customer, new_contacts)
    keys = dedup.desired_keys(customer, new_contacts)
    submitted = {**fields, "owner": owner.pk, "contacts": contact_rows}
    with dedup.refusal_logged(actor, channel, submitted), transaction.atomic():
        dedup.raise_if_taken(keys)  # rule: CUS-2 — first registration wins
        _fill_search_fields(customer)
        _versioned(customer, actor, str(_("Registered")))
        customer.save()
        for contact in new_contacts:
            contact.customer = customer
            _versioned(contact, actor, str(_("Registered with the customer")))
            contact.save()
        dedup.sync_identities(customer, new_contacts)
    return customer


def customer_update(
    *,
    actor: User,
    customer: Customer,
    data: Mapping[str, Any],
    reason: str = "",
    channel: str = DuplicateAttempt.Channel.WEB,
) -> Customer:
    """Edit a customer's details; the owner changes only by ``customer_transfer``.

    An edit that would give the customer a phone, name or e-mail another customer registered
    first is refused (CUS-2). No change, no new version.
    """
    _require(actor, "customers.change_customer")
    fields = _clean(data, CUSTOMER_FIELDS | {"owner", "department"})
    submitted = {**fields, "customer": customer.pk}
    with dedup.refusal_logged(actor, channel, submitted), transaction.atomic():
        locked = _changeable(actor, customer)
        owner = fields.pop("owner", None)
        department = fields.pop("department", None)
        if (owner not in (None, "") and getattr(owner, "pk", owner) != locked.owner_id) or (
            department not in (None, "") and getattr(department, "pk", department) != locked.department_id
        ):
            raise BusinessError(USE_TRANSFER, field="owner")
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        customer_changing(
            actor=actor, customer=locked, changes={name: fields[name] for name in changed}
        )  # rule: CUS-4, CUS-5, CUS-13
        for name in changed:
            setattr(locked, name, fields[name])
        contacts = list(locked.contacts.all())
        _validate_customer(locked, contacts)
        dedup.raise_if_taken(dedup.desired_keys(locked, contacts), exclude=locked.pk)
        _fill_search_fields(locked)
        _versioned(locked, actor, reason or str(_("Edited")))
        locked.save()
        dedup.sync_identities(locked, contacts)
    return locked


def contact_add(
    *, actor: User, customer: Customer, data: Mapping[str, Any], channel: str = DuplicateAttempt.Channel.WEB
) -> Contact:
    """Add a contact person; its phone and e-mail become identity keys of the customer (CUS-2)."""
    _require(actor, "customers.add_contact")
    fields = _clean(data, CONTACT_FIELDS)
    submitted = {**fields, "customer": customer.pk}
    with dedup.refusal_logged(actor, channel, submitted), transaction.atomic():
        locked = _changeable(actor, customer)
        contact = Contact(customer=locked, **fields)
        contacts = [*locked.contacts.all(), contact]
        _validate_customer(locked, contacts)
        dedup.raise_if_taken(dedup.desired_keys(locked, contacts), exclude=locked.pk)
        if contact.is_primary:
            _demote_primary(actor, locked, keep=None)
        _versioned(contact, actor, str(_("Contact added")))
        contact.save()
        dedup.sync_identities(locked, contacts)
    return contact


def contact_update(
    *,
    actor: User,
    contact: Contact,
    data: Mapping[str, Any],
    reason: str = "",
    channel: str = DuplicateAttempt.Channel.WEB,
) -> Contact:
    """Edit a contact person; a phone or e-mail registered to another customer is refused (CUS-2)."""
    _require(actor, "customers.change_contact")
    fields = _clean(data, CONTACT_FIELDS)
    submitted = {**fields, "contact": contact.pk, "customer": contact.customer_id}
    with dedup.refusal_logged(actor, channel, submitted), transaction.atomic():
        locked = _changeable(actor, Customer(pk=contact.customer_id))
        contacts = list(locked.contacts.all())
        target = next((c for c in contacts if c.pk == contact.pk), None)
        if target is None:
            raise BusinessError(NOT_FOUND)
        changed = [name for name, value in fields.items() if getattr(target, name) != value]
        if not changed:
            return target
        for name in changed:
            setattr(target, name, fields[name])
        _validate_customer(locked, contacts)
        dedup.raise_if_taken(dedup.desired_keys(locked, contacts), exclude=locked.pk)
        if target.is_primary and "is_primary" in changed:
            _demote_primary(actor, locked, keep=target.pk)
        _versioned(target, actor, reason or str(_("Contact edited")))
        target.save()
        dedup.sync_identities(locked, contacts)
    return target


def _demote_primary(actor: User, customer: Customer, keep: int | None) -> None:
    """One primary contact per customer: the others lose the flag, each change versioned."""
    for other in Contact.objects.filter(customer=customer, is_primary=True).exclude(pk=keep):
        other.is_primary = False
        _versioned(other, actor, str(_("Another contact became primary")))
        other.save(update_fields=["is_primary"])


def customer_check_duplicates(
    *, actor: User, name: str = "", phone: str = "", email: str = "", exclude: int | None = None
) -> list[DuplicateHit]:
    """Registered customers that a registration with these values would collide with (CUS-2).

    For inline feedback before saving: nothing is written or logged. Each hit is masked to the
    actor's scope exactly as the refusal would be.
    """
    if not (actor.has_perm("customers.add_customer") or actor.has_perm("customers.change_customer")):
        raise PermissionDenied
    probe = Customer(name=name or "", phone=phone or "", email=email or "")
    keys = dedup.customer_keys(probe)
    return dedup.describe(actor, dedup.taken_identities(keys, exclude=exclude))


def customer_transfer(
    *, actor: User, customer: Customer, new_owner: User | None, reason: str, rule_id: str = "ORG-5"
) -> Customer:
    """Give the customer to another owner (and that person's department); logged in OwnershipChange.

    rule: ORG-5 — ownership is managed by the customer-resource director (or the director):
    the verb permission and an all-customers data scope are both required.
    """
    if not actor.has_perm("customers.change_customer") or not scope_for(actor).is_all:
        raise BusinessError(TRANSFER_NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(REASON_REQUIRED, field="reason")
    if len(reason) > OwnershipChange._meta.get_field("reason").max_length:  # type: ignore[operator]
        raise ValidationError({"reason": _("The reason is too long.")})
    if new_owner is None or not new_owner.is_active:
        raise BusinessError(UNKNOWN_OWNER, field="new_owner")
    new_department: Department | None = primary_department(new_owner)
    with transaction.atomic():
        locked = _changeable(actor, customer)
        if locked.owner_id == new_owner.pk:
            raise BusinessError(SAME_OWNER, field="new_owner")
        old_owner_id, old_department_id = locked.owner_id, locked.department_id
        locked.owner = new_owner
        locked.department = new_department
        _versioned(locked, actor, reason)
        locked.save(update_fields=["owner", "department"])
        OwnershipChange.objects.create(
            customer=locked,
            changed_by=actor,
            old_owner_id=old_owner_id,
            new_owner=new_owner,
            old_department_id=old_department_id,
            new_department=new_department,
            reason=reason,
            rule_id=rule_id,
        )
        transaction.on_commit(lambda: _notify_transfer(actor, locked, old_owner_id))
    return locked


def _notify_transfer(actor: User, customer: Customer, old_owner_id: int | None) -> None:
    from django.urls import reverse

    from yingxiao.core.notifications import notify

    link = reverse("customers:detail", args=[customer.pk])
    message = _("Customer %(name)s has been transferred to you.")
    notify(customer.owner, message=_lazy_format(message, name=customer.name), link=link, actor=actor)
    if old_owner_id is not None:
        message = _("Customer %(name)s has been transferred to %(owner)s.")
        notify(
            User.objects.filter(pk=old_owner_id).first(),
            message=_lazy_format(message, name=customer.name, owner=str(customer.owner)),
            actor=actor,
        )


def _lazy_format(message: Any, **params: Any) -> Any:
    """Interpolate when rendered, so the recipient's notification is in the company's language."""
    return lazy(lambda: str(message) % params, str)()
