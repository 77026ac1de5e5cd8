"""Complaint actions (CMP-1…CMP-6): intake, responsibility, solution, progress, survey, closing.

Every status change goes through ``_move`` — the transition table on the model, a
compare-and-set on ``version`` and a ``ComplaintEvent`` — inside the action's transaction.
Notifications are sent after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingxiao.approvals.models import Decision, Instance
from yingxiao.approvals.services import acting_for, approval_decide, approval_submit
from yingxiao.core.errors import CONFLICT, NOT_FOUND, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.customers.models import Customer
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from . import errors, sla
from .models import CUSTOMER_SERVICE_ROLES, Complaint, ComplaintEvent, Solution, Survey

if TYPE_CHECKING:
    from django.utils.functional import Promise

SOLUTION_REQUEST = "complaint_solution"
_CENT = Decimal("0.01")
_QUALITY_FIELDS = ("invoice_no", "product", "spec", "quantity", "grade", "purchase_date")
Status = Complaint.Status


# --- helpers --------------------------------------------------------------------------------
def complaint_link(complaint: Complaint) -> str:
    return reverse("service:detail", args=[complaint.pk])


def _later(recipient: User | None, message: str | Promise, link: str, actor: User | None = None) -> None:
    if recipient is not None:
        transaction.on_commit(lambda: notify(recipient, message=message, link=link, actor=actor))


def _text(value: Any, field: str, *, required: bool = True, limit: int = 4000) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise BusinessError(errors.REQUIRED, field=field, field_name=field)
    if len(text) > limit:
        raise BusinessError(errors.BAD_VALUE, field=field, field_name=field)
    return text


def is_customer_service(actor: User) -> bool:
    return bool(scope_for(actor).role_codes & CUSTOMER_SERVICE_ROLES)


def may_handle(actor: User, complaint: Complaint) -> bool:
    """The responsible department (its head, or a member with the verb) or the director (CMP-2, CMP-3)."""
    if not actor.has_perm("service.change_complaint"):
        return False
    scope = scope_for(actor)
    if scope.is_all or complaint.responsible_department_id in scope.department_ids:
        return True
    department = primary_department(actor)
    return department is not None and department.pk == complaint.responsible_department_id


def may_follow_up(actor: User, complaint: Complaint) -> bool:
    """Customer service or the handlers talk to the customer, call back and close (CMP-4, CMP-5)."""
    return may_handle(actor, complaint) or (actor.has_perm("service.change_complaint") and is_customer_service(actor))


def _require(check: Callable[[User, Complaint], bool], actor: User, complaint: Complaint, error: Any) -> None:
    if not check(actor, complaint):
        raise BusinessError(error)


def _event(
    complaint: Complaint,
    kind: str,
    *,
    actor: User | None,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    channel: str = "",
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        message=message,
        from_status=from_status,
        to_status=to_status,
        channel=channel,
    )


def _refuse(complaint: Complaint, action: str | Promise) -> BusinessError:
    return BusinessError(errors.BAD_TRANSITION, status=complaint.get_status_display(), action=str(action))


def _move(
    complaint: Complaint, to: str, *, actor: User | None, action: str | Promise, message: str = "", **fields: Any
) -> None:
    """rule: CMP-2/3/5 — one transition of the table, compare-and-set, with its status event."""
    if not complaint.can_move_to(to):
        raise _refuse(complaint, action)
    seen, before = complaint.version, complaint.status
    updated = Complaint.objects.filter(pk=complaint.pk, version=seen, status=before).update(
        status=to, version=F("version") + 1, **fields
    )
    if updated != 1:
        raise BusinessError(CONFLICT)
    complaint.status, complaint.version = to, seen + 1
    for name, value in fields.items():
        setattr(complaint, name, value)
    _event(complaint, ComplaintEvent.Kind.STATUS, actor=actor, from_status=before, to_status=to, message=message)


def _locked(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update().select_related("customer", "responsible_department").get(pk=complaint.pk)
    )


def fine_range(category: str, at: dt.datetime | None = None) -> tuple[Decimal, Decimal]:
    """rule: CMP-6 — service complaints ``service_complaint_fine``, quality and others ``complaint_fine``."""
    name = "service_complaint_fine" if category == Complaint.Category.SERVICE else "complaint_fine"
    low, high = policy_value(name, at=at)
    return Decimal(str(low)), Decimal(str(high))


def _fine(value: Any, category: str) -> Decimal:
    low, high = fine_range(category)
    try:
        amount = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise BusinessError(errors.FINE_OUT_OF_RANGE, field="fine_amount", low=low, high=high) from exc
    if not amount.is_finite() or amount < low or amount > high:
        raise BusinessError(errors.FINE_OUT_OF_RANGE, field="fine_amount", low=low, high=high)
    return amount


# --- CMP-1 intake ---------------------------------------------------------------------------
def intake_customer(actor: User, customer_id: Any) -> Customer:
    """The complainant's customer: any customer for customer service, else one in the actor's scope."""
    base = Customer.objects.all()
    if not (scope_for(actor).is_all or is_customer_service(actor)):
        base = base.restrict(actor, "view")
    try:
        return base.get(pk=int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND, field="customer") from exc


def _quality(category: str, details: dict[str, Any]) -> dict[str, Any]:
    """rule: CMP-1 — a quality complaint records invoice, product, spec, quantity, grade, purchase date."""
    clean: dict[str, Any] = {
        "invoice_no": _text(details.get("invoice_no"), "invoice_no", required=False, limit=60),
        "product": _text(details.get("product"), "product", required=False, limit=120),
        "spec": _text(details.get("spec"), "spec", required=False, limit=120),
        "grade": _text(details.get("grade"), "grade", required=False, limit=60),
        "quantity": None,
        "purchase_date": details.get("purchase_date") or None,
    }
    quantity = details.get("quantity")
    if quantity not in (None, ""):
        try:
            clean["quantity"] = Decimal(str(quantity))
        except (InvalidOperation, ValueError) as exc:
            raise BusinessError(errors.BAD_VALUE, field="quantity", field_name="quantity") from exc
        if not clean["quantity"].is_finite() or clean["quantity"] <= 0 or clean["quantity"] >= Decimal("1e10"):
            raise BusinessError(errors.BAD_VALUE, field="quantity", field_name="quantity")
    if clean["purchase_date"] is not None and not isinstance(clean["purchase_date"], dt.date):
        raise BusinessError(errors.BAD_VALUE, field="purchase_date", field_name="purchase_date")
    if category == Complaint.Category.QUALITY:
        missing = [name for name in _QUALITY_FIELDS if clean[name] in (None, "")]
        if missing:
            raise BusinessError(errors.QUALITY_DETAILS, field=missing[0])
    return clean


def complaint_intake(
    *,
    actor: User,
    customer: Customer,
    complainant: str,
    contact: str,
    matter: str,
    category: str,
    received_at: dt.datetime | None = None,
    channel: str = Complaint.Channel.UI,
    responsible_department: Department | None = None,
    **quality: Any,
) -> Complaint:
    """rule: CMP-1 — register a complaint (UI, API or a phone call logged by customer service).

    The SLA clocks (CMP-2, CMP-5) start at the time of the complaint; the head of the
    responsible department (default: the customer's department) is told at once.
    """
    if not actor.has_perm("service.add_complaint"):
        raise BusinessError(errors.NO_PERMISSION)
    if category not in Complaint.Category.values:
        raise BusinessError(errors.BAD_CATEGORY, field="category")
    if channel not in Complaint.Channel.values:
        raise BusinessError(errors.BAD_VALUE, field="channel", field_name="channel")
    unknown = set(quality) - set(_QUALITY_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise BusinessError(errors.BAD_VALUE, field="received_at", field_name="received_at")
    fields = {
        "complainant": _text(complainant, "complainant", limit=100),
        "contact": _text(contact, "contact", limit=100),
        "matter": _text(matter, "matter"),
        **_quality(category, quality),
    }
    department = responsible_department or customer.department or primary_department(actor)
    if department is None:
        raise BusinessError(errors.REQUIRED, field="responsible_department", field_name="responsible_department")
    assign_due, close_due = sla.deadlines(received_at)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            customer=customer,
            category=category,
            channel=channel,
            received_at=received_at,
            responsible_department=department,
            assign_due_at=assign_due,
            close_due_at=close_due,
            recorded_by=actor,
            **fields,
        )
        _event(complaint, ComplaintEvent.Kind.STATUS, actor=actor, to_status=Status.RECEIVED, message=fields["matter"])
        message = format_lazy(
            _("New complaint from {customer}: define responsibility and a plan by {due}."),
            customer=customer.name,
            due=timezone.localtime(assign_due).strftime("%Y-%m-%d %H:%M"),
        )
        _later(sla.acting_head(department), message, complaint_link(complaint), actor)
    return complaint


# --- CMP-2 responsibility and plan ------------------------------------------------------------
def complaint_assign(
    *,
    actor: User,
    complaint: Complaint,
    cause: str,
    responsibility: str,
    plan: str,
    responsible_person: User | None = None,
) -> Complaint:
    """rule: CMP-2 — the responsible department defines responsibility and a plan."""
    _require(may_handle, actor, complaint, errors.NOT_HANDLER)
    if cause not in Complaint.Cause.values:
        raise BusinessError(errors.BAD_VALUE, field="cause", field_name="cause")
    fields = {
        "cause": cause,
        "responsibility": _text(responsibility, "responsibility"),
        "plan": _text(plan, "plan"),
        "responsible_person": responsible_person,
        "assigned_at": timezone.now(),
    }
    with transaction.atomic():
        locked = _locked(complaint)
        _move(
            locked,
            Status.ASSIGNED,
            actor=actor,
            action=pgettext_lazy("complaint action", "assigned"),
            message=fields["plan"],
            **fields,
        )
        _later(responsible_person, _("A complaint was assigned to you."), complaint_link(locked), actor)
    return locked


# --- CMP-3 solution, approved by the marketing director -------------------------------------
def solution_propose(
    *,
    actor: User,
    complaint: Complaint,
    measures: str,
    deadline: dt.date,
    department: Department | None = None,
    attributable: bool = False,
    attributed_to: User | None = None,
) -> Solution:
    """rule: CMP-3 — name responsible department, measures and deadline; send it to the director."""
    _require(may_handle, actor, complaint, errors.NOT_HANDLER)
    text = _text(measures, "measures")
    if not isinstance(deadline, dt.date):
        raise BusinessError(errors.REQUIRED, field="deadline", field_name="deadline")
    if deadline < timezone.localdate():
        raise BusinessError(errors.BAD_VALUE, field="deadline", field_name="deadline")
    with transaction.atomic():
        locked = _locked(complaint)
        department = department or locked.responsible_department
        if attributable and attributed_to is None:
            attributed_to = locked.responsible_person or sla.responsible_head(department)
        _move(
            locked,
            Status.SOLUTION,
            actor=actor,
            action=pgettext_lazy("complaint action", "sent for approval"),
            message=text,
        )
        solution = Solution.objects.create(
            complaint=locked,
            department=department,
            measures=text,
            deadline=deadline,
            attributable=bool(attributable),
            attributed_to=attributed_to if attributable else None,
            proposed_by=actor,
        )
        instance = approval_submit(
            actor=actor,
            request_type=SOLUTION_REQUEST,
            subject=solution,
            note=text,
            title=str(format_lazy(_("Complaint solution #{pk}: {customer}"), pk=locked.pk, customer=locked.customer)),
            department=department,
        )
        Solution.objects.filter(pk=solution.pk).update(approval=instance)
        solution.approval = instance
    complaint.refresh_from_db()
    return solution


def pending_solution(complaint: Complaint) -> Solution | None:
    return (
        complaint.solutions.filter(status=Solution.Status.PENDING).select_related("approval", "attributed_to").first()
    )


def approved_solution(complaint: Complaint) -> Solution | None:
    return complaint.solutions.filter(status=Solution.Status.APPROVED).first()


def solution_decide(
    *, actor: User, complaint: Complaint, decision: str, note: str = "", fine_amount: Any = None
) -> Solution:
    """rule: CMP-3, CMP-6 — the director decides the solution; for an attributable complaint the
    director also chooses the fine within the policy range (refused outside it, nothing changed)."""
    solution = pending_solution(complaint)
    if solution is None or solution.approval is None:
        raise _refuse(complaint, pgettext_lazy("complaint action", "decided"))
    allowed, _for = acting_for(actor, solution.approval)
    if not allowed:
        raise BusinessError(errors.NOT_APPROVER)
    with transaction.atomic():
        if decision == Decision.Kind.APPROVE and solution.attributable:
            amount = _fine(fine_amount, complaint.category)
            Solution.objects.filter(pk=solution.pk).update(fine_amount=amount, fine_set_by=actor)
        approval_decide(actor=actor, instance=solution.approval, decision=decision, note=note)
    solution.refresh_from_db()
    return solution


def _decider(instance: Instance) -> User | None:
    decision = instance.decisions.exclude(actor__isnull=True).order_by("-decided_at", "-id").first()
    return decision.actor if decision is not None else None


def solution_on_approved(instance: Instance) -> None:
    """Approval callback: the solution is approved, execution starts; an attributable complaint
    becomes a violation at the amount the approver chose (CMP-6)."""
    solution = Solution.objects.select_for_update().select_related("complaint").get(pk=instance.object_id)
    complaint = _locked(solution.complaint)
    approver = _decider(instance)
    now = timezone.now()
    Solution.objects.filter(pk=solution.pk).update(status=Solution.Status.APPROVED, decided_at=now)
    _move(
        complaint,
        Status.EXECUTING,
        actor=approver,
        action=pgettext_lazy("complaint action", "approved"),
        message=solution.measures,
    )
    if solution.attributable:
        _record_fine(solution, complaint)
    _later(sla.acting_head(solution.department), _("The complaint solution was approved."), complaint_link(complaint))


def _record_fine(solution: Solution, complaint: Complaint) -> None:
    """rule: CMP-6 — an attributable complaint is a violation in the configured range."""
    from yingxiao.performance.services import violation_record

    low, high = fine_range(complaint.category)
    if solution.fine_amount is None:
        raise BusinessError(errors.FINE_REQUIRED, field="fine_amount", low=low, high=high)
    amount = _fine(solution.fine_amount, complaint.category)
    person = solution.attributed_to or sla.responsible_head(solution.department)
    if person is None:
        return
    recorder = solution.fine_set_by if solution.fine_set_by_id != person.pk else None
    evidence = str(
        format_lazy(
            _("Attributable {category} complaint #{pk} from {customer}: {matter}"),
            category=complaint.get_category_display(),
            pk=complaint.pk,
            customer=complaint.customer,
            matter=complaint.matter[:300],
        )
    )
    violation = violation_record(
        actor_or_system=recorder,
        person=person,
        rule_id="CMP-6",
        evidence=evidence,
        amount=amount,
        subject=complaint,
        breach_key=f"CMP-6:complaint:{complaint.pk}:solution:{solution.pk}",
    )
    Solution.objects.filter(pk=solution.pk).update(violation=violation)
    _event(complaint, ComplaintEvent.Kind.VIOLATION, actor=recorder, message=evidence)


def solution_on_rejected(instance: Instance) -> None:
    """Approval callback: rejected (or withdrawn) — the department proposes another solution."""
    solution = Solution.objects.select_for_update().select_related("complaint").get(pk=instance.object_id)
    if solution.status != Solution.Status.PENDING:
        return
    complaint = _locked(solution.complaint)
    Solution.objects.filter(pk=solution.pk).update(status=Solution.Status.REJECTED, decided_at=timezone.now())
    note = instance.decisions.order_by("-decided_at", "-id").values_list("note", flat=True).first() or ""
    _move(
        complaint,
        Status.ASSIGNED,
        actor=_decider(instance),
        action=pgettext_lazy("complaint action", "rejected"),
        message=note,
    )
    _later(sla.acting_head(solution.department), _("The complaint solution was rejected."), complaint_link(complaint))


# --- CMP-4 progress, CMP-5 verification, survey, closing ------------------------------------
def complaint_progress(*, actor: User, complaint: Complaint, message: str, channel: str = "") -> ComplaintEvent:
    """rule: CMP-4 — a progress message to the customer during execution is recorded."""
    _require(may_follow_up, actor, complaint, errors.NOT_CUSTOMER_SERVICE)
    text = _text(message, "message")
    if complaint.status != Status.EXECUTING:
        raise _refuse(complaint, pgettext_lazy("complaint action", "given a progress message"))
    return _event(
        complaint,
        ComplaintEvent.Kind.PROGRESS,
        actor=actor,
        message=text,
        channel=_text(channel, "channel", required=False, limit=30),
    )


def survey_record(
    *,
    actor: User,
    complaint: Complaint,
    satisfaction: Any,
    called_at: dt.datetime | None = None,
    resolved: bool = True,
    comments: str = "",
) -> Survey:
    """rule: CMP-5 — the verification call and the satisfaction survey, after execution."""
    _require(may_follow_up, actor, complaint, errors.NOT_CUSTOMER_SERVICE)
    try:
        score = int(satisfaction)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_VALUE, field="satisfaction", field_name="satisfaction") from exc
    if score not in Survey.Satisfaction.values:
        raise BusinessError(errors.BAD_VALUE, field="satisfaction", field_name="satisfaction")
    text = _text(comments, "comments", required=False)
    with transaction.atomic():
        locked = _locked(complaint)
        _move(locked, Status.VERIFYING, actor=actor, action=pgettext_lazy("complaint action", "verified"), message=text)
        survey = Survey.objects.create(
            complaint=locked,
            called_at=called_at or timezone.now(),
            called_by=actor,
            resolved=bool(resolved),
            satisfaction=score,
            comments=text,
        )
    complaint.refresh_from_db()
    return survey


def complaint_close(*, actor: User, complaint: Complaint, note: str = "") -> Complaint:
    """rule: CMP-5 — close; refused (nothing changed) without an approved solution or a survey."""
    _require(may_follow_up, actor, complaint, errors.NOT_CUSTOMER_SERVICE)
    with transaction.atomic():
        locked = _locked(complaint)
        if approved_solution(locked) is None:
            raise BusinessError(errors.NO_APPROVED_SOLUTION)
        if not Survey.objects.filter(complaint=locked).exists():
            raise BusinessError(errors.NO_SURVEY)
        _move(
            locked,
            Status.CLOSED,
            actor=actor,
            action=pgettext_lazy("complaint action", "closed"),
            message=_text(note, "note", required=False),
            closed_at=timezone.now(),
        )
        _later(locked.customer.owner, _("The complaint of your customer was closed."), complaint_link(locked), actor)
    return locked
