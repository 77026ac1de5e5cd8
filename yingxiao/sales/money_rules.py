"""Policy rules of contracts and receivables (imported by ``sales/rules.py``), run by the engine.

- CON-2r (reminder): a cross-year contract still owing in later years without the customer's
  written balance confirmation for the year, from month ``balance_confirm_month`` on; the owner is
  reminded once per contract and year.
- CON-4r (reminder): a reconciliation whose period has ended and that is not signed by both sides;
  whoever opened it is reminded once per reconciliation and day.
- CON-5 (reminder): at month end an overdue notice (催款通知单) per overdue instalment goes to the
  owning rep — a record (printable) and a notification; once per instalment and month.
- CON-8 (violation): a guarantee older than ``{guarantee_months}`` whose contract still owes is
  deducted from the regional manager's pay (performance ledger, breach key per guarantee).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.policy.registry import Action, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .models import Contract, Guarantee, Instalment, OverdueNotice, Reconciliation


def _day(as_of: dt.datetime) -> dt.date:
    return timezone.localdate(as_of) if timezone.is_aware(as_of) else as_of.date()


def _months_back(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def last_month_end(day: dt.date) -> dt.date:
    """The latest month end on or before ``day`` (today when it is the last day of the month)."""
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return day
    return day.replace(day=1) - dt.timedelta(days=1)


def _notify(person_id: int | None, message: str, link: str) -> bool:
    from yingxiao.core.notifications import notify
    from yingxiao.org.models import User

    person = User.objects.filter(pk=person_id).first() if person_id else None
    return notify(person, message=message, link=link) is not None


@register
class BalanceConfirmationMissing(Rule):
    """rule: CON-2 — remind when a cross-year contract lacks the customer's written balance confirmation."""

    id = "CON-2r"
    title = _("Cross-year contracts: the customer's written balance confirmation")
    params = ("balance_confirm_month",)
    action = Action.REMIND
    subject_model = "sales.Contract"
    explanation = _(
        "Contract %(number)s (%(customer)s) runs into later years: record the customer's written "
        "confirmation of the balance for %(year)s."
    )

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        day = _day(as_of)
        if day.month < int(policy_value("balance_confirm_month", at=as_of)):
            return
        later = Instalment.objects.filter(
            contract=OuterRef("pk"), due_date__year__gt=day.year, amount__gt=F("received") + F("written_off")
        )
        rows = (
            Contract.objects.filter(
                status__in=[Contract.Status.SIGNED, Contract.Status.ARCHIVED], signed_on__year__lte=day.year
            )
            .filter(Exists(later))
            .filter(Q(balance_confirmed_on__isnull=True) | Q(balance_confirmed_on__year__lt=day.year))
        )
        for row in rows.values("pk", "number", "customer__name", "owner_id").order_by("pk").iterator(chunk_size=2000):
            yield Finding(
                subject_id=row["pk"],
                key=str(day.year),
                person_id=row["owner_id"],
                facts={"number": row["number"], "customer": row["customer__name"], "year": day.year},
            )

    def apply(self, finding: Finding) -> bool:
        contract = Contract.objects.filter(pk=finding.subject_id).first()
        if contract is None:
            return False
        return _notify(finding.person_id, finding.explanation, reverse("sales:contract_detail", args=[contract.pk]))


@register
class ReconciliationUnsigned(Rule):
    """rule: CON-4 — remind while a reconciliation with finance is due and not signed by both sides."""

    id = "CON-4r"
    title = _("Reconciliations with finance signed by both sides")
    params = ("reconcile_weekday", "ledger_reconcile_day")
    action = Action.REMIND
    subject_model = "sales.Reconciliation"
    explanation = _("The %(kind)s for %(period)s is not signed yet (sales: %(sales)s, finance: %(finance)s).")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        day = _day(as_of)
        rows = Reconciliation.objects.filter(period_end__lte=day).filter(
            Q(sales_signed_at__isnull=True) | Q(finance_signed_at__isnull=True)
        )
        for recon in rows.order_by("pk").iterator(chunk_size=500):
            yield Finding(
                subject_id=recon.pk,
                key=day.isoformat(),
                person_id=recon.opened_by_id,
                facts={
                    "kind": str(recon.get_kind_display()),
                    "period": f"{recon.period_start:%Y-%m-%d}…{recon.period_end:%Y-%m-%d}",
                    "sales": "✓" if recon.sales_signed_at else "—",
                    "finance": "✓" if recon.finance_signed_at else "—",
                },
            )

    def apply(self, finding: Finding) -> bool:
        recon = Reconciliation.objects.filter(pk=finding.subject_id).first()
        if recon is None or recon.is_closed:
            return False
        return _notify(finding.person_id, finding.explanation, reverse("sales:reconciliation", args=[recon.pk]))


