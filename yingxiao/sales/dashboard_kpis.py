"""The receivables KPIs of the director's dashboard (CON-3): 回款率 and 坏账率 as dashboard sources.

The reports registry (``yingxiao/reports/kpis.py``) names these objects by their dotted path. Each
is a *source*: ``figure`` is the headline in one aggregate, ``records`` the contracts behind it (a
queryset the drill-down paginates and the export streams) and ``to_row`` turns one record into a
drill-down row. The drill-down lists **one row per contract**, with its share of the figure's
numerator and denominator: the rows add up to the figure, for every viewer (ORG-5: everything is
read through ``restrict``; a department filter narrows to that subtree, never widens).

- 回款率 = collected ÷ due on the instalments of signed contracts due in the period. A contract's
  row: its instalments due in the period, due and collected; it counts as fully collected when
  every one of them is received in full (written off is not collected).
- 坏账率 = bad debt written off (approved) in the period ÷ revenue (contracts signed in the
  period), against the limit of the viewer's scope. A contract's row: its revenue in the period
  (its amount when signed in the period, else 0) and what was written off on it in the period.
- 客户忠诚度 loyalty = the share of the period's buying customers (a contract signed in the period)
  who are repeat customers: they signed more than one contract up to the period's end. A row per
  customer. Only contracts within the viewer's scope count, on both sides of the ratio.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from yingxiao.reports.kpis import Provided, Row
from yingxiao.reports.scope import department_ids

from .kpis import bad_debt_limit
from .models import Contract, Instalment, WriteOff

if TYPE_CHECKING:
    from yingxiao.org.models import Department, User
    from yingxiao.reports.periods import Period

ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
_MONEY = DecimalField(max_digits=18, decimal_places=2)
_EFFECTIVE = (Contract.Status.SIGNED, Contract.Status.ARCHIVED)


def _cents(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(_CENT)


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator * 100 / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _in_departments(qs: QuerySet[Any], department: Department | None) -> QuerySet[Any]:
    if department is None:
        return qs
    cached = getattr(department, "_reports_subtree", None)
    if cached is None:
        cached = department_ids(department)
        department._reports_subtree = cached  # type: ignore[attr-defined]
    return qs.filter(department_id__in=cached)


def _contract_url(pk: Any) -> str:
    return reverse("sales:contract_detail", args=[pk])


# --- 回款率 ------------------------------------------------------------------------------------


class CollectionRate:
    """rule: CON-3 — 回款率 of the dashboard, drilled down to the contracts behind it."""

    def instalments(self, viewer: User, period: Period, department: Department | None) -> QuerySet[Instalment]:
        """The instalments of signed contracts due in the period, within the viewer's scope."""
        rows = Instalment.objects.restrict(viewer, "view").filter(
            is_effective=True, due_date__gte=period.start, due_date__lt=period.end
        )
        return _in_departments(rows, department)

    def figure(self, viewer: User, period: Period, department: Department | None) -> Provided:
        # One aggregate: a contract is fully collected when none of its instalments is short. Index-only:
        # ``sales_inst_eff_due_idx`` carries the contract of each line due in the period.
        totals = (
            self.instalments(viewer, period, department)
            .order_by()
            .aggregate(
                due=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
                collected=Coalesce(Sum("received"), Value(ZERO), output_field=_MONEY),
                contracts=Count("contract_id", distinct=True),
                short=Count("contract_id", distinct=True, filter=Q(received__lt=F("amount"))),
            )
        )
        due, collected = _cents(totals["due"]), _cents(totals["collected"])
        return Provided(
            value=_percent(collected, due),
            hits=totals["contracts"] - totals["short"],
            total=totals["contracts"],
            numerator=collected,
            denominator=due,
        )

    def records(self, viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
        """One row per contract (a grouped query): due and collected in the period."""
        rows = (
            self.instalments(viewer, period, department)
            .values(
                "contract_id",
                "contract__number",
                "contract__customer__name",
                "contract__owner__display_name",
                "contract__owner__username",
                "contract__department__name",
            )
            .annotate(
                kpi_due=Sum("amount"),
                kpi_collected=Sum("received"),
                kpi_first_due=Min("due_date"),
                kpi_short=Count("pk", filter=Q(received__lt=F("amount"))),
            )
        )
        if segment == "collected":
            rows = rows.filter(kpi_short=0)
        elif segment == "outstanding":
            rows = rows.filter(kpi_short__gt=0)
        return rows.order_by("kpi_first_due", "contract_id")

    def to_row(self, record: dict[str, Any]) -> Row:
        due, collected = _cents(record["kpi_due"]), _cents(record["kpi_collected"])
        return Row(
            pk=record["contract_id"],
            label=f"{record['contract__number']} {record['contract__customer__name']}",
            owner=record["contract__owner__display_name"] or record["contract__owner__username"] or "",
            department=record["contract__department__name"] or "",
            when=record["kpi_first_due"],
            hit=record["kpi_short"] == 0,
            status=f"{collected} / {due}",
            url=_contract_url(record["contract_id"]),
            amount=due,
            numerator=collected,
            denominator=due,
        )


# --- 坏账率 ------------------------------------------------------------------------------------


class BadDebtRatio:
    """rule: CON-3 — 坏账率 of the dashboard against the limit of the viewer's scope, per contract."""

    def write_offs(self, viewer: User, period: Period, department: Department | None) -> QuerySet[WriteOff]:
        rows = WriteOff.objects.restrict(viewer, "view").filter(
            status=WriteOff.Status.APPROVED, written_off_on__gte=period.start, written_off_on__lt=period.end
        )
        return _in_departments(rows, department)

    def _signed(self, period: Period) -> Q:
        return Q(status__in=_EFFECTIVE, signed_on__gte=period.start, signed_on__lt=period.end)

    def revenue(self, viewer: User, period: Period, department: Department | None) -> QuerySet[Contract]:
        return _in_departments(Contract.objects.restrict(viewer, "view").filter(self._signed(period)), department)

    def figure(self, viewer: User, period: Period, department: Department | None) -> Provided:
        revenue = (
            self.revenue(viewer, period, department)
            .order_by()
            # COUNT(*), not of the key: the signed-contract index alone answers it (index-only).
            .aggregate(amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY), contracts=Count("*"))
        )
        signed_in_period = Q(
            instalment__contract__status__in=_EFFECTIVE,
            instalment__contract__signed_on__gte=period.start,
            instalment__contract__signed_on__lt=period.end,
        )
        written = (
            self.write_offs(viewer, period, department)
            .order_by()
            .aggregate(
                amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
                contracts=Count("instalment__contract_id", distinct=True),
                also_revenue=Count("instalment__contract_id", distinct=True, filter=signed_in_period),
            )
        )
        numerator, denominator = _cents(written["amount"]), _cents(revenue["amount"])
        limit = bad_debt_limit(viewer, department=department)
        return Provided(
            value=_percent(numerator, denominator),
            hits=written["contracts"],
            # The contracts signed in the period, and those written off on without being signed in it.
            total=revenue["contracts"] + written["contracts"] - written["also_revenue"],
            numerator=numerator,
            denominator=denominator,
            target=limit,
        )

    def records(
        self, viewer: User, period: Period, department: Department | None, segment: str = ""
    ) -> QuerySet[Contract]:
        written = self.write_offs(viewer, period, department)
        per_contract = (
            written.filter(instalment__contract_id=OuterRef("pk"))
            .order_by()
            .values("instalment__contract_id")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        signed = self._signed(period)
        rows = _in_departments(
            Contract.objects.restrict(viewer, "view").filter(
                signed | Q(pk__in=written.values("instalment__contract_id"))
            ),
            department,
        ).annotate(
            kpi_revenue=Case(When(signed, then=F("amount")), default=Value(ZERO), output_field=_MONEY),
            kpi_written=Coalesce(Subquery(per_contract, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
        )
        if segment == "bad_debt":
            rows = rows.filter(kpi_written__gt=0)
        elif segment == "clean":
            rows = rows.filter(kpi_written=0)
        return rows.select_related("customer", "owner", "department").order_by("-kpi_written", "-signed_on", "pk")

    def to_row(self, contract: Contract) -> Row:
        revenue, written = _cents(contract.kpi_revenue), _cents(contract.kpi_written)  # type: ignore[attr-defined]
        return Row(
            pk=contract.pk,
            label=f"{contract.number} {contract.customer.name}",
            owner=contract.owner.display_name or contract.owner.username,
            department=contract.department.name if contract.department_id else "",
            when=contract.signed_on,
            hit=written > 0,
            status=contract.get_status_display(),
            url=_contract_url(contract.pk),
            amount=revenue,
            numerator=written,
            denominator=revenue,
        )


# --- 客户忠诚度 ----------------------------------------------------------------------------------


class RepeatCustomers:
    """KPI — 客户忠诚度: of the customers who bought in the period, those who have bought before (or again)."""

    def _contracts(self, viewer: User, department: Department | None) -> QuerySet[Contract]:
        return _in_departments(Contract.objects.restrict(viewer, "view").filter(status__in=_EFFECTIVE), department)

    def _per_customer(
        self, viewer: User, period: Period, department: Department | None, *columns: str
    ) -> QuerySet[Any]:
        """The period's buyers grouped by customer (and ``columns``): their contracts up to its end."""
        contracts = self._contracts(viewer, department)
        buyers = contracts.filter(signed_on__gte=period.start, signed_on__lt=period.end).values("customer_id")
        return (
            contracts.filter(customer_id__in=buyers, signed_on__lt=period.end)
            .values("customer_id", *columns)
            .annotate(kpi_contracts=Count("pk"))
        )

    def records(self, viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
        """One row per customer with a contract signed in the period: their contracts up to its end."""
        rows = self._per_customer(
            viewer,
            period,
            department,
            "customer__name",
            "customer__owner__display_name",
            "customer__owner__username",
            "customer__department__name",
        ).annotate(
            kpi_amount=Sum("amount"),
            kpi_first=Min("signed_on"),
            kpi_in_period=Count("pk", filter=Q(signed_on__gte=period.start)),
        )
        if segment == "repeat":
            rows = rows.filter(kpi_contracts__gt=1)
        elif segment == "first":
            rows = rows.filter(kpi_contracts=1)
        return rows.order_by("-kpi_contracts", "customer_id")

    def figure(self, viewer: User, period: Period, department: Department | None) -> Provided:
        # One query over the per-customer counts alone: the drill-down's names and sums are not needed.
        counts = (
            self._per_customer(viewer, period, department)
            .order_by()
            .aggregate(total=Count("customer_id"), hits=Count("customer_id", filter=Q(kpi_contracts__gt=1)))
        )
        total, hits = counts["total"], counts["hits"]
        return Provided(value=_percent(Decimal(hits), Decimal(total)), hits=hits, total=total)

    def to_row(self, record: dict[str, Any]) -> Row:
        contracts = record["kpi_contracts"]
        counts = {"count": contracts, "new": record["kpi_in_period"]}
        return Row(
            pk=record["customer_id"],
            label=record["customer__name"],
            owner=record["customer__owner__display_name"] or record["customer__owner__username"] or "",
            department=record["customer__department__name"] or "",
            when=record["kpi_first"],
            hit=contracts > 1,
            status=_("%(count)d contracts, %(new)d in the period") % counts,
            url=reverse("customers:detail", args=[record["customer_id"]]),
            amount=_cents(record["kpi_amount"]),
        )


collection_rate = CollectionRate()
bad_debt_ratio = BadDebtRatio()
repeat_customers = RepeatCustomers()
