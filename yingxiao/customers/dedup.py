"""First registration wins (CUS-2): identity keys, duplicate hits, masked messages, refusal log.

A customer's identity keys are its normalised phone, name and e-mail and each contact's phone and
e-mail (empty values are not keys). ``CustomerIdentity`` holds one row per key with a unique
(kind, value) constraint, so the database — not a read-then-write check — decides who was first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from yingxiao.core.errors import BusinessError

from .errors import DUPLICATE_MASKED, DUPLICATE_UNOWNED, DUPLICATE_VISIBLE
from .models import Contact, Customer, CustomerIdentity, DuplicateAttempt
from .normalize import normalize_email, normalize_name, normalize_phone

if TYPE_CHECKING:
    from yingxiao.org.models import User

Key = tuple[str, str]  # (CustomerIdentity.Kind, normalised value)
_KIND_ORDER = {CustomerIdentity.Kind.PHONE: 0, CustomerIdentity.Kind.EMAIL: 1, CustomerIdentity.Kind.NAME: 2}


def customer_keys(customer: Customer) -> list[Key]:
    """The customer's own keys (rule: CUS-2).

    The name is a key for companies only: two different people may well both be called 张伟,
    while two registrations of 杭州华东机械 are the same company.
    """
    keys = [
        (CustomerIdentity.Kind.PHONE, normalize_phone(customer.phone)),
        (CustomerIdentity.Kind.EMAIL, normalize_email(customer.email)),
    ]
    if customer.kind == Customer.Kind.COMPANY:
        keys.append((CustomerIdentity.Kind.NAME, normalize_name(customer.name)))
    return [(str(kind), value) for kind, value in keys if value]


def contact_keys(contact: Contact) -> list[Key]:
    keys = [
        (CustomerIdentity.Kind.PHONE, normalize_phone(contact.phone)),
        (CustomerIdentity.Kind.EMAIL, normalize_email(contact.email)),
    ]
    return [(str(kind), value) for kind, value in keys if value]


def desired_keys(customer: Customer, contacts: Iterable[Contact]) -> dict[Key, Contact | None]:
    """Every key of the customer and its contacts, mapped to the contact it came from (None: the customer)."""
    result: dict[Key, Contact | None] = dict.fromkeys(customer_keys(customer))
    for contact in contacts:
        for key in contact_keys(contact):
            result.setdefault(key, contact)
    return result


@dataclass(frozen=True)
class DuplicateHit:
    """An identity already registered to another customer, described as far as the actor's scope allows."""

    kind: str
    value: str
    customer_id: int
    visible: bool
    customer_name: str  # empty unless the actor may see the customer
    owner_name: str
    department_name: str
    has_owner: bool

    def error(self) -> BusinessError:
        # rule: CUS-2 — the registrant learns who owns it; the customer's details only within their scope.
        if self.visible:
            return BusinessError(
                DUPLICATE_VISIBLE,
                field=self.kind,
                customer=self.customer_name,
                owner=self.owner_name or "—",
                department=self.department_name or "—",
            )
        if not self.has_owner:
            return BusinessError(DUPLICATE_UNOWNED, field=self.kind)
        return BusinessError(DUPLICATE_MASKED, field=self.kind, owner=self.owner_name, department=self.department_name)

    @property
    def message(self) -> str:
        return self.error().message


class DuplicateFound(Exception):
    """Internal: raised inside the write transaction, turned into a logged BusinessError outside it."""

    def __init__(self, identity: CustomerIdentity) -> None:
        self.identity = identity
        super().__init__(f"{identity.kind}:{identity.value}")


def _keys_q(keys: Iterable[Key]) -> Q:
    condition = Q(pk__in=[])
    for kind, value in keys:
        condition |= Q(kind=kind, value=value)
    return condition


