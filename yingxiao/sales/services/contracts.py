"""Contract actions (CON-1, CON-2, CON-7, CUS-3): draft with a payment plan, director review, sign,
archive by category, the cross-year balance confirmation and the contract-seal log.

The commerce group (商务组, ``sales.add_contract``) drafts; the marketing director reviews through
the approvals engine (``contract_review``); signing and archiving need ``sales.change_contract``
on a contract in the actor's scope. Bad input changes nothing (one transaction per action).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError

from .. import errors
from ..models import Contract, Instalment, Order, SealUse
from .common import currency_code, customer_for, date_value, decimal_value, require

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User

Status = Contract.Status
REVIEW_REQUEST = "contract_review"
MAX_INSTALMENTS = 60


def contract_link(contract: Contract) -> str:
    return reverse("sales:contract_detail", args=[contract.pk])


# --- parsing ---------------------------------------------------------------------------------------
def money(raw: Any, *, field: str = "amount") -> Decimal:
    """A positive amount to the cent (negative, zero, non-numeric, more decimals → ``sales.bad_amount``)."""
    value = decimal_value(raw, errors.BAD_AMOUNT, field=field)
    if value <= 0:
        raise BusinessError(errors.BAD_AMOUNT, field=field)
    return value.quantize(Decimal("0.01"))


def text(raw: Any, *, field: str, max_length: int, required: bool = True) -> str:
    value = str(raw or "").strip()
    if (required and not value) or len(value) > max_length:
        raise BusinessError(errors.BAD_TEXT, field=field, max=max_length)
    return value


def required_date(raw: Any, *, field: str) -> dt.date:
    value = date_value(raw, field=field)
    if value is None:
        raise BusinessError(errors.BAD_DATE, field=field)
    return value


def _category(raw: Any) -> str:
    value = str(raw or Contract.Category.SALES)
    if value not in Contract.Category.values:
        raise BusinessError(errors.BAD_CATEGORY, field="category")
    return value


def parse_plan(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The payment plan as given: each line a kind (预付款/进度款/尾款), a due date and an amount."""
    parsed = []
    for line in list(lines)[: MAX_INSTALMENTS + 1]:
        if not isinstance(line, Mapping):
            raise BusinessError(errors.BAD_INSTALMENT_KIND, field="instalments")
        kind = str(line.get("kind") or "")
        if kind not in Instalment.Kind.values:
            raise BusinessError(errors.BAD_INSTALMENT_KIND, field="instalments")
        parsed.append(
            {
                "kind": kind,
                "due_date": required_date(line.get("due_date"), field="due_date"),
                "amount": money(line.get("amount")),
            }
        )
    if len(parsed) > MAX_INSTALMENTS:
        raise BusinessError(errors.BAD_INSTALMENT_KIND, field="instalments")
    return parsed


def check_plan_sum(plan: list[dict[str, Any]] | list[Instalment], amount: Decimal) -> None:
    """rule: CON-2 — the instalments add up to the contract amount exactly, to the cent."""
    if not plan:
        raise BusinessError(errors.PLAN_EMPTY, field="instalments")
    total = sum(((p["amount"] if isinstance(p, dict) else p.amount) for p in plan), Decimal("0.00"))
    if total != amount:
        raise BusinessError(errors.PLAN_NOT_SUMMING, field="instalments", plan=f"{total:.2f}", amount=f"{amount:.2f}")


def check_customer_open(customer: Customer) -> None:
    # rule: CUS-3 — a blacklisted customer can get no new contract.
    if customer.is_blacklisted:
        raise BusinessError(errors.CONTRACT_BLACKLISTED, field="customer", customer=customer.name)


def order_for_contract(actor: User, order: Order | int | Any, customer: Customer, currency: str) -> Order | None:
    """The order a contract is drafted from (ORD-3): seen by the actor (else 404), same customer and
    currency, not cancelled (else ``sales.contract_order_mismatch``)."""
    if order in (None, ""):
        return None
    pk = order.pk if isinstance(order, Order) else order
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND, field="order") from exc
    found = Order.objects.restrict(actor, "view").filter(pk=pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND, field="order")
    if found.customer_id != customer.pk or found.currency != currency or found.status == Order.Status.CANCELLED:
        raise BusinessError(errors.CONTRACT_ORDER_MISMATCH, field="order")
    return found


