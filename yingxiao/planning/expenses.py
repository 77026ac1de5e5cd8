"""Budgets, expense claims (PLN-4) and gift requests (PLN-5).

A claim is charged to the most specific budget of its department (the month's, else the
year's), walking up the department tree when the department keeps none of its own. Charging
is one conditional ``UPDATE … SET committed = committed + amount WHERE committed + amount <=
amount``: two claims submitted at the same moment cannot both pass, on SQLite or PostgreSQL.
A rejected or cancelled claim gives its amount back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.models import Flow, Instance
from yingxiao.approvals.services import approval_submit
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.customers.models import Customer
from yingxiao.org.models import Department, User
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from . import errors
from .approval_types import EXPENSE_REQUEST, GIFT_REQUEST, register_expense_type
from .common import date_value, later, money, require_perm, text, year_value
from .models import Budget, ExpenseCategory, ExpenseClaim, GiftRequest


# --- budgets ----------------------------------------------------------------------------------
def budget_set(
    *, actor: User, department: Department, year: Any, category: str, amount: Any, month: Any = None
) -> Budget:
    """rule: PLN-4 — set a department's budget (created, or its amount changed; never below what is claimed)."""
    require_perm(actor, "planning.change_budget")
    year = year_value(year)
    if month in ("", None, 0):
        month = 0  # the whole year
    else:
        try:
            month = int(month)
        except (TypeError, ValueError) as exc:
            raise BusinessError(errors.BAD_PERIOD, field="month") from exc
        if not 0 <= month <= 12:
            raise BusinessError(errors.BAD_PERIOD, field="month")
    if category not in ExpenseCategory.values:
        raise BusinessError(errors.BAD_VALUE, field="category", field_name="category")
    value = money(amount)
    if not Department.objects.filter(pk=department.pk, is_active=True).exists():
        raise BusinessError(NOT_FOUND, field="department")
    with transaction.atomic():
        budget = Budget.objects.filter(department=department, year=year, month=month, category=category).first()
        if budget is None:
            require_perm(actor, "planning.add_budget")
            try:
                with transaction.atomic():
                    return Budget.objects.create(
                        department=department, year=year, month=month, category=category, amount=value
                    )
            except IntegrityError as exc:
                raise BusinessError(errors.DUPLICATE_BUDGET) from exc
        # Compare-and-set: a claim committed meanwhile is never pushed over the budget.
        if not Budget.objects.filter(pk=budget.pk, committed__lte=value).update(amount=value):
            budget.refresh_from_db()
            raise BusinessError(errors.BUDGET_BELOW_COMMITTED, field="amount", committed=budget.committed)
        budget.refresh_from_db()
        budget.save(update_fields=["amount"])  # a history row for the change
    return budget


def budget_for(department: Department, category: str, day: dt.date) -> Budget | None:
    """The budget a claim of ``department`` on ``day`` is charged to: the month's, else the year's, up the tree."""
    ids = [int(part) for part in department.path.strip("/").split("/") if part] or [department.pk]
    rows = Budget.objects.filter(department_id__in=ids, year=day.year, category=category).filter(
        Q(month=day.month) | Q(month=0)
    )
    candidates = {(b.department_id, b.month): b for b in rows}
    for dept_id in reversed(ids):
        for month in (day.month, 0):
            if (dept_id, month) in candidates:
                return candidates[(dept_id, month)]
    return None


# --- expense claims -----------------------------------------------------------------------------
def _ensure_expense_flow() -> None:
    if not Flow.objects.filter(request_type=EXPENSE_REQUEST).exists():
        register_expense_type(policy_value("expense_tier1_amount"), policy_value("expense_tier2_amount"))


def expense_claim_submit(
    *,
    actor: User,
    category: str,
    amount: Any,
    spent_on: Any,
    description: str,
    receipt: UploadedFile | None = None,
) -> ExpenseClaim:
    """rule: PLN-4 — claim an expense; refused beyond the remaining budget, else sent for approval by amount."""
    require_perm(actor, "planning.add_expenseclaim")
    if category not in ExpenseCategory.values:
        raise BusinessError(errors.BAD_VALUE, field="category", field_name="category")
    value = money(amount, positive=True)
    day = date_value(spent_on, "spent_on")
    if day > timezone.localdate() or day.year < 2000:
        raise BusinessError(errors.BAD_DATE, field="spent_on")
    description = text(description, "description")
    department = primary_department(actor)
    if department is None:
        raise BusinessError(errors.NO_PERMISSION)
    label = ExpenseCategory(category).label
    with transaction.atomic():
        budget = budget_for(department, category, day)
        if budget is None:
            raise BusinessError(errors.NO_BUDGET, field="amount", category=label, department=department)
        # rule: PLN-4 — a claim beyond the remaining budget is refused; the conditional update is race-safe.
        charged = Budget.objects.filter(pk=budget.pk, committed__lte=F("amount") - value).update(
            committed=F("committed") + value
        )
        if not charged:
            budget.refresh_from_db()
            raise BusinessError(
                errors.OVER_BUDGET,
                field="amount",
                amount=value,
                category=label,
                department=budget.department,
                remaining=budget.remaining,
            )
        claim = ExpenseClaim(
            claimant=actor,
            department=department,
            budget=budget,
            category=category,
            amount=value,
            spent_on=day,
            description=description,
        )
        if receipt:
            claim.receipt = receipt
        claim.save()
        _ensure_expense_flow()
        approval_submit(
            actor=actor,
            request_type=EXPENSE_REQUEST,
            subject=claim,
            amount=value,
            note=description,
            department=department,
            title=str(
                format_lazy(
                    _("Expense claim · {person} · {category} · {amount}"), person=actor, category=label, amount=value
                )
            ),
        )
    claim.refresh_from_db()
    return claim


