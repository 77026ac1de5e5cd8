"""Approval actions (APR-1, ORG-4, HR-8): submit, decide, cancel, resubmit.

Every transition happens under a row lock on the request *and* a compare-and-set on its
``version``: two approvers clicking at once produce exactly one transition, the other gets
``approvals.already_decided`` and nothing changes. Each action writes a signed ``Decision``
row (the trail), runs the request type's callback inside the same transaction, and notifies
after commit.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.org.selectors import primary_department

from . import errors
from .models import Decision, Flow, Instance, Step, minute
from .registry import RequestType, get_request_type
from .routing import resolve_step

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from yingxiao.org.models import Department, User

DECISIONS = (Decision.Kind.APPROVE, Decision.Kind.REJECT, Decision.Kind.RETURN)


# --- helpers --------------------------------------------------------------------------------
def _request_type(code: str) -> RequestType:
    request_type = get_request_type(code)
    if request_type is None:
        raise BusinessError(errors.UNKNOWN_REQUEST_TYPE, field="request_type", code=code)
    return request_type


def _number(value: Any, *, field: str, maximum: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError(errors.BAD_VALUE, field=field) from exc
    if not number.is_finite() or number < 0 or (maximum is not None and number > maximum):
        raise BusinessError(errors.BAD_VALUE, field=field)
    return number


def flow_for(request_type: RequestType) -> Flow:
    """The stored flow of the type; created from the registered default steps the first time."""
    flow = Flow.objects.filter(request_type=request_type.code).first()
    if flow is not None:
        return flow
    if not request_type.steps:
        raise BusinessError(errors.NO_FLOW)
    try:
        with transaction.atomic():
            flow = Flow.objects.create(request_type=request_type.code, name=str(request_type.label))
            Step.objects.bulk_create(
                Step(
                    flow=flow,
                    order=index,
                    name=spec.name,
                    kind=spec.kind,
                    role_code=spec.role_code,
                    amount_at_least=spec.amount_at_least,
                    days_at_least=spec.days_at_least,
                    pct_at_least=spec.pct_at_least,
                )
                for index, spec in enumerate(request_type.steps, start=1)
            )
    except IntegrityError:  # created by a concurrent first submission
        flow = Flow.objects.get(request_type=request_type.code)
    return flow


def _record(
    instance: Instance,
    kind: str,
    *,
    actor: User | None,
    note: str = "",
    step: Step | None = None,
    acted_for: User | None = None,
) -> Decision:
    """Append one signed entry to the trail (HR-8: to the minute, signed, kept)."""
    decision = Decision(
        instance=instance,
        step=step,
        step_order=step.order if step else None,
        actor=actor,
        acted_for=acted_for,
        decision=kind,
        note=note,
        decided_at=minute(timezone.now()),
    )
    decision.signature = decision.compute_signature()
    decision.save()
    return decision


def _detail_link(instance: Instance) -> str:
    return reverse("approvals:detail", args=[instance.pk])


def _notify_later(recipient: User | None, message: str | Promise, instance: Instance, actor: User | None) -> None:
    if recipient is None:
        return
    link = _detail_link(instance)

    def send() -> None:
        from yingxiao.core.notifications import notify

        notify(recipient, message=message, link=link, actor=actor)

    transaction.on_commit(send)


def _notify_waiting(instance: Instance, actor: User | None) -> None:
    """Tell the approver a request waits for them; and their delegate if they are away (ORG-4)."""
    approver = instance.current_approver
    if approver is None:
        return
    message = format_lazy(_("Approval needed: {title}"), title=instance.title)
    _notify_later(approver, message, instance, actor)
    if not approver.is_available() and approver.delegate is not None:
        message = format_lazy(_("Approval needed on behalf of {who}: {title}"), who=str(approver), title=instance.title)
        _notify_later(approver.delegate, message, instance, actor)


def _advance(instance: Instance, *, after: int | None) -> list[Step]:
    """Move to the next step that applies and has an approver; approve when none is left.

    Changes the instance in memory only; returns the steps skipped on the way (for the trail).
    """
    skipped: list[Step] = []
    steps = instance.flow.steps.order_by("order")
    if after is not None:
        steps = steps.filter(order__gt=after)
    for step in steps:
        if not step.applies(amount=instance.amount, days=instance.days, pct=instance.pct):
            continue
        resolution = resolve_step(step, requester=instance.requester, department=instance.department)
        if resolution.approver is not None:
            instance.current_step = step
            instance.current_approver = resolution.approver
            return skipped
        if resolution.requester_is_top:
            # The requester holds the authority of this step themselves; nobody is above them.
            skipped.append(step)
            continue
        raise BusinessError(errors.NO_APPROVER, step=step.name or step.order)
    instance.status = Instance.Status.APPROVED
    instance.current_step = None
    instance.current_approver = None
    instance.closed_at = timezone.now()
    return skipped


def _record_skips(instance: Instance, skipped: list[Step]) -> None:
    for step in skipped:
        _record(instance, Decision.Kind.SKIP, actor=None, step=step, note=str(_("The requester holds this authority.")))


def _save_transition(instance: Instance, seen_version: int, fields: list[str]) -> None:
    """Compare-and-set: write only if nobody moved the request since ``seen_version``."""
    values = {name: getattr(instance, name) for name in fields}
    updated = Instance.objects.filter(pk=instance.pk, version=seen_version).update(version=F("version") + 1, **values)
    if updated != 1:
        raise BusinessError(errors.ALREADY_DECIDED)
    instance.version = seen_version + 1


def _finish(instance: Instance, request_type: RequestType) -> None:
    """Run the request type's callback for a closed request, inside the transaction."""
    callback = None
    if instance.status == Instance.Status.APPROVED:
        callback = request_type.on_approved
    elif instance.status == Instance.Status.REJECTED:
        callback = request_type.on_rejected
    elif instance.status == Instance.Status.CANCELLED:
        callback = request_type.on_cancelled or request_type.on_rejected
    if callback is not None:
        callback(instance)


