"""Money received and owed (ORD-2, CON-3…CON-5, CON-8): receipts and their allocation to instalments,
bad-debt write-offs, reconciliations with finance, overdue notices and distributor guarantees.

Nothing here is hard-deleted: a receipt is reversed (its allocations stay, the receipt is marked
reversed), a reconciliation is signed off, a notice is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager


class Receipt(models.Model):
    """rule: ORD-2 — money received against a contract, confirmed by finance only (到款确认)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        REVERSED = "reversed", _("Reversed")

    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="receipts"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    received_on = models.DateField(_("received on"), db_index=True)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reversed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_reason = models.CharField(_("reason for the reversal"), max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # rule: ORD-2 / CON-3 — a deposit (小定/大定) finance confirmed is money received against the
    # contract of its order: at most one confirmed receipt per deposit, so it is never counted twice.
    deposit = models.ForeignKey(
        "sales.Deposit",
        verbose_name=_("deposit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-pk"]
        permissions = [("confirm_receipt", _("Can confirm money received (finance only, ORD-2)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="sales_receipt_amount_positive",
                violation_error_message=_("A receipt amount must be positive."),
            ),
            models.UniqueConstraint(
                fields=["deposit"],
                condition=Q(status="confirmed", deposit__isnull=False),
                name="sales_receipt_one_per_deposit",
                violation_error_message=_("This deposit has already been received against a contract."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.amount} ({self.received_on:%Y-%m-%d})"


class Allocation(models.Model):
    """The part of a receipt applied to one instalment; kept when the receipt is reversed (history)."""

    receipt = models.ForeignKey(
        Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT, related_name="allocations"
    )
    instalment = models.ForeignKey(
        "sales.Instalment", verbose_name=_("instalment"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["receipt", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sales_allocation_amount_positive")]

    def __str__(self) -> str:
        return f"{self.receipt} → {self.instalment_id}: {self.amount}"


class WriteOff(models.Model):
    """rule: CON-3 — a bad-debt write-off (坏账核销) of an instalment's balance, effective after approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Written off")
        REJECTED = "rejected", _("Rejected")

    instalment = models.ForeignKey(
        "sales.Instalment", verbose_name=_("instalment"), on_delete=models.PROTECT, related_name="write_offs"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("bad-debt write-off")
        verbose_name_plural = _("bad-debt write-offs")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sales_writeoff_amount_positive")]

    def __str__(self) -> str:
        return f"{self.instalment} −{self.amount}"


class Reconciliation(models.Model):
    """rule: CON-4 — a reconciliation with finance for a period (weekly 对账 or the monthly ledger)."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly reconciliation")
        MONTHLY = "monthly", _("Monthly ledger reconciliation")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sales_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for sales by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sales_signed_at = models.DateTimeField(_("signed for sales at"), null=True, blank=True)
    finance_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for finance by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finance_signed_at = models.DateTimeField(_("signed for finance at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-period_end", "kind"]
        permissions = [
            ("sign_sales_reconciliation", _("Can sign a reconciliation for sales (CON-4)")),
            ("sign_finance_reconciliation", _("Can enter finance figures and sign for finance (CON-4)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_end"],
                name="sales_reconciliation_one_per_period",
                violation_error_message=_("This period already has a reconciliation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}…{self.period_end:%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.sales_signed_at is not None and self.finance_signed_at is not None


class ReconciliationLine(models.Model):
    """One contract in a reconciliation: the sales ledger's balance next to finance's figure."""

    reconciliation = models.ForeignKey(
        Reconciliation, verbose_name=_("reconciliation"), on_delete=models.PROTECT, related_name="lines"
    )
    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    sales_amount = models.DecimalField(_("sales ledger balance"), max_digits=16, decimal_places=2)
    finance_amount = models.DecimalField(_("finance balance"), max_digits=16, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("reconciliation line")
        verbose_name_plural = _("reconciliation lines")
        ordering = ["reconciliation", "contract__number"]
        constraints = [
            models.UniqueConstraint(fields=["reconciliation", "contract"], name="sales_reconline_unique_contract")
        ]

    def __str__(self) -> str:
        return f"{self.reconciliation} · {self.contract_id}"

    @property
    def difference(self):  # type: ignore[no-untyped-def]
        return None if self.finance_amount is None else self.sales_amount - self.finance_amount


class OverdueNotice(models.Model):
    """rule: CON-5 — a month-end overdue notice (催款通知单) for one instalment, to its owning rep."""

    instalment = models.ForeignKey(
        "sales.Instalment", verbose_name=_("instalment"), on_delete=models.PROTECT, related_name="notices"
    )
    month = models.DateField(_("month"))  # the month-end date the notice is for
    outstanding = models.DecimalField(_("outstanding"), max_digits=16, decimal_places=2)
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("overdue notice")
        verbose_name_plural = _("overdue notices")
        ordering = ["-month", "owner", "pk"]
        constraints = [models.UniqueConstraint(fields=["instalment", "month"], name="sales_notice_once_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.instalment}"


class Guarantee(models.Model):
    """rule: CON-8 — a regional manager's guarantee of a distributor's debt, up to ``{guarantee_limit}``."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SETTLED = "settled", _("Settled (debt paid)")
        DEDUCTED = "deducted", _("Deducted from pay")

    guarantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("regional manager"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="guarantees"
    )
    amount = models.DecimalField(_("guaranteed amount"), max_digits=16, decimal_places=2)
    guaranteed_on = models.DateField(_("guaranteed on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    violation = models.ForeignKey(
        "performance.Violation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "guarantor"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("distributor guarantee")
        verbose_name_plural = _("distributor guarantees")
        ordering = ["-guaranteed_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sales_guarantee_amount_positive")]

    def __str__(self) -> str:
        return f"{self.guarantor} · {self.contract.number} {self.amount}"