# --- reading for a change --------------------------------------------------------------------------
def lock_contract(actor: User, contract: Contract | int | Any, perm: str = "sales.change_contract") -> Contract:
    """The contract, locked, if the actor may change it; else 403 (no permission) or 404 (out of scope)."""
    require(actor, perm)
    pk = contract.pk if isinstance(contract, Contract) else contract
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND) from exc
    locked = Contract.objects.restrict(actor, "change").select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise BusinessError(NOT_FOUND)
    return locked


def _write_plan(contract: Contract, plan: list[dict[str, Any]]) -> None:
    Instalment.objects.bulk_create(
        Instalment(
            contract=contract,
            position=position,
            owner_id=contract.owner_id,
            department_id=contract.department_id,
            is_effective=contract.is_effective,
            **line,
        )
        for position, line in enumerate(sorted(plan, key=lambda p: p["due_date"]), start=1)
    )


# --- drafting (CON-1, CON-2) ------------------------------------------------------------------------
def contract_create(
    *,
    actor: User,
    customer: Customer | int,
    title: Any,
    amount: Any,
    instalments: Iterable[Mapping[str, Any]],
    category: Any = Contract.Category.SALES,
    currency: Any = "CNY",
    note: Any = "",
    order: Order | int | None = None,
) -> Contract:
    """A draft contract with its payment plan, drafted by the commerce group (CON-1).

    ``order``: the order (ORD-3) the contract is drafted from — in the actor's scope, of the same
    customer and currency, not cancelled; its deposit then counts toward the contract (ORD-2, CON-3).
    Refused, nothing written: no ``sales.add_contract`` (403), a customer or order out of scope
    (404), a blacklisted customer (CUS-3), bad amounts, a plan that does not add up to the amount
    (CON-2), an order of another customer or currency (``sales.contract_order_mismatch``).
    """
    require(actor, "sales.add_contract")
    value = money(amount)
    plan = parse_plan(instalments)
    check_plan_sum(plan, value)
    code = currency_code(currency)
    with transaction.atomic():
        found = customer_for(actor, customer)
        check_customer_open(found)
        linked = order_for_contract(actor, order, found, code)
        from yingxiao.org.selectors import primary_department

        owner = found.owner or actor
        contract = Contract.objects.create(
            number=f"TMP-{uuid.uuid4().hex[:20]}",
            title=text(title, field="title", max_length=200),
            category=_category(category),
            customer=found,
            owner=owner,
            department=found.department or primary_department(owner),
            amount=value,
            currency=code,
            note=text(note, field="note", max_length=500, required=False),
            drafted_by=actor,
            order=linked,
        )
        contract.number = f"HT{timezone.localdate():%Y%m}-{contract.pk:06d}"
        contract.save(update_fields=["number"])
        _write_plan(contract, plan)
    return contract


def contract_update(
    *,
    actor: User,
    contract: Contract | int,
    amount: Any = None,
    instalments: Iterable[Mapping[str, Any]] | None = None,
    title: Any = None,
    category: Any = None,
) -> Contract:
    """Change a draft: amount, title, category and/or replace the payment plan (still adding up, CON-2)."""
    with transaction.atomic():
        locked = lock_contract(actor, contract)
        if locked.status != Status.DRAFT:
            raise BusinessError(errors.CONTRACT_NOT_DRAFT, status=locked.get_status_display())
        check_customer_open(locked.customer)
        if amount not in (None, ""):
            locked.amount = money(amount)
        if title not in (None, ""):
            locked.title = text(title, field="title", max_length=200)
        if category not in (None, ""):
            locked.category = _category(category)
        if instalments is not None:
            plan = parse_plan(instalments)
            check_plan_sum(plan, locked.amount)
            locked.instalments.all().delete()  # a draft's plan is not yet a commitment
            _write_plan(locked, plan)
        else:
            check_plan_sum(list(locked.instalments.all()), locked.amount)
        locked.save(update_fields=["amount", "title", "category"])
    return locked


