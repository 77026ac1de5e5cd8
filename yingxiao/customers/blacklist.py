"""Customer blacklist through approval (销售客户黑名单, CUS-3).

rule: CUS-3 — anyone who may change a customer asks for it to be blacklisted, with a reason;
the request goes to the approvals engine as type ``blacklist`` (approved by the marketing
management — the sales director). On approval the customer is flagged (``is_blacklisted``,
versioned) and the ``BlacklistRecord`` keeps the reason, the approver and when; on rejection
(or withdrawal) nothing changes on the customer. The flag shows wherever the customer does
(list badge, detail banner, API field); refusing quotes, orders and contracts comes with sales.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, get_request_type, register_request_type
from yingxiao.core.errors import NOT_FOUND, BusinessError

from . import pool_errors as errors
from .models import BlacklistRecord, Customer

if TYPE_CHECKING:
    from yingxiao.approvals.models import Instance
    from yingxiao.org.models import User

REQUEST_TYPE = "blacklist"
REQUEST_PERMISSION = "customers.change_customer"
# The approvals app ships the same default flow; whichever registers first, the steps agree.
DEFAULT_STEPS = (StepSpec("role", role_code="sales_director", name="销售总监"),)


def customer_blacklist_request(*, actor: User, customer: Customer | int, reason: str) -> BlacklistRecord:
    """Ask for ``customer`` to be blacklisted; returns the pending record with its approval request.

    Refused, nothing changed: no permission or out of scope (404), no reason, already
    blacklisted, or a request already waiting.
    """
    from yingxiao.approvals import errors as approval_errors
    from yingxiao.approvals.services import approval_submit

    if not actor.is_authenticated or not actor.has_perm(REQUEST_PERMISSION):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(errors.BLACKLIST_REASON, field="reason")
    pk = customer.pk if isinstance(customer, Customer) else int(customer)
    with transaction.atomic():
        locked = Customer.objects.restrict(actor, "view").select_for_update().filter(pk=pk).first()
        if locked is None:
            raise BusinessError(NOT_FOUND)
        if locked.is_blacklisted:
            raise BusinessError(errors.ALREADY_BLACKLISTED)
        try:
            with transaction.atomic():
                record = BlacklistRecord.objects.create(customer=locked, reason=reason[:500], requested_by=actor)
        except IntegrityError as exc:
            raise BusinessError(errors.BLACKLIST_PENDING) from exc
        try:
            instance = approval_submit(
                actor=actor,
                request_type=REQUEST_TYPE,
                subject=locked,
                note=reason,
                title=gettext("Blacklist customer %(name)s") % {"name": locked.name},
            )
        except BusinessError as exc:
            if exc.error is approval_errors.ALREADY_OPEN:
                raise BusinessError(errors.BLACKLIST_PENDING) from exc
            raise
        BlacklistRecord.objects.filter(pk=record.pk).update(approval=instance)
        record.refresh_from_db()
    return record


def _pending_record(instance: Instance) -> BlacklistRecord | None:
    return (
        BlacklistRecord.objects.select_for_update()
        .filter(customer_id=instance.object_id, status=BlacklistRecord.Status.PENDING)
        .order_by("-pk")
        .first()
    )


def _decider(instance: Instance) -> User | None:
    decision = instance.decisions.exclude(decision="submit").order_by("-decided_at", "-pk").first()
    if decision is None:  # approved on submission: the requester holds the authority
        return instance.requester
    return decision.actor


def on_approved(instance: Instance) -> None:
    """rule: CUS-3 — flag the customer, recording the reason, approver and time (inside the decision)."""
    record = _pending_record(instance)
    if record is None:
        return
    approver = _decider(instance)
    now = timezone.now()
    BlacklistRecord.objects.filter(pk=record.pk).update(
        status=BlacklistRecord.Status.APPROVED, decided_by=approver, decided_at=now, approval=instance
    )
    customer = Customer.objects.select_for_update().get(pk=record.customer_id)
    if not customer.is_blacklisted:
        customer.is_blacklisted = True
        customer._history_user = approver  # type: ignore[attr-defined]
        customer._change_reason = gettext("Blacklisted (CUS-3): %(reason)s") % {"reason": record.reason}  # type: ignore[attr-defined]
        customer.save(update_fields=["is_blacklisted"])


def on_rejected(instance: Instance) -> None:
    """Rejected or withdrawn: the request is closed, the customer is untouched."""
    record = _pending_record(instance)
    if record is None:
        return
    BlacklistRecord.objects.filter(pk=record.pk).update(
        status=BlacklistRecord.Status.REJECTED, decided_by=_decider(instance), decided_at=timezone.now()
    )


def blacklist_record_of(customer: Customer) -> BlacklistRecord | None:
    """The approved record behind the flag (reason, approver, when), or the pending request."""
    return (
        BlacklistRecord.objects.filter(
            customer=customer, status__in=[BlacklistRecord.Status.APPROVED, BlacklistRecord.Status.PENDING]
        )
        .select_related("decided_by", "requested_by", "approval")
        .order_by("-requested_at", "-pk")
        .first()
    )


def _register() -> None:
    existing = get_request_type(REQUEST_TYPE)
    register_request_type(
        REQUEST_TYPE,
        existing.label if existing else _("Customer blacklist"),
        steps=existing.steps if existing and existing.steps else DEFAULT_STEPS,
        on_approved=on_approved,
        on_rejected=on_rejected,
    )


_register()
