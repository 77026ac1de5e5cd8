"""Receipts and receivables actions (ORD-2, CON-3, CON-4, CON-5, CON-8).

- Receipts: only finance (``sales.confirm_receipt``) confirms money received; it is allocated to
  the contract's instalments (given, or the earliest due first); a reversal keeps the receipt and
  its allocations (status ``reversed``) and gives the instalments their balance back.
- Write-offs of bad debt (坏账核销) take effect after approval (``bad_debt_writeoff``).
- Reconciliations with finance (CON-4): one per period; the sales ledger's balance per contract
  next to finance's figure, the differences listed, both sides sign off.
- Overdue notices (催款通知单, CON-5) and distributor guarantees (CON-8).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.policy.values import policy_value

from .. import errors
from ..models import (
    Allocation,
    Contract,
    Deposit,
    Guarantee,
    Instalment,
    InvoiceRequest,
    Receipt,
    Reconciliation,
    ReconciliationLine,
    WriteOff,
)
from .common import require
from .contracts import _int, money, required_date, text

if TYPE_CHECKING:
    from yingxiao.org.models import User

ZERO = Decimal("0.00")
WRITE_OFF_REQUEST = "bad_debt_writeoff"
CONFIRM_PERMISSION = "sales.confirm_receipt"


def _money_sum(expression: Any) -> Any:
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField(max_digits=18, decimal_places=2))


# --- receipts (ORD-2) --------------------------------------------------------------------------------
def require_finance(actor: User) -> None:
    """rule: ORD-2 — money is received only by finance: anyone else is refused, whatever their rank."""
    if actor is None or not actor.is_authenticated or not actor.has_perm(CONFIRM_PERMISSION):
        raise BusinessError(errors.FINANCE_ONLY)


def _effective_contract(actor: User, contract: Contract | int | Any) -> Contract:
    pk = contract.pk if isinstance(contract, Contract) else contract
    found = Contract.objects.restrict(actor, "view").select_for_update(of=("self",)).filter(pk=_int(pk)).first()
    if found is None:
        raise BusinessError(NOT_FOUND, field="contract")
    if not found.is_effective:
        raise BusinessError(errors.CONTRACT_NOT_SIGNED, field="contract", status=found.get_status_display())
    return found


def receipt_confirm(
    *,
    actor: User,
    contract: Contract | int,
    amount: Any,
    received_on: Any,
    reference: Any = "",
    allocations: Iterable[Mapping[str, Any]] | None = None,
    deposit: Any = None,
) -> Receipt:
    """rule: ORD-2 — finance confirms money received against a signed contract and allocates it.

    ``allocations`` (instalment id → amount) must add up to the amount; without them the money
    goes to the earliest-due instalments first. ``deposit`` (or a ``reference`` equal to its number):
    the money is the confirmed deposit of the contract's order, entered by hand — it is linked to
    it, so the deposit is never counted twice (CON-3). Refused, nothing changed: not finance
    (``sales.finance_only``), bad amounts or dates, more than is owed, a deposit already counted
    (``sales.deposit_already_received``) or not this contract's confirmed deposit.
    """
    from .deposit_receipts import check_deposit_not_received, receivable_deposit

    require_finance(actor)
    value = money(amount)
    day = required_date(received_on, field="received_on")
    ref = text(reference, field="reference", max_length=100, required=False)
    with transaction.atomic():
        found = _effective_contract(actor, contract)
        own_deposit = receivable_deposit(found)
        linked = None
        if deposit not in (None, ""):
            if own_deposit is None or str(own_deposit.pk) != str(getattr(deposit, "pk", deposit)):
                raise BusinessError(errors.DEPOSIT_NOT_RECEIVABLE, field="deposit", number=str(deposit))
            linked = own_deposit
        elif own_deposit is not None and ref and ref == own_deposit.number:
            linked = own_deposit
        if linked is not None:
            if linked.status != Deposit.Status.CONFIRMED:
                raise BusinessError(errors.DEPOSIT_NOT_RECEIVABLE, field="deposit", number=linked.number)
            check_deposit_not_received(linked)
        rows = list(Instalment.objects.select_for_update().filter(contract=found).order_by("due_date", "position"))
        owed = sum((row.outstanding for row in rows), ZERO)
        if value > owed:
            raise BusinessError(errors.OVERPAYMENT, field="amount", amount=f"{value:.2f}", owed=f"{owed:.2f}")
        plan = _allocation_plan(rows, value, allocations)
        try:
            with transaction.atomic():  # a deposit counted meanwhile: the partial unique index refuses it
                receipt = Receipt.objects.create(
                    contract=found,
                    amount=value,
                    received_on=day,
                    reference=ref,
                    confirmed_by=actor,
                    owner_id=found.owner_id,
                    department_id=found.department_id,
                    deposit=linked,
                )
        except IntegrityError as exc:
            if linked is None:
                raise
            check_deposit_not_received(linked)
            raise BusinessError(errors.DEPOSIT_NOT_RECEIVABLE, field="deposit", number=linked.number) from exc
        Allocation.objects.bulk_create(Allocation(receipt=receipt, instalment=row, amount=part) for row, part in plan)
        for row, part in plan:
            Instalment.objects.filter(pk=row.pk).update(received=F("received") + part)
    return receipt


def _allocation_plan(
    rows: list[Instalment], value: Decimal, allocations: Iterable[Mapping[str, Any]] | None
) -> list[tuple[Instalment, Decimal]]:
    if not allocations:
        plan, left = [], value
        for row in rows:
            if left <= 0:
                break
            part = min(row.outstanding, left)
            if part > 0:
                plan.append((row, part))
                left -= part
        return plan
    by_id = {row.pk: row for row in rows}
    wanted: dict[int, Decimal] = {}
    for item in allocations:
        if not isinstance(item, Mapping):
            raise BusinessError(NOT_FOUND, field="allocations")
        row = by_id.get(_int(item.get("instalment")))
        if row is None:
            raise BusinessError(NOT_FOUND, field="allocations")
        wanted[row.pk] = wanted.get(row.pk, ZERO) + money(item.get("amount"), field="allocations")
    total = sum(wanted.values(), ZERO)
    if total != value:
        raise BusinessError(
            errors.ALLOCATION_MISMATCH, field="allocations", total=f"{total:.2f}", amount=f"{value:.2f}"
        )
    for pk, part in wanted.items():
        if part > by_id[pk].outstanding:
            raise BusinessError(
                errors.ALLOCATION_TOO_LARGE,
                field="allocations",
                instalment=str(by_id[pk]),
                owed=f"{by_id[pk].outstanding:.2f}",
            )
    return [(by_id[pk], part) for pk, part in wanted.items()]


def confirmed_total(contract: Contract | int) -> Decimal:
    pk = contract.pk if isinstance(contract, Contract) else contract
    return Receipt.objects.filter(contract_id=pk, status=Receipt.Status.CONFIRMED).aggregate(t=_money_sum("amount"))[
        "t"
    ]


def issued_total(contract: Contract | int) -> Decimal:
    pk = contract.pk if isinstance(contract, Contract) else contract
    return InvoiceRequest.objects.filter(contract_id=pk, status=InvoiceRequest.Status.ISSUED).aggregate(
        t=_money_sum("amount")
    )["t"]


def receipt_reverse(*, actor: User, receipt: Receipt | int, reason: Any) -> Receipt:
    """rule: ORD-2 — finance reverses a receipt; the record and its allocations are kept (history)."""
    require_finance(actor)
    why = str(reason or "").strip()
    if not why or len(why) > 300:
        raise BusinessError(errors.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        pk = receipt.pk if isinstance(receipt, Receipt) else receipt
        found = Receipt.objects.restrict(actor, "view").select_for_update(of=("self",)).filter(pk=_int(pk)).first()
        if found is None:
            raise BusinessError(NOT_FOUND)
        if found.status == Receipt.Status.REVERSED:
            raise BusinessError(errors.RECEIPT_REVERSED)
        Contract.objects.select_for_update().filter(pk=found.contract_id).first()
        if confirmed_total(found.contract_id) - found.amount < issued_total(found.contract_id):
            raise BusinessError(errors.RECEIPT_INVOICED)
        for allocation in found.allocations.all():
            Instalment.objects.filter(pk=allocation.instalment_id).update(received=F("received") - allocation.amount)
        found.status, found.reversed_by, found.reversed_at = Receipt.Status.REVERSED, actor, timezone.now()
        found.reversal_reason = why
        found.save(update_fields=["status", "reversed_by", "reversed_at", "reversal_reason"])
    return found


# --- bad-debt write-offs (CON-3) ------------------------------------------------------------------------
def write_off_request(*, actor: User, instalment: Instalment | int, amount: Any, reason: Any) -> WriteOff:
    """rule: CON-3 — writing off bad debt needs approval (the sales director); it counts once approved."""
    from yingxiao.approvals.services import approval_submit

    require(actor, "sales.write_off_instalment")
    value = money(amount)
    why = text(reason, field="reason", max_length=500)
    with transaction.atomic():
        pk = instalment.pk if isinstance(instalment, Instalment) else instalment
        found = Instalment.objects.restrict(actor, "view").select_for_update(of=("self",)).filter(pk=_int(pk)).first()
        if found is None or not found.is_effective:
            raise BusinessError(NOT_FOUND)
        if WriteOff.objects.filter(instalment=found, status=WriteOff.Status.PENDING).exists():
            raise BusinessError(errors.WRITE_OFF_PENDING)
        if value > found.outstanding:
            raise BusinessError(errors.WRITE_OFF_TOO_LARGE, field="amount", owed=f"{found.outstanding:.2f}")
        write_off = WriteOff.objects.create(
            instalment=found,
            amount=value,
            reason=why,
            requested_by=actor,
            owner_id=found.owner_id,
            department_id=found.department_id,
        )
        approval_submit(
            actor=actor,
            request_type=WRITE_OFF_REQUEST,
            subject=write_off,
            amount=value,
            title=str(format_lazy(_("Bad-debt write-off · {instalment} · {amount}"), instalment=found, amount=value)),
            department=found.department,
        )
    write_off.refresh_from_db()
    return write_off


def on_write_off_approved(instance: Any) -> None:
    write_off = WriteOff.objects.select_for_update().filter(pk=instance.object_id).first()
    if write_off is None or write_off.status != WriteOff.Status.PENDING:
        return
    row = Instalment.objects.select_for_update().get(pk=write_off.instalment_id)
    part = min(write_off.amount, row.outstanding)
    if part > 0:
        Instalment.objects.filter(pk=row.pk).update(written_off=F("written_off") + part)
    write_off.amount = part if part > 0 else write_off.amount
    write_off.status = WriteOff.Status.APPROVED if part > 0 else WriteOff.Status.REJECTED
    write_off.written_off_on = timezone.localdate()
    write_off.save(update_fields=["amount", "status", "written_off_on"])


def on_write_off_refused(instance: Any) -> None:
    WriteOff.objects.filter(pk=instance.object_id, status=WriteOff.Status.PENDING).update(
        status=WriteOff.Status.REJECTED
    )


# --- reconciliation with finance (CON-4) ---------------------------------------------------------------
def reconciliation_period(kind: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """rule: CON-4 — the period a reconciliation on ``on`` covers: the week ending on the
    ``{reconcile_weekday}`` on or before ``on``, or the month up to ``{ledger_reconcile_day}``."""
    if kind == Reconciliation.Kind.WEEKLY:
        weekday = int(policy_value("reconcile_weekday"))
        end = on - dt.timedelta(days=(on.weekday() - weekday) % 7)
        return end - dt.timedelta(days=6), end
    day = int(policy_value("ledger_reconcile_day"))
    end = _month_day(on.year, on.month, day)
    if end > on:
        previous = on.replace(day=1) - dt.timedelta(days=1)
        end = _month_day(previous.year, previous.month, day)
    before = end.replace(day=1) - dt.timedelta(days=1)
    return _month_day(before.year, before.month, day) + dt.timedelta(days=1), end


def _month_day(year: int, month: int, day: int) -> dt.date:
    import calendar

    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def ledger_balances(period_end: dt.date) -> Any:
    """The sales ledger's balance per effective contract at ``period_end`` (one aggregate query):
    amount − confirmed receipts received up to then − write-offs approved up to then."""
    received = (
        Allocation.objects.filter(
            instalment__contract=OuterRef("pk"),
            receipt__status=Receipt.Status.CONFIRMED,
            receipt__received_on__lte=period_end,
        )
        .values("instalment__contract")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    written = (
        WriteOff.objects.filter(
            instalment__contract=OuterRef("pk"), status=WriteOff.Status.APPROVED, written_off_on__lte=period_end
        )
        .values("instalment__contract")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    out = DecimalField(max_digits=18, decimal_places=2)
    return (
        Contract.objects.filter(
            status__in=[Contract.Status.SIGNED, Contract.Status.ARCHIVED], signed_on__lte=period_end
        )
        .annotate(
            paid=Coalesce(Subquery(received, output_field=out), Value(ZERO), output_field=out),
            written=Coalesce(Subquery(written, output_field=out), Value(ZERO), output_field=out),
        )
        .annotate(balance=F("amount") - F("paid") - F("written"))
    )


def reconciliation_open(*, actor: User, kind: Any, on: Any = None) -> Reconciliation:
    """rule: CON-4 — open the reconciliation of the period (weekly or the monthly ledger), its lines
    the sales ledger's balance per contract; finance then enters its figures."""
    require(actor, "sales.add_reconciliation")
    if kind not in Reconciliation.Kind.values:
        raise BusinessError(errors.BAD_TEXT, field="kind", max=10)
    day = required_date(on, field="on") if on not in (None, "") else timezone.localdate()
    start, end = reconciliation_period(kind, day)
    try:
        with transaction.atomic():
            recon = Reconciliation.objects.create(kind=kind, period_start=start, period_end=end, opened_by=actor)
            ReconciliationLine.objects.bulk_create(
                ReconciliationLine(
                    reconciliation=recon,
                    contract_id=row["pk"],
                    sales_amount=row["balance"],
                    owner_id=row["owner_id"],
                    department_id=row["department_id"],
                )
                for row in ledger_balances(end).values("pk", "balance", "owner_id", "department_id").iterator()
            )
    except IntegrityError as exc:
        raise BusinessError(errors.RECONCILIATION_EXISTS) from exc
    return recon