def contract_submit(*, actor: User, contract: Contract | int) -> Contract:
    """rule: CON-1 — the draft goes to the marketing director for review (approvals engine)."""
    from yingxiao.approvals.services import approval_submit

    with transaction.atomic():
        locked = lock_contract(actor, contract)
        if locked.status != Status.DRAFT:
            raise BusinessError(errors.CONTRACT_NOT_DRAFT, status=locked.get_status_display())
        check_customer_open(locked.customer)
        check_plan_sum(list(locked.instalments.all()), locked.amount)
        locked.status = Status.PENDING_REVIEW
        locked.save(update_fields=["status"])
        approval_submit(
            actor=actor,
            request_type=REVIEW_REQUEST,
            subject=locked,
            amount=locked.amount,
            title=str(
                format_lazy(
                    _("Contract review · {number} ({customer})"), number=locked.number, customer=locked.customer
                )
            ),
            department=locked.department,
        )
    locked.refresh_from_db()
    return locked


def _contract_of(instance: Any) -> Contract | None:
    return Contract.objects.select_for_update().filter(pk=instance.object_id).first()


def on_review_approved(instance: Any) -> None:
    contract = _contract_of(instance)
    if contract is None or contract.status != Status.PENDING_REVIEW:
        return
    contract.status = Status.APPROVED
    contract.reviewed_at = timezone.now()
    contract.save(update_fields=["status", "reviewed_at"])


def on_review_refused(instance: Any) -> None:
    """Rejected, returned or withdrawn: a draft again, to be corrected and submitted anew."""
    contract = _contract_of(instance)
    if contract is None or contract.status != Status.PENDING_REVIEW:
        return
    contract.status = Status.DRAFT
    contract.save(update_fields=["status"])


def contract_sign(
    *, actor: User, contract: Contract | int, signed_on: Any, scan: UploadedFile | None = None
) -> Contract:
    """rule: CON-1 — signed only after the director's review; the plan then counts as receivable."""
    day = required_date(signed_on, field="signed_on")
    with transaction.atomic():
        locked = lock_contract(actor, contract)
        if locked.status != Status.APPROVED:
            raise BusinessError(errors.CONTRACT_NOT_APPROVED, status=locked.get_status_display())
        locked.status, locked.signed_on = Status.SIGNED, day
        if scan is not None:
            locked.signed_scan.save(f"{locked.number}-signed-{scan.name[-40:]}", scan, save=False)
        locked.save(update_fields=["status", "signed_on", "signed_scan"])
        locked.instalments.update(is_effective=True)
        # rule: ORD-2 / CON-3 — a deposit finance already confirmed on the order counts from now on.
        from .deposit_receipts import deposit_apply_to_contract

        deposit_apply_to_contract(locked)
    return locked


def contract_archive(
    *, actor: User, contract: Contract | int, category: Any = None, scan: UploadedFile | None = None
) -> Contract:
    """rule: CON-1 — entered and archived by category, with the signed scan."""
    with transaction.atomic():
        locked = lock_contract(actor, contract)
        if locked.status != Status.SIGNED:
            raise BusinessError(errors.CONTRACT_NOT_SIGNED, status=locked.get_status_display())
        if category not in (None, ""):
            locked.category = _category(category)
        if scan is not None:
            locked.signed_scan.save(f"{locked.number}-signed-{scan.name[-40:]}", scan, save=False)
        if not locked.signed_scan:
            raise BusinessError(errors.SCAN_REQUIRED, field="scan")
        locked.status, locked.archived_at, locked.archived_by = Status.ARCHIVED, timezone.now(), actor
        locked.save(update_fields=["status", "category", "signed_scan", "archived_at", "archived_by"])
    return locked


