"""Registering many customers at once, writing what ``services.customer_create`` writes for one (CUS-2, CUS-9).

Per customer: its row (no owner — CUS-6 allocates it —, the department given, registered by the
actor now, the search helper columns of ``search.search_fields``); its first version in the history
(CUS-9: the actor and the reason); its contact person when one is given (primary, as the
registration form makes it) with that contact's first version; and the identity keys of both
(CUS-2, as ``dedup.desired_keys`` makes them). An imported customer differs from one registered
one by one only in its owner (none yet, so the importer's department) and its first version's reason.

PostgreSQL, set-based: the ids come from the tables' sequences first; the identity keys are written
first, by ``COPY`` — the unique (kind, value) constraint decides a race with a concurrent
registration of the same phone, name or e-mail (the copy waits for that transaction; if it
committed, the whole batch is refused) before anything else is written; then the customers and
contacts by ``COPY``, streamed while their search columns are computed; then each table's first
versions by one ``INSERT … SELECT`` from the rows just written (the columns simple-history copies
on save). No model instances, no signals (``bulk_create`` sends none either), memory bounded by the
rows themselves.

Elsewhere (SQLite, the embedded default): ``bulk_create_with_history`` in batches.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from yingxiao.core.history_sql import copy_versions
from yingxiao.core.sql import next_ids

from .models import Contact, Customer, CustomerIdentity
from .search import search_fields

if TYPE_CHECKING:
    from yingxiao.org.models import Department, User

    from .imports import ImportRow

_BATCH = 2000


def customers_create_many(
    *, actor: User, rows: Sequence[ImportRow], department: Department | None, reason: str
) -> list[int]:
    """Create a customer per row (inside the caller's transaction); their ids, in the order of ``rows``.

    Raises ``IntegrityError`` when any identity key is registered meanwhile (rule: CUS-2): nothing
    of the batch remains once the caller's transaction rolls back.
    """
    if not rows:
        return []
    contact_reason = str(_("Registered with the customer"))  # the reason one-by-one registration gives
    if connection.vendor == "postgresql":
        return _create_postgresql(actor, rows, department, reason, contact_reason)
    return _create_portable(actor, rows, department, reason, contact_reason)


def _customer_values(row: ImportRow) -> dict[str, Any]:
    fields = row.customer_fields()
    return fields | search_fields(fields["name"], fields["phone"])


# --- PostgreSQL ------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _copy(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``COPY table (columns) FROM STDIN`` of ``rows``, streamed; database errors as Django's."""
    meta = model._meta
    columns = ", ".join(_quote(meta.get_field(name).column) for name in names)
    sql = f"COPY {_quote(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _create_postgresql(
    actor: User, rows: Sequence[ImportRow], department: Department | None, reason: str, contact_reason: str
) -> list[int]:
    now = timezone.now()
    ids = next_ids(Customer, len(rows))
    contacts = [(customer_id, row.contact_fields()) for customer_id, row in zip(ids, rows, strict=True)]
    contacts = [(customer_id, fields) for customer_id, fields in contacts if fields is not None]
    contact_ids = next_ids(Contact, len(contacts))
    contact_of = {customer_id: pk for (customer_id, _fields), pk in zip(contacts, contact_ids, strict=True)}

    # rule: CUS-2 — the keys first: a key registered meanwhile refuses the batch before the rest is written.
    _copy(
        CustomerIdentity,
        ["customer", "kind", "value", "contact"],
        (
            (customer_id, kind, value, contact_of[customer_id] if from_contact else None)
            for customer_id, row in zip(ids, rows, strict=True)
            for (kind, value), from_contact in row.key_sources().items()
        ),
    )

    fields = list(Customer._meta.concrete_fields)
    names = [field.attname for field in fields]
    defaults = {field.attname: _plain(field.get_default()) for field in fields}
    fixed = {
        "owner_id": None,  # rule: CUS-6 — central archives start without an owner, to be allocated
        "department_id": department.pk if department is not None else None,
        "registered_by_id": actor.pk,
        "registered_at": now,
    }

    def customer_rows() -> Iterator[list[Any]]:
        for customer_id, row in zip(ids, rows, strict=True):
            values = defaults | _customer_values(row) | fixed
            values["id"] = customer_id
            yield [values[name] for name in names]

    _copy(Customer, names, customer_rows())

    if contacts:
        contact_fields = list(Contact._meta.concrete_fields)
        contact_names = [field.attname for field in contact_fields]
        contact_defaults = {field.attname: _plain(field.get_default()) for field in contact_fields}

        def contact_rows() -> Iterator[list[Any]]:
            for (customer_id, values), pk in zip(contacts, contact_ids, strict=True):
                row = contact_defaults | values | {"id": pk, "customer_id": customer_id, "created_at": now}
                yield [row[name] for name in contact_names]

        _copy(Contact, contact_names, contact_rows())

    # rule: CUS-9 — who registered them and why, as on every registration.
    copy_versions(Customer, ids, actor=actor, when=now, reason=reason)
    if contact_ids:
        copy_versions(Contact, contact_ids, actor=actor, when=now, reason=contact_reason)
    return ids


# --- portable (SQLite) -----------------------------------------------------------------------------


def _create_portable(
    actor: User, rows: Sequence[ImportRow], department: Department | None, reason: str, contact_reason: str
) -> list[int]:
    now = timezone.now()
    customers = [
        Customer(**_customer_values(row), owner=None, department=department, registered_by=actor, registered_at=now)
        for row in rows
    ]
    created = bulk_create_with_history(
        customers, Customer, batch_size=_BATCH, default_user=actor, default_change_reason=reason
    )
    if any(customer.pk is None for customer in created):  # backends without RETURNING
        created = list(Customer.objects.filter(registered_by=actor, registered_at=now).order_by("pk"))
    contacts: dict[int, Contact] = {}
    for customer, row in zip(created, rows, strict=True):
        fields = row.contact_fields()
        if fields is not None:
            contacts[customer.pk] = Contact(customer=customer, **fields)
    if contacts:
        saved = bulk_create_with_history(
            list(contacts.values()),
            Contact,
            batch_size=_BATCH,
            default_user=actor,
            default_change_reason=contact_reason,
        )
        if any(contact.pk is None for contact in saved):
            contacts = {c.customer_id: c for c in Contact.objects.filter(customer_id__in=list(contacts))}
    identities = [
        CustomerIdentity(
            customer=customer, kind=kind, value=value, contact=contacts[customer.pk] if from_contact else None
        )
        for customer, row in zip(created, rows, strict=True)
        for (kind, value), from_contact in row.key_sources().items()
    ]
    CustomerIdentity.objects.bulk_create(identities, batch_size=_BATCH)
    return [customer.pk for customer in created]
