"""Versions (django-simple-history) of many rows at once, copied from the rows themselves.

Bulk writers (the customer import, pay statements) change thousands of rows in a few statements;
their history must say so as ``save()`` and ``delete()`` would (CUS-9, and the audit history every
business record keeps). Building a historical model instance per row was most of such a write's
Python time: here ONE ``INSERT … SELECT`` per chunk copies the tracked columns of the rows into
the historical table with the version's date, user, reason and type (``+`` created, ``~`` changed,
``-`` deleted — copied before the rows go).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection, models

from .sql import array_literal

if TYPE_CHECKING:
    from yingxiao.org.models import User

CREATED, CHANGED, DELETED = "+", "~", "-"
# What simple-history adds to a model's own columns in its historical table.
_VERSION_COLUMNS = frozenset({"history_id", "history_date", "history_change_reason", "history_type", "history_user"})
_CHUNK = 5000


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def copy_versions(
    model: type[models.Model],
    ids: Sequence[int],
    *,
    actor: User | None,
    when: dt.datetime,
    kind: str = CREATED,
    reason: str | None = None,
) -> None:
    """A version of each row of ``model`` with these ids, in id order, as simple-history records it."""
    if not ids:
        return
    history = model.history.model  # type: ignore[attr-defined]
    own = {field.name for field in model._meta.concrete_fields}
    tracked = [field for field in history._meta.concrete_fields if field.name in own]
    extra = {field.name for field in history._meta.concrete_fields} - own
    if extra != _VERSION_COLUMNS:  # a versioning option this copy does not know: refuse, never guess
        raise NotImplementedError(f"{history._meta.label}: unexpected history columns {sorted(extra)}")
    target = [_quote(field.column) for field in tracked]
    source = [_quote(model._meta.get_field(field.name).column) for field in tracked]
    versions = ["history_date", "history_change_reason", "history_type", "history_user"]
    target += [_quote(history._meta.get_field(name).column) for name in versions]
    pk = _quote(model._meta.pk.column)
    ordered = sorted(ids)
    on_postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            if on_postgres:  # one array parameter, not one per id
                where, values = f"{pk} = ANY(%s::bigint[])", [array_literal(chunk, "bigint")]
            else:
                where, values = f"{pk} IN ({', '.join(['%s'] * len(chunk))})", chunk
            cursor.execute(
                f"INSERT INTO {_quote(history._meta.db_table)} ({', '.join(target)}) "  # noqa: S608 - model names only
                f"SELECT {', '.join(source)}, %s, %s, %s, %s FROM {_quote(model._meta.db_table)} "
                f"WHERE {where} ORDER BY {pk}",
                [when, reason, kind, actor.pk if actor is not None else None, *values],
            )