def _lock(instance: Instance) -> Instance:
    return (
        Instance.objects.select_for_update(of=("self",))
        .select_related("flow", "current_step", "current_approver", "requester")
        .get(pk=instance.pk)
    )


_TRANSITION_FIELDS = ["status", "current_step", "current_approver", "closed_at"]


# --- actions --------------------------------------------------------------------------------
def approval_submit(
    *,
    actor: User | None,
    request_type: str,
    subject: models.Model | None,
    amount: Any = None,
    days: Any = None,
    pct: Any = None,
    note: str = "",
    title: str = "",
    department: Department | None = None,
) -> Instance:
    """Start a request of ``request_type`` about ``subject`` (``actor=None``: raised by the system).

    Routed to the first step that applies (APR-1 thresholds) and has someone to approve it;
    refused with ``approvals.no_approver`` when a step's posts are vacant all the way up.
    """
    kind = _request_type(request_type)
    amount_value = _number(amount, field="amount")
    days_value = _number(days, field="days")
    pct_value = _number(pct, field="pct", maximum=Decimal(100))
    if department is None:
        department = primary_department(actor) if actor is not None else None
    if department is None and subject is not None:
        department = getattr(subject, "department", None)
    with transaction.atomic():
        flow = flow_for(kind)
        instance = Instance(
            request_type=kind.code,
            flow=flow,
            title=(title or (f"{kind.label} · {subject}" if subject is not None else str(kind.label)))[:200],
            content_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
            object_id=subject.pk if subject is not None else None,
            requester=actor,
            department=department,
            amount=amount_value,
            days=days_value,
            pct=pct_value,
            note=note,
            status=Instance.Status.PENDING,
        )
        skipped = _advance(instance, after=None)
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError as exc:
            raise BusinessError(errors.ALREADY_OPEN) from exc
        _record(instance, Decision.Kind.SUBMIT, actor=actor, note=note)
        _record_skips(instance, skipped)
        if instance.status == Instance.Status.APPROVED:
            _finish(instance, kind)
        else:
            _notify_waiting(instance, actor)
    return instance


def acting_for(actor: User, instance: Instance) -> tuple[bool, User | None]:
    """(may decide, on behalf of whom): the approver themselves, or their delegate while they are away."""
    approver = instance.current_approver
    if instance.status != Instance.Status.PENDING or approver is None:
        return False, None
    if approver.pk == actor.pk:
        return True, None
    if approver.delegate_id == actor.pk and not approver.is_available():
        return True, approver
    return False, None


