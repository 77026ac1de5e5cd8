"""Orders (订单, ORD-3) and their production tracking (生产计划/进度, ORD-4).

An ``Order`` carries the number, customer and owner (ORG-5 scope); its content lives in dated
``OrderVersion`` rows. A version takes effect only when the rep's manager or group leader signs it
off (ORD-3). A change to an effective order is a new version, pending the same sign-off; the
effective version stays in force (and on record) until the change is signed off. An effective
version is never edited.

ORD-4: the sales office reviews price, specification and model and enters the production plan on
the day the order takes effect (``plan_due_at``: the end of that working day); production,
outsourcing and purchasing progress is entered as ``ProgressEntry`` rows and summarised daily.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager

# rule: ORD-3 — who may sign an order off (the rep's manager or group leader).
SIGNOFF_PERMISSION = "sales.signoff_order"
# rule: ORD-4 — the sales office reviews the order and enters the production plan.
PLAN_PERMISSION = "sales.plan_order"


class Order(models.Model):
    """A customer order (订单); the lines are in its versions, the effective one in force."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting sign-off")
        EFFECTIVE = "effective", _("Effective")
        CHANGE_PENDING = "change_pending", _("Effective, change awaiting sign-off")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("order number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.PROTECT, related_name="orders"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    deposit = models.ForeignKey(
        "sales.Deposit",
        verbose_name=_("deposit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    quote = models.ForeignKey(
        "sales.Quote", verbose_name=_("quote"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    # Its contracts (合同, CON-1) point here: ``Contract.order`` (related name ``contracts``).
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("latest version"), default=1)
    effective_version = models.PositiveIntegerField(_("version in force"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    effective_at = models.DateTimeField(_("effective since"), null=True, blank=True)
    # rule: ORD-4 — the production plan is due by the end of the working day the order took effect.
    plan_due_at = models.DateTimeField(_("production plan due"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("signoff_order", _("Can sign off orders and order changes (ORD-3)")),
            ("plan_order", _("Can review orders and enter production plans and progress (ORD-4)")),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="sales_order_owner_idx"),
            models.Index(fields=["department", "-created_at", "-id"], name="sales_order_dept_idx"),
            models.Index(fields=["customer", "-created_at"], name="sales_order_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_effective(self) -> bool:
        return self.effective_version is not None and self.status != self.Status.CANCELLED


class OrderVersion(models.Model):
    """One dated version of an order (订单版本): its lines and total; frozen once submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting sign-off")
        EFFECTIVE = "effective", _("Effective")
        SUPERSEDED = "superseded", _("Superseded by a later version")
        REJECTED = "rejected", _("Not signed off")

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    decision_note = models.CharField(_("sign-off note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order version")
        verbose_name_plural = _("order versions")
        ordering = ["order", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "version"],
                name="sales_orderversion_unique",
                violation_error_message=_("This version of the order already exists."),
            ),
            # rule: ORD-3 — nothing is in force without a sign-off.
            models.CheckConstraint(
                condition=~Q(status__in=["effective", "superseded"])
                | Q(signed_off_by__isnull=False, signed_off_at__isnull=False),
                name="sales_orderversion_effective_signed",
                violation_error_message=_("An effective order version records who signed it off and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class OrderLine(models.Model):
    """A line of an order version: product, quantity, unit price (from the price list unless agreed)."""

    version = models.ForeignKey(OrderVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("sales.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("specification / description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["version", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gt=0) & Q(list_price__gt=0),
                name="sales_orderline_positive",
                violation_error_message=_("Quantity and prices must be positive."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class ProductionPlan(models.Model):
    """The production plan the sales office enters after reviewing price, spec and model (ORD-4)."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="production_plan"
    )
    price_checked = models.BooleanField(_("price checked"), default=False)
    spec_checked = models.BooleanField(_("specification checked"), default=False)
    model_checked = models.BooleanField(_("model checked"), default=False)
    planned_start = models.DateField(_("planned start"))
    planned_finish = models.DateField(_("planned finish"))
    note = models.CharField(_("plan note"), max_length=1000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production plan")
        verbose_name_plural = _("production plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_finish__gte=models.F("planned_start")),
                name="sales_productionplan_dates",
                violation_error_message=_("The planned finish cannot be before the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.planned_start}–{self.planned_finish}"


class ProgressEntry(models.Model):
    """A progress note on production, outsourcing or purchasing (生产/外协/采购进度, ORD-4)."""

    class Kind(models.TextChoices):
        PRODUCTION = "production", _("Production")
        OUTSOURCING = "outsourcing", _("Outsourcing")
        PURCHASING = "purchasing", _("Purchasing")

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="progress")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("day"), db_index=True)
    percent = models.PositiveSmallIntegerField(_("percent complete"), null=True, blank=True)
    note = models.CharField(_("progress"), max_length=1000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100),
                name="sales_progress_percent",
                violation_error_message=_("A percentage is from 0 to 100."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.get_kind_display()} {self.day}"
