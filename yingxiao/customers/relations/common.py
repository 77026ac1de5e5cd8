"""Small helpers shared by the relation services: permission, scope, audit, text input."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.functional import Promise, lazy

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.guards import require_permission
from yingxiao.org.models import User

from ..models import Customer
from .errors import TEXT_REQUIRED

# The verb-permission guard every service here starts with (403 unless held).
require = require_permission


def customer_for(actor: User, customer: Customer | int, action: str = "change", lock: bool = False) -> Customer:
    """The customer re-read within the actor's scope for ``action`` (ORG-5), optionally locked; else 404-like."""
    pk = customer.pk if isinstance(customer, Customer) else customer
    queryset = Customer.objects.restrict(actor, action).filter(pk=pk)
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def versioned(obj: models.Model, actor: User | None, reason: str | Promise) -> None:
    """simple-history records who and why with the row it writes on the next save() (CUS-9)."""
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = str(reason)  # type: ignore[attr-defined]


def text(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Trimmed text input; empty refused when required, over-long refused always."""
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise BusinessError(TEXT_REQUIRED, field=field)
    if len(cleaned) > max_length:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({field: _("Ensure this value has at most %(limit)d characters.") % {"limit": max_length}})
    return cleaned


def customer_link(customer_id: int) -> str:
    return reverse("customers:detail", args=[customer_id])


def lazy_format(message: Any, **params: Any) -> Any:
    """Interpolate when rendered, so a notification is written in the company's language."""
    return lazy(lambda: str(message) % params, str)()