def _lock_recon(recon: Reconciliation | int) -> Reconciliation:
    pk = recon.pk if isinstance(recon, Reconciliation) else recon
    found = Reconciliation.objects.select_for_update().filter(pk=_int(pk)).first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def reconciliation_set_finance(
    *, actor: User, reconciliation: Reconciliation | int, line: int | Any, amount: Any, note: Any = ""
) -> ReconciliationLine:
    """Finance enters its balance for a contract (zero allowed); the difference follows."""
    require(actor, "sales.sign_finance_reconciliation")
    from .common import decimal_value

    value = decimal_value(amount, errors.BAD_AMOUNT, field="amount")
    if value < 0:
        raise BusinessError(errors.BAD_AMOUNT, field="amount")
    with transaction.atomic():
        recon = _lock_recon(reconciliation)
        if recon.finance_signed_at is not None:
            raise BusinessError(errors.RECONCILIATION_SIGNED)
        found = recon.lines.filter(pk=_int(line)).first()
        if found is None:
            raise BusinessError(NOT_FOUND, field="line")
        found.finance_amount = value
        found.note = text(note, field="note", max_length=300, required=False)
        found.save(update_fields=["finance_amount", "note"])
    return found


def reconciliation_sign(*, actor: User, reconciliation: Reconciliation | int, side: str) -> Reconciliation:
    """rule: CON-4 — both sides sign off: sales (``sign_sales_reconciliation``) and finance
    (``sign_finance_reconciliation``, once every finance figure is entered). Differences stay listed."""
    perm = {"sales": "sales.sign_sales_reconciliation", "finance": "sales.sign_finance_reconciliation"}.get(side)
    if perm is None:
        raise BusinessError(NOT_FOUND, field="side")
    require(actor, perm)
    with transaction.atomic():
        recon = _lock_recon(reconciliation)
        if side == "finance":
            if recon.finance_signed_at is not None:
                raise BusinessError(errors.RECONCILIATION_SIGNED)
            missing = recon.lines.filter(finance_amount__isnull=True).count()
            if missing:
                raise BusinessError(errors.FINANCE_FIGURES_MISSING, count=missing)
            recon.finance_signed_by, recon.finance_signed_at = actor, timezone.now()
        else:
            if recon.sales_signed_at is not None:
                raise BusinessError(errors.RECONCILIATION_SIGNED)
            recon.sales_signed_by, recon.sales_signed_at = actor, timezone.now()
        recon.save(update_fields=["finance_signed_by", "finance_signed_at", "sales_signed_by", "sales_signed_at"])
    return recon


