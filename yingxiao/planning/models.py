"""Targets (目标, PLN-1…PLN-3), budgets and expense claims (预算 / 费用报销, PLN-4), gifts (礼品申领, PLN-5).

A ``TargetPlan`` is one metric's annual plan (销售额, 回款, 新客户, 利润, 新产品); its ``Target`` rows
form a tree: the annual total at the root, split either by period (year → quarters → months) or
by unit (a department → its sub-departments, offices and people) at each level. Every node
names its ``department`` (and ``person`` for a personal target), so reads are scoped like other
records (ORG-5). A parent whose parts do not add up carries an explanation of exactly that
difference, or the plan cannot be published. Changes after publication are reallocations, each
recorded in ``Reallocation`` (who, when, old → new, reason) on top of the row history.

Budgets are per department, year (and optionally month) and category. ``committed`` is the sum
of the pending and approved claims charged to the budget: it only moves by conditional updates
(``committed + amount <= amount``), so two claims at once can never overspend.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager

if TYPE_CHECKING:
    from yingxiao.org.models import User

MONEY = {"max_digits": 16, "decimal_places": 2}


class Metric(models.TextChoices):
    """What a target counts (PLN-2)."""

    SALES = "sales", _("Sales")
    COLLECTIONS = "collections", _("Collections")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    PROFIT = "profit", _("Profit")
    NEW_PRODUCTS = "new_products", _("New products")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


def period_bounds(year: int, kind: str, index: int) -> tuple[dt.date, dt.date]:
    """First and last day of a year, quarter (1–4) or month (1–12)."""
    if kind == PeriodKind.YEAR:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first_month = (index - 1) * 3 + 1 if kind == PeriodKind.QUARTER else index
    months = 3 if kind == PeriodKind.QUARTER else 1
    start = dt.date(year, first_month, 1)
    end_month = first_month + months
    end = dt.date(year + 1, 1, 1) if end_month > 12 else dt.date(year, end_month, 1)
    return start, end - dt.timedelta(days=1)


def plan_restrict(qs: models.QuerySet[TargetPlan], actor: User | Any, action: str = "view") -> models.QuerySet[Any]:
    """Plans the actor may see: all for an all-scope role, else those holding a target in their scope."""
    from yingxiao.org.scope import scope_for

    if actor is None or not actor.is_authenticated or not actor.has_perm(f"planning.{action}_targetplan"):
        return qs.none()
    if scope_for(actor).is_all:
        return qs
    visible = (
        Target.objects.restrict(actor, "view") if actor.has_perm("planning.view_target") else Target.objects.none()
    )
    return qs.filter(pk__in=visible.values("plan_id"))


class _PlanQuerySet(models.QuerySet):
    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        return plan_restrict(self, actor, action)  # type: ignore[return-value]


PlanManager = models.Manager.from_queryset(_PlanQuerySet)


class TargetPlan(models.Model):
    """One metric's annual plan (年度计划) for a department tree; published once its parts add up."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    year = models.PositiveIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PlanManager()

    class Meta:
        verbose_name = _("target plan")
        verbose_name_plural = _("target plans")
        ordering = ["-year", "metric", "pk"]
        permissions = [("publish_targetplan", "Can publish target plans")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "metric", "department"],
                name="planning_plan_unique",
                violation_error_message=_("A plan for this metric, year and department already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.year} {self.get_metric_display()} · {self.department}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Target(models.Model):
    """One node of a plan's tree: an amount for a unit (department or person) and a period."""

    plan = models.ForeignKey(TargetPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    period_index = models.PositiveSmallIntegerField(_("period number"), default=0)  # quarter 1–4, month 1–12
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("target"), **MONEY)
    # rule: PLN-1 — a difference between the parts and this target, explained (the amount it explains).
    difference_note = models.TextField(_("explanation of the difference"), blank=True)
    explained_difference = models.DecimalField(_("explained difference"), null=True, blank=True, **MONEY)
    history = HistoricalRecords()

    objects = RestrictedManager()

    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "period_kind", "period_index", "department__path", "person_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="planning_target_amount_nonneg",
                violation_error_message=_("A target cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(period_kind="year", period_index=0)
                | Q(period_kind="quarter", period_index__gte=1, period_index__lte=4)
                | Q(period_kind="month", period_index__gte=1, period_index__lte=12),
                name="planning_target_period_valid",
                violation_error_message=_("The period is invalid: a quarter is 1–4, a month 1–12."),
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["plan", "parent"], name="planning_target_tree_idx")]

    def __str__(self) -> str:
        return f"{self.unit_label} · {self.period_label}: {self.amount}"

    @property
    def unit_label(self) -> str:
        return str(self.person) if self.person_id else str(self.department)

    @property
    def period_label(self) -> str:
        year = self.plan.year
        if self.period_kind == PeriodKind.QUARTER:
            return f"{year} Q{self.period_index}"
        if self.period_kind == PeriodKind.MONTH:
            return f"{year}-{self.period_index:02d}"
        return str(year)

    def bounds(self) -> tuple[dt.date, dt.date]:
        return period_bounds(self.plan.year, self.period_kind, self.period_index)