def taken_identities(keys: Iterable[Key], exclude: int | None = None) -> list[CustomerIdentity]:
    """Identities among ``keys`` that belong to another customer, phone first, then e-mail, then name."""
    keys = list(keys)
    if not keys:
        return []
    rows = CustomerIdentity.objects.filter(_keys_q(keys)).select_related(
        "customer", "customer__owner", "customer__department"
    )
    if exclude is not None:
        rows = rows.exclude(customer_id=exclude)
    return sorted(rows, key=lambda row: (_KIND_ORDER.get(row.kind, 9), row.pk))


def raise_if_taken(keys: Iterable[Key], exclude: int | None = None) -> None:
    taken = taken_identities(keys, exclude)
    if taken:
        raise DuplicateFound(taken[0])


def describe(actor: User, identities: Iterable[CustomerIdentity]) -> list[DuplicateHit]:
    """One hit per existing customer, masked to what ``actor`` may see (one query for visibility)."""
    identities = list(identities)
    ids = {row.customer_id for row in identities}
    visible = set(Customer.objects.restrict(actor, "view").filter(pk__in=ids).values_list("pk", flat=True))
    hits: list[DuplicateHit] = []
    seen: set[int] = set()
    for row in identities:
        if row.customer_id in seen:
            continue
        seen.add(row.customer_id)
        customer = row.customer
        is_visible = row.customer_id in visible
        hits.append(
            DuplicateHit(
                kind=row.kind,
                value=row.value if is_visible else "",
                customer_id=row.customer_id,
                visible=is_visible,
                customer_name=customer.name if is_visible else "",
                owner_name=str(customer.owner) if customer.owner else "",
                department_name=customer.department.name if customer.department else "",
                has_owner=customer.owner_id is not None,
            )
        )
    return hits


def sync_identities(customer: Customer, contacts: Iterable[Contact]) -> None:
    """Make the customer's identity rows equal its current keys; a key owned elsewhere raises DuplicateFound.

    Must run inside the caller's transaction. The insert runs in a savepoint so that a unique
    violation from a concurrent registration (rule: CUS-2 race) leaves the transaction usable for
    finding out who won.
    """
    wanted = desired_keys(customer, contacts)
    existing = {(row.kind, row.value): row for row in CustomerIdentity.objects.filter(customer=customer)}
    stale = [row.pk for key, row in existing.items() if key not in wanted]
    if stale:
        CustomerIdentity.objects.filter(pk__in=stale).delete()
    for key, row in existing.items():
        contact = wanted.get(key)
        contact_id = contact.pk if contact is not None else None
        if key in wanted and row.contact_id != contact_id:
            row.contact_id = contact_id
            row.save(update_fields=["contact"])
    new = [
        CustomerIdentity(customer=customer, kind=kind, value=value, contact=contact)
        for (kind, value), contact in wanted.items()
        if (kind, value) not in existing
    ]
    if not new:
        return
    try:
        with transaction.atomic():
            CustomerIdentity.objects.bulk_create(new)
    except IntegrityError:
        taken = taken_identities([(row.kind, row.value) for row in new], exclude=customer.pk)
        if not taken:
            raise
        raise DuplicateFound(taken[0]) from None


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return getattr(value, "pk", None) or str(value)


@contextmanager
def refusal_logged(actor: User, channel: str, submitted: Mapping[str, Any]) -> Iterator[None]:
    """Turn DuplicateFound into the masked ``customers.duplicate`` error and log the attempt.

    Used around (outside) the write transaction: by the time the log is written the refused
    write has been rolled back, and the log is committed in a transaction of its own.
    """
    try:
        yield
    except DuplicateFound as found:
        identity = found.identity
        hit = describe(actor, [identity])[0]
        with transaction.atomic():
            DuplicateAttempt.objects.create(
                attempted_by=actor,
                existing_id=identity.customer_id,
                kind=identity.kind,
                value=identity.value,
                channel=channel,
                submitted=_json_safe(submitted),
            )
        raise hit.error() from None