def differences(recon: Reconciliation) -> Any:
    """The lines where finance's figure differs from the sales ledger (entered and not equal)."""
    return recon.lines.filter(finance_amount__isnull=False).exclude(finance_amount=F("sales_amount"))


# --- guarantees (CON-8) -----------------------------------------------------------------------------------
def guarantee_create(*, actor: User, contract: Contract | int, amount: Any, guaranteed_on: Any = None) -> Guarantee:
    """rule: CON-8 — a regional manager guarantees a distributor's debt, at most ``{guarantee_limit}``
    in all for that distributor."""
    from yingxiao.org.selectors import primary_department

    require(actor, "sales.add_guarantee")
    value = money(amount)
    day = (
        required_date(guaranteed_on, field="guaranteed_on") if guaranteed_on not in (None, "") else timezone.localdate()
    )
    limit = Decimal(str(policy_value("guarantee_limit")))
    with transaction.atomic():
        found = _effective_contract(actor, contract)
        used = Guarantee.objects.select_for_update().filter(
            guarantor=actor, contract__customer_id=found.customer_id, status=Guarantee.Status.ACTIVE
        )
        used_total = sum((g.amount for g in used), ZERO)
        if used_total + value > limit:
            raise BusinessError(
                errors.GUARANTEE_OVER_LIMIT, field="amount", limit=f"{limit:.2f}", used=f"{used_total:.2f}"
            )
        return Guarantee.objects.create(
            guarantor=actor, contract=found, amount=value, guaranteed_on=day, department=primary_department(actor)
        )


def outstanding_of(contract_id: int, as_of: dt.date | None = None) -> Decimal:
    """Balance of a contract's instalments due by ``as_of`` (all when None)."""
    rows = Instalment.objects.filter(contract_id=contract_id)
    if as_of is not None:
        rows = rows.filter(due_date__lte=as_of)
    return rows.aggregate(t=_money_sum(F("amount") - F("received") - F("written_off")))["t"]


def guarantee_settle_paid() -> int:
    """Guarantees whose contract is fully paid are settled (set-based)."""
    unpaid = Instalment.objects.filter(contract=OuterRef("contract")).filter(
        Q(amount__gt=F("received") + F("written_off"))
    )
    from django.db.models import Exists

    return Guarantee.objects.filter(~Exists(unpaid), status=Guarantee.Status.ACTIVE).update(
        status=Guarantee.Status.SETTLED
    )
