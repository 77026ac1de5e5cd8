"""Reception records (ACT-7): one record per customer meeting, scoped by the customer."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.customers.models import Customer

from . import errors
from .models import ReceptionRecord
from .services import _text

if TYPE_CHECKING:
    from yingxiao.org.models import User


def reception_record(
    *,
    actor: User,
    customer: Customer | Any,
    met_at: dt.datetime | None,
    attendees: str,
    questions: str = "",
    answers: str = "",
    key_issues: str = "",
) -> ReceptionRecord:
    """rule: ACT-7 — record a customer meeting: attendees, questions, answers, key issues."""
    if not actor.has_perm("telesales.add_receptionrecord"):
        raise BusinessError(errors.NO_PERMISSION)
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    visible = Customer.objects.restrict(actor, "view").filter(pk=customer_id).first() if customer_id else None
    if visible is None:
        raise BusinessError(NOT_FOUND)
    if met_at is None:
        raise BusinessError(errors.REQUIRED, field="met_at", field_name=_("meeting time"))
    record = ReceptionRecord(
        customer=visible,
        met_at=met_at,
        attendees=_text(attendees, "attendees", limit=2000, required=True),
        questions=_text(questions, "questions", limit=8000),
        answers=_text(answers, "answers", limit=8000),
        key_issues=_text(key_issues, "key_issues", limit=8000),
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise BusinessError(errors.DUPLICATE_RECEPTION) from exc
    return record