class Reallocation(models.Model):
    """rule: PLN-1 — a change of a published target: who, when, old → new, and why (append-only)."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="reallocations")
    batch = models.UUIDField(_("reallocation"), db_index=True)  # the changes made together, with one reason
    old_amount = models.DecimalField(_("old target"), **MONEY)
    new_amount = models.DecimalField(_("new target"), **MONEY)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # Scope follows the target it changed.
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedManager()

    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("target reallocation")
        verbose_name_plural = _("target reallocations")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.target}: {self.old_amount} → {self.new_amount}"


class CorrectiveAction(models.Model):
    """rule: PLN-3 — a target behind plan by more than the threshold needs a corrective action (纠正措施)."""

    class Status(models.TextChoices):
        REQUIRED = "required", _("Required")
        SUBMITTED = "submitted", _("Submitted")

    target = models.OneToOneField(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="corrective_action"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    planned = models.DecimalField(_("target"), **MONEY)
    actual = models.DecimalField(_("actual"), **MONEY)
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUIRED)
    analysis = models.TextField(_("analysis of the gap"), blank=True)
    action = models.TextField(_("corrective action"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = RestrictedManager()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["status", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.target} ({self.get_status_display()})"


class ExpenseCategory(models.TextChoices):
    """Budget lines (业务往来费 and the others of 002 §41–46)."""

    TRAVEL = "travel", _("Travel")
    ENTERTAINMENT = "entertainment", _("Entertainment")
    GIFTS = "gifts", _("Gifts")
    MARKETING = "marketing", _("Marketing and events")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class Budget(models.Model):
    """rule: PLN-4 — a department's expense budget for a year (or one month of it) and category."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), default=0)  # 0: the whole year
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    amount = models.DecimalField(_("budget"), **MONEY)
    committed = models.DecimalField(_("claimed (pending and approved)"), default=Decimal("0.00"), **MONEY)
    spent = models.DecimalField(_("approved"), default=Decimal("0.00"), **MONEY)
    history = HistoricalRecords()

    objects = RestrictedManager()

    scope_department_field = "department"

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "department__path", "category", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "month", "category"],
                name="planning_budget_unique",
                violation_error_message=_("This budget already exists; change its amount instead."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(committed__gte=0) & Q(committed__lte=F("amount")),
                name="planning_budget_not_overspent",
                violation_error_message=_("A budget cannot be overspent."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=0, month__lte=12),
                name="planning_budget_month_0_12",
                violation_error_message=_("A month is 1–12 (0: the whole year)."),
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.department} · {period} · {self.get_category_display()}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


class ExpenseClaim(models.Model):
    """rule: PLN-4 — an expense claim (费用报销), charged to a budget and approved by amount tiers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimant"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.PROTECT, related_name="claims")
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    spent_on = models.DateField(_("date of the expense"))
    description = models.TextField(_("description"))
    receipt = models.FileField(_("receipt"), upload_to="planning/receipts/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = RestrictedManager()

    scope_owner_field = "claimant"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="planning_claim_amount_positive",
                violation_error_message=_("The amount must be greater than zero."),
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.claimant} · {self.get_category_display()} · {self.amount}"


class GiftRequest(models.Model):
    """rule: PLN-5 — a gift for a customer (礼品申领): approved, delivered, signed for by the customer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved, to deliver")
        DELIVERED = "delivered", _("Delivered and signed for")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    gift = models.CharField(_("gift"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    value = models.DecimalField(_("total value"), **MONEY)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    deliver_by = models.DateField(_("deliver by"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    signed_by = models.CharField(_("signed for by"), max_length=100, blank=True)
    signature = models.FileField(_("signed receipt"), upload_to="planning/gifts/%Y/%m/", blank=True)
    violation_recorded = models.BooleanField(_("violation recorded"), default=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = RestrictedManager()

    scope_owner_field = "requester"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("gift request")
        verbose_name_plural = _("gift requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0) & Q(quantity__gte=1), name="planning_gift_value_positive",
                violation_error_message=_("The value must be greater than zero."),
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "deliver_by"], name="planning_gift_due_idx")]

    def __str__(self) -> str:
        return f"{self.gift} → {self.customer}"
