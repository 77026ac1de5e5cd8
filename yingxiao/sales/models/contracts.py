"""Contracts (销售合同, CON-1/CON-2/CON-7): the contract, its payment plan and the contract-seal log.

A contract is drafted by the commerce group (商务组), reviewed by the marketing director through
the approvals engine, signed, then entered and archived by category with the signed scan (CON-1).
Its payment plan (付款计划) splits the amount into 预付款 / 进度款 / 尾款 instalments that add up to
the contract amount to the cent (CON-2). A contract belongs to the customer's owner (rep) and
department: it is scoped like customers (ORG-5).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager


class Contract(models.Model):
    """A sales contract (销售合同) with a customer; money is Decimal to the cent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Awaiting director review")
        APPROVED = "approved", _("Approved, to be signed")
        SIGNED = "signed", _("Signed")
        ARCHIVED = "archived", _("Archived")

    class Category(models.TextChoices):
        # rule: CON-1 — contracts are archived by category (销售合同 / 工矿合同 / 经销合同 …).
        SALES = "sales", _("Sales contract")
        INDUSTRIAL = "industrial", _("Industrial and mining contract")
        DISTRIBUTOR = "distributor", _("Distributor agreement")
        SERVICE = "service", _("Service contract")
        OTHER = "other", _("Other")

    number = models.CharField(_("contract number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.SALES)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.PROTECT, related_name="contracts"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("contract amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=500, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_scan = models.FileField(_("signed scan"), upload_to="sales/contracts/%Y/%m/", blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # rule: CON-2 — the customer's written confirmation of the balance of a cross-year contract (余额确认).
    balance_confirmed_on = models.DateField(_("balance confirmed on"), null=True, blank=True)
    balance_confirmation = models.FileField(
        _("balance confirmation"), upload_to="sales/contracts/balance/%Y/", blank=True
    )
    # The order (ORD-3) the contract was drafted from: its deposit counts toward this contract's
    # collection once finance has confirmed it (ORD-2, CON-3, ``services.receivables.deposit_apply``).
    order = models.ForeignKey(
        "sales.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="sales_contract_owner_idx"),
            models.Index(fields=["department", "-created_at"], name="sales_contract_dept_idx"),
            models.Index(fields=["customer", "status"], name="sales_contract_customer_idx"),
            # 坏账率's revenue (CON-3): the amount of the contracts signed in a period, index-only.
            models.Index(
                fields=["signed_on", "status", "amount", "owner", "department"],
                condition=Q(signed_on__isnull=False),
                name="sales_contract_signed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="sales_contract_amount_positive",
                violation_error_message=_("A contract amount must be positive."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_effective(self) -> bool:
        """Signed (or archived): money can be received and invoiced against it."""
        return self.status in (self.Status.SIGNED, self.Status.ARCHIVED)

    @property
    def is_cross_year(self) -> bool:
        """rule: CON-2 — a contract whose instalments fall due in a later year than it was signed (跨年合同)."""
        year = self.signed_on.year if self.signed_on else self.created_at.year
        return self.instalments.filter(due_date__year__gt=year).exists()


class Instalment(models.Model):
    """One line of the payment plan (付款计划): 预付款 / 进度款 / 尾款, due date and amount.

    ``received`` and ``written_off`` are kept equal to the confirmed allocations and approved
    write-offs by the services (set-based KPIs read them without joining millions of receipts).
    """

    class Kind(models.TextChoices):
        PREPAYMENT = "prepayment", _("Prepayment (预付款)")
        PROGRESS = "progress", _("Progress payment (进度款)")
        FINAL = "final", _("Final payment (尾款)")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="instalments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    received = models.DecimalField(_("received"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    written_off = models.DecimalField(_("written off"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    position = models.PositiveIntegerField(_("position"), default=0)
    # Mirrors of the contract's scope fields: ageing and KPIs filter and group without a join.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_effective = models.BooleanField(_("contract in force"), default=False)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["contract", "due_date", "position", "pk"]
        permissions = [("write_off_instalment", _("Can request a bad-debt write-off (CON-3)"))]
        indexes = [
            # Covering indexes of the receivables KPIs (CON-3), wide keys as SQLite has no INCLUDE:
            # 回款率 over the lines due in a period and ageing over the open lines are index-only
            # scans, for the company or a department.
            models.Index(
                # …and the contract: the dashboard's 回款率 counts the contracts behind it (index-only too).
                fields=["due_date", "amount", "received", "written_off", "owner", "department", "contract"],
                condition=Q(is_effective=True),
                name="sales_inst_eff_due_idx",
            ),
            models.Index(fields=["owner", "due_date"], name="sales_inst_owner_idx"),
            models.Index(
                fields=["department", "due_date", "is_effective", "amount", "received", "written_off", "owner"],
                name="sales_inst_dept_cov_idx",
            ),
            models.Index(
                fields=["owner", "due_date", "amount", "received", "written_off", "department"],
                condition=Q(is_effective=True) & Q(amount__gt=F("received") + F("written_off")),
                name="sales_inst_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(received__gte=0)
                & Q(written_off__gte=0)
                & Q(amount__gte=F("received") + F("written_off")),
                name="sales_instalment_amounts_valid",
                violation_error_message=_("An instalment is positive and never receives more than it is due."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.get_kind_display()} {self.due_date:%Y-%m-%d}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received - self.written_off


class SealUse(models.Model):
    """rule: CON-7 — one use of the contract seal (经济合同章), logged by its keeper (the sales assistant)."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seal_uses",
    )
    document = models.CharField(_("document"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("used by"), on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("used at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "recorded_by"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("contract seal use")
        verbose_name_plural = _("contract seal log")
        ordering = ["-used_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.used_at:%Y-%m-%d %H:%M} {self.document}"