def contract_confirm_balance(
    *, actor: User, contract: Contract | int, confirmed_on: Any, document: UploadedFile | None
) -> Contract:
    """rule: CON-2 — record the customer's written confirmation of a cross-year contract's balance."""
    day = required_date(confirmed_on, field="confirmed_on")
    if document is None:
        raise BusinessError(errors.BALANCE_DOC_REQUIRED, field="document")
    with transaction.atomic():
        locked = lock_contract(actor, contract)
        if not locked.is_effective:
            raise BusinessError(errors.CONTRACT_NOT_SIGNED, status=locked.get_status_display())
        if not locked.is_cross_year:
            raise BusinessError(errors.NOT_CROSS_YEAR)
        locked.balance_confirmed_on = day
        locked.balance_confirmation.save(f"{locked.number}-balance-{day:%Y%m%d}.{_ext(document)}", document, save=False)
        locked.save(update_fields=["balance_confirmed_on", "balance_confirmation"])
    return locked


def _ext(upload: Any) -> str:
    name = str(getattr(upload, "name", "") or "")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else "pdf"
    return ext[:8] if ext.isalnum() else "pdf"


# --- cross-year arithmetic (CON-2) ------------------------------------------------------------------
def year_figures(contract: Contract, year: int) -> dict[str, Decimal]:
    """rule: CON-2 — what the contract must collect within ``year`` and what carries into later years.

    ``due_this_year``: instalments due in the year (to be collected within it); ``collected_this_year``:
    received against them; ``outstanding_this_year``: the gap; ``carried_forward``: the balance of
    instalments due after the year — the figure the customer confirms in writing (余额确认).
    """
    rows = contract.instalments.all()
    this_year = rows.filter(due_date__year=year).aggregate(
        due=Sum("amount"), received=Sum("received"), written_off=Sum("written_off")
    )
    later = rows.filter(due_date__year__gt=year).aggregate(due=Sum("amount"), received=Sum("received"))
    zero = Decimal("0.00")
    due = this_year["due"] or zero
    received = this_year["received"] or zero
    return {
        "due_this_year": due,
        "collected_this_year": received,
        "outstanding_this_year": due - received - (this_year["written_off"] or zero),
        "carried_forward": (later["due"] or zero) - (later["received"] or zero),
    }


# --- the contract seal (CON-7) ----------------------------------------------------------------------
def seal_use_record(
    *,
    actor: User,
    document: Any,
    purpose: Any,
    used_by: User | int | None = None,
    used_at: Any = None,
    contract: Contract | int | None = None,
) -> SealUse:
    """rule: CON-7 — every use of the contract seal is logged by its keeper (the sales assistant)."""
    from yingxiao.org.models import User as UserModel
    from yingxiao.org.selectors import primary_department

    require(actor, "sales.add_sealuse")
    doc = text(document, field="document", max_length=200)
    why = text(purpose, field="purpose", max_length=300)
    when = timezone.now()
    if used_at not in (None, ""):
        if isinstance(used_at, dt.datetime):
            when = used_at
        else:
            try:
                when = dt.datetime.fromisoformat(str(used_at))
            except ValueError as exc:
                raise BusinessError(errors.BAD_DATE, field="used_at") from exc
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
    user = actor
    if used_by not in (None, ""):
        pk = used_by.pk if isinstance(used_by, UserModel) else used_by
        user = UserModel.objects.filter(pk=_int(pk), is_active=True).first()
        if user is None:
            raise BusinessError(NOT_FOUND, field="used_by")
    found = None
    if contract not in (None, ""):
        found = (
            Contract.objects.restrict(actor, "view")
            .filter(pk=_int(contract.pk if isinstance(contract, Contract) else contract))
            .first()
        )
        if found is None:
            raise BusinessError(NOT_FOUND, field="contract")
    return SealUse.objects.create(
        contract=found,
        document=doc,
        purpose=why,
        used_by=user,
        used_at=when,
        recorded_by=actor,
        department=primary_department(actor),
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND) from exc