def approval_decide(
    *, actor: User, instance: Instance, decision: str, note: str = "", version: int | None = None
) -> Instance:
    """Approve, reject or return the request at its current step (APR-1).

    Refused, with nothing changed: a request that is closed or has moved on (``already_decided``,
    also when ``version`` — what the approver saw — is stale), one waiting for someone else
    (``not_yours``), a reject/return without a reason.
    """
    if decision not in DECISIONS:
        raise BusinessError(errors.BAD_DECISION, field="decision")
    note = (note or "").strip()
    if decision != Decision.Kind.APPROVE and not note:
        raise BusinessError(errors.NOTE_REQUIRED, field="note")
    with transaction.atomic():
        locked = _lock(instance)
        if locked.status != Instance.Status.PENDING or (version is not None and locked.version != version):
            raise BusinessError(errors.ALREADY_DECIDED)
        allowed, acted_for = acting_for(actor, locked)
        if not allowed:
            raise BusinessError(errors.NOT_YOUR_TURN)
        seen_version = locked.version
        step = locked.current_step
        _record(locked, decision, actor=actor, note=note, step=step, acted_for=acted_for)
        if decision == Decision.Kind.APPROVE:
            _record_skips(locked, _advance(locked, after=step.order if step else None))
        else:
            locked.status = Instance.Status.REJECTED if decision == Decision.Kind.REJECT else Instance.Status.RETURNED
            locked.current_step = None
            locked.current_approver = None
            locked.closed_at = timezone.now() if decision == Decision.Kind.REJECT else None
        _save_transition(locked, seen_version, _TRANSITION_FIELDS)
        _finish(locked, _request_type(locked.request_type))
        if locked.status == Instance.Status.PENDING:
            _notify_waiting(locked, actor)
        else:
            messages: dict[str, Any] = {
                Instance.Status.APPROVED: _("Approved: {title}"),
                Instance.Status.REJECTED: _("Rejected: {title}"),
                Instance.Status.RETURNED: _("Returned for revision: {title}"),
            }
            _notify_later(locked.requester, format_lazy(messages[locked.status], title=locked.title), locked, actor)
    instance.refresh_from_db()
    return instance


def approval_cancel(*, actor: User, instance: Instance, note: str = "") -> Instance:
    """The requester withdraws an open (pending or returned) request."""
    with transaction.atomic():
        locked = _lock(instance)
        if locked.requester_id != actor.pk:
            raise BusinessError(errors.NOT_REQUESTER)
        if not locked.can_cancel():
            raise BusinessError(errors.NOT_OPEN)
        seen_version = locked.version
        waiting = locked.current_approver
        _record(locked, Decision.Kind.CANCEL, actor=actor, note=(note or "").strip())
        locked.status = Instance.Status.CANCELLED
        locked.current_step = None
        locked.current_approver = None
        locked.closed_at = timezone.now()
        _save_transition(locked, seen_version, _TRANSITION_FIELDS)
        _finish(locked, _request_type(locked.request_type))
        _notify_later(waiting, format_lazy(_("Withdrawn: {title}"), title=locked.title), locked, actor)
    instance.refresh_from_db()
    return instance


def approval_resubmit(*, actor: User, instance: Instance, note: str = "", amount: Any = None) -> Instance:
    """The requester sends a returned request again; it restarts at the first step."""
    with transaction.atomic():
        locked = _lock(instance)
        if locked.requester_id != actor.pk:
            raise BusinessError(errors.NOT_REQUESTER)
        if locked.status != Instance.Status.RETURNED:
            raise BusinessError(errors.NOT_RETURNED)
        seen_version = locked.version
        if amount is not None:
            locked.amount = _number(amount, field="amount")
        _record(locked, Decision.Kind.RESUBMIT, actor=actor, note=(note or "").strip())
        locked.status = Instance.Status.PENDING
        _record_skips(locked, _advance(locked, after=None))
        _save_transition(locked, seen_version, [*_TRANSITION_FIELDS, "amount"])
        if locked.status == Instance.Status.APPROVED:
            _finish(locked, _request_type(locked.request_type))
        else:
            _notify_waiting(locked, actor)
    instance.refresh_from_db()
    return instance
