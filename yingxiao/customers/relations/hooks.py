"""The archive's edit path calls ``customer_changing`` before a customer's fields change.

``customers.services.customer_update`` calls it inside its transaction, with the customer row
locked and the changed fields, right before it assigns them::

    customer_changing(actor=actor, customer=locked, changes={name: fields[name] for name in changed})

- rule: CUS-5 — the step to 成交 is refused while the admission checklist is incomplete.
- rule: CUS-13 — the step to 成交 earns the referrer its reward (same transaction).
- rule: CUS-4 — leaving VIP completes any pending downgrade of the customer's evaluations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from yingxiao.org.models import User

from ..models import Customer
from .admission import admission_require
from .grades import mark_downgraded
from .referrals import grant_on_close


def customer_changing(*, actor: User | None, customer: Customer, changes: Mapping[str, Any]) -> None:
    """Enforce and trigger what a change of stage or grade means; raises before anything is written."""
    closing = changes.get("stage") == Customer.Stage.DEAL and customer.stage != Customer.Stage.DEAL
    if closing:
        admission_require(customer)
    if "grade" in changes and customer.grade == Customer.Grade.VIP and changes["grade"] != Customer.Grade.VIP:
        mark_downgraded(customer.pk, timezone.now())
    if closing:
        grant_on_close(actor, customer)