def _claim_pk(instance: Instance) -> int:
    if instance.object_id is None:
        raise ValueError(f"approval request {instance.pk} has no subject")
    return instance.object_id


def claim_on_approved(instance: Instance) -> None:
    claim = ExpenseClaim.objects.get(pk=_claim_pk(instance))
    if ExpenseClaim.objects.filter(pk=claim.pk, status=ExpenseClaim.Status.PENDING).update(
        status=ExpenseClaim.Status.APPROVED
    ):
        Budget.objects.filter(pk=claim.budget_id).update(spent=F("spent") + claim.amount)
        later(claim.claimant, _("Your expense claim was approved."), reverse("planning:claims"))


def _release(instance: Instance, status: str) -> None:
    claim = ExpenseClaim.objects.get(pk=_claim_pk(instance))
    if ExpenseClaim.objects.filter(pk=claim.pk, status=ExpenseClaim.Status.PENDING).update(status=status):
        # The amount goes back to the budget, once (the status change above is the compare-and-set).
        Budget.objects.filter(pk=claim.budget_id).update(committed=F("committed") - claim.amount)


def claim_on_rejected(instance: Instance) -> None:
    _release(instance, ExpenseClaim.Status.REJECTED)


def claim_on_cancelled(instance: Instance) -> None:
    _release(instance, ExpenseClaim.Status.CANCELLED)


# --- gifts ------------------------------------------------------------------------------------
def gift_request(
    *, actor: User, customer: Customer | Any, gift: str, value: Any, reason: str, quantity: Any = 1
) -> GiftRequest:
    """rule: PLN-5 — request a gift for a customer in one's scope; the manager approves it."""
    require_perm(actor, "planning.add_giftrequest")
    customer_pk = getattr(customer, "pk", customer)
    found = Customer.objects.restrict(actor, "view").filter(pk=customer_pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND, field="customer")
    gift = text(gift, "gift", limit=200)
    reason = text(reason, "reason")
    amount = money(value, "value", positive=True)
    try:
        count = int(quantity)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_VALUE, field="quantity", field_name="quantity") from exc
    if not 1 <= count <= 100_000:
        raise BusinessError(errors.BAD_VALUE, field="quantity", field_name="quantity")
    department = primary_department(actor)
    if department is None:
        raise BusinessError(errors.NO_PERMISSION)
    with transaction.atomic():
        request = GiftRequest.objects.create(
            requester=actor,
            department=department,
            customer=found,
            gift=gift,
            quantity=count,
            value=amount,
            reason=reason,
        )
        approval_submit(
            actor=actor,
            request_type=GIFT_REQUEST,
            subject=request,
            amount=amount,
            note=reason,
            department=department,
            title=str(format_lazy(_("Gift · {gift} → {customer} · {value}"), gift=gift, customer=found, value=amount)),
        )
    request.refresh_from_db()
    return request


def gift_on_approved(instance: Instance) -> None:
    now = timezone.now()
    deliver_by = timezone.localdate(now) + dt.timedelta(days=int(policy_value("gift_delivery_days")))
    pk = _claim_pk(instance)
    if GiftRequest.objects.filter(pk=pk, status=GiftRequest.Status.PENDING).update(
        status=GiftRequest.Status.APPROVED, approved_at=now, deliver_by=deliver_by
    ):
        gift = GiftRequest.objects.select_related("requester").get(pk=pk)
        later(
            gift.requester,
            format_lazy(
                _("Your gift request was approved: deliver it and get it signed for by {day}."), day=deliver_by
            ),
            reverse("planning:gifts"),
        )


def gift_on_rejected(instance: Instance) -> None:
    GiftRequest.objects.filter(pk=_claim_pk(instance), status=GiftRequest.Status.PENDING).update(
        status=GiftRequest.Status.REJECTED
    )


def gift_on_cancelled(instance: Instance) -> None:
    GiftRequest.objects.filter(pk=_claim_pk(instance), status=GiftRequest.Status.PENDING).update(
        status=GiftRequest.Status.CANCELLED
    )


def gift_confirm_delivery(
    *, actor: User, gift: GiftRequest, signed_by: str, signature: UploadedFile | None = None
) -> GiftRequest:
    """rule: PLN-5 — the customer signs for the gift (礼品签收单): who signed, and the signed receipt if scanned."""
    require_perm(actor, "planning.change_giftrequest")
    if not GiftRequest.objects.restrict(actor, "change").filter(pk=gift.pk).exists():
        raise BusinessError(NOT_FOUND)
    signer = str(signed_by or "").strip()
    if not signer:
        raise BusinessError(errors.SIGNATURE_REQUIRED, field="signed_by")
    signer = text(signer, "signed_by", limit=100)
    with transaction.atomic():
        locked = GiftRequest.objects.select_for_update().get(pk=gift.pk)
        if locked.status != GiftRequest.Status.APPROVED:
            raise BusinessError(errors.GIFT_NOT_APPROVED)
        # rule: PLN-5 — the customer's signature (礼品签收单) closes the gift.
        locked.status = GiftRequest.Status.DELIVERED
        locked.delivered_at = timezone.now()
        locked.signed_by = signer
        if signature:
            locked.signature = signature
        locked.save(update_fields=["status", "delivered_at", "signed_by", "signature"])
    return locked
