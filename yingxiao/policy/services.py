"""Policy configuration writes: catalog synchronisation and versioned policy changes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from yingxiao.core.errors import PERMISSION_DENIED, BusinessError

from . import errors, kinds, values
from .catalog import BY_NAME, CATALOG
from .models import PolicyParameter, PolicyValue

if TYPE_CHECKING:
    from yingxiao.org.models import User

CHANGE_PERMISSION = "policy.add_policyvalue"
# A change takes effect from now on; a minute of slack for a form submitted "now".
_BACKDATE_SLACK = dt.timedelta(minutes=1)


def sync_catalog(*, using: str = "default") -> int:
    """Write the catalog's definitions to ``PolicyParameter`` (idempotent); returns rows written."""
    existing = {p.name: p for p in PolicyParameter.objects.using(using).all()}
    written = 0
    for position, spec in enumerate(CATALOG):
        with translation.override("en"):
            description_en = str(spec.description)
        with translation.override("zh-hans"):
            description_zh = str(spec.description)
        fields = {
            "rule_id": spec.rule_id,
            "section": spec.section,
            "kind": spec.kind,
            "unit": spec.unit,
            "description_en": description_en,
            "description_zh": description_zh,
            "default": spec.default,
            "position": position,
        }
        current = existing.get(spec.name)
        if current is None:
            PolicyParameter.objects.using(using).create(name=spec.name, **fields)
            written += 1
        elif any(getattr(current, key) != value for key, value in fields.items()):
            PolicyParameter.objects.using(using).filter(pk=current.pk).update(**fields)
            written += 1
    return written


def policy_change(
    *,
    actor: User,
    name: str,
    value: Any,
    effective_from: dt.datetime | None = None,
    reason: str,
) -> PolicyValue:
    """Change a policy parameter from ``effective_from`` (default now): a new version, never an edit.

    Refused with a clear message, nothing saved: no permission, unknown parameter, a value the
    parameter's type does not accept, no reason, a time in the past, a clash with another change.
    """
    if not actor.has_perm(CHANGE_PERMISSION):
        raise BusinessError(PERMISSION_DENIED)
    spec = BY_NAME.get(name)
    if spec is None:
        raise BusinessError(errors.UNKNOWN_PARAMETER, field="name", name=name)
    parsed = kinds.parse(spec, value)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(errors.REASON_REQUIRED, field="reason")
    now = timezone.now()
    effective_from = effective_from or now
    if timezone.is_naive(effective_from):
        effective_from = timezone.make_aware(effective_from)
    if effective_from < now - _BACKDATE_SLACK:
        raise BusinessError(errors.BACKDATED, field="effective_from")
    stored = kinds.to_json(spec, parsed)
    with transaction.atomic():
        parameter = PolicyParameter.objects.select_for_update().get(name=name)  # serialise changes per parameter
        values.invalidate()
        previous = values.stored_value(name, at=effective_from)
        if previous == stored:
            raise BusinessError(errors.UNCHANGED, field="value", name=name)
        try:
            with transaction.atomic():
                version = PolicyValue.objects.create(
                    parameter=parameter,
                    value=stored,
                    previous_value=previous,
                    effective_from=effective_from,
                    changed_by=actor,
                    reason=reason[:500],
                )
        except IntegrityError as exc:
            raise BusinessError(errors.SAME_TIME, field="effective_from", name=name) from exc
        transaction.on_commit(values.invalidate)
    values.invalidate()
    return version