@register
class OverdueNotices(Rule):
    """rule: CON-5 — at month end an overdue notice per overdue instalment goes to the owning rep."""

    id = "CON-5"
    title = _("Month-end overdue notices (催款通知单) to the owning reps")
    action = Action.REMIND
    subject_model = "sales.Instalment"
    explanation = _(
        "Overdue notice %(month)s: %(number)s (%(customer)s), %(kind)s due %(due)s, "
        "outstanding %(outstanding)s, %(days)s days overdue."
    )

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        month_end = last_month_end(_day(as_of))
        rows = Instalment.objects.filter(
            is_effective=True, due_date__lt=month_end, amount__gt=F("received") + F("written_off")
        )
        fields = (
            "pk",
            "owner_id",
            "contract__number",
            "contract__customer__name",
            "kind",
            "due_date",
            "amount",
            "received",
            "written_off",
        )
        for row in rows.values(*fields).order_by("pk").iterator(chunk_size=2000):
            outstanding = row["amount"] - row["received"] - row["written_off"]
            yield Finding(
                subject_id=row["pk"],
                key=f"{month_end:%Y-%m}",
                person_id=row["owner_id"],
                facts={
                    "month": f"{month_end:%Y-%m}",
                    "month_end": month_end.isoformat(),
                    "number": row["contract__number"],
                    "customer": row["contract__customer__name"],
                    "kind": str(Instalment.Kind(row["kind"]).label),
                    "due": row["due_date"].isoformat(),
                    "outstanding": f"{outstanding:.2f}",
                    "days": (month_end - row["due_date"]).days,
                },
            )

    def apply(self, finding: Finding) -> bool:
        row = Instalment.objects.filter(pk=finding.subject_id).first()
        if row is None or row.outstanding <= 0:
            return False
        month_end = dt.date.fromisoformat(str(finding.facts["month_end"]))
        notice, created = OverdueNotice.objects.get_or_create(
            instalment=row,
            month=month_end,
            defaults={
                "outstanding": row.outstanding,
                "days_overdue": max((month_end - row.due_date).days, 0),
                "owner_id": row.owner_id,
                "department_id": row.department_id,
            },
        )
        if not created:
            return False
        return _notify(row.owner_id, finding.explanation, reverse("sales:notice", args=[notice.pk])) or True


@register
class GuaranteeDeduction(Rule):
    """rule: CON-8 — a guaranteed debt unpaid after {guarantee_months} is deducted from the manager's pay."""

    id = "CON-8"
    title = _("Distributor guarantees unpaid after the period are deducted from the regional manager's pay")
    params = ("guarantee_months", "guarantee_limit")
    action = Action.VIOLATE
    subject_model = "sales.Guarantee"
    explanation = _(
        "Guarantee of %(amount)s for %(number)s (%(customer)s) given %(since)s: still %(owed)s unpaid "
        "after %(months)s months; deducted from the guarantor's pay."
    )

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        months = int(policy_value("guarantee_months", at=as_of))
        cutoff = _months_back(_day(as_of), months)
        unpaid = Instalment.objects.filter(contract=OuterRef("contract"), amount__gt=F("received") + F("written_off"))
        rows = Guarantee.objects.filter(Exists(unpaid), status=Guarantee.Status.ACTIVE, guaranteed_on__lte=cutoff)
        fields = (
            "pk",
            "guarantor_id",
            "amount",
            "guaranteed_on",
            "contract_id",
            "contract__number",
            "contract__customer__name",
        )
        for row in rows.values(*fields).order_by("pk").iterator(chunk_size=2000):
            owed = Instalment.objects.filter(contract_id=row["contract_id"]).aggregate(
                t=Sum(F("amount") - F("received") - F("written_off"))
            )["t"] or Decimal("0.00")
            yield Finding(
                subject_id=row["pk"],
                key="deducted",
                person_id=row["guarantor_id"],
                facts={
                    "amount": f"{row['amount']:.2f}",
                    "number": row["contract__number"],
                    "customer": row["contract__customer__name"],
                    "since": row["guaranteed_on"].isoformat(),
                    "owed": f"{owed:.2f}",
                    "months": months,
                    "deduct": f"{min(owed, row['amount']):.2f}",
                },
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.performance.services import violation_record

        guarantee = Guarantee.objects.select_related("guarantor").filter(pk=finding.subject_id).first()
        if guarantee is None or guarantee.status != Guarantee.Status.ACTIVE:
            return False
        violation = violation_record(
            actor_or_system=None,
            person=guarantee.guarantor,
            rule_id="CON-8",
            evidence=finding.explanation,
            amount=Decimal(str(finding.facts["deduct"])),
            subject=guarantee,
            breach_key=f"CON-8:guarantee:{guarantee.pk}",
        )
        Guarantee.objects.filter(pk=guarantee.pk, status=Guarantee.Status.ACTIVE).update(
            status=Guarantee.Status.DEDUCTED, violation=violation
        )
        return True
