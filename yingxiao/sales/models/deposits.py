"""Deposits (小定/大定, ORD-1, ORD-2, ORD-5).

A ``Deposit`` is money the customer pays against one stock unit. The rep registers it; only a
finance role confirms the money was received (ORD-2); void and refund keep the row (status and
history), never a delete.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager

from .stock import StockItem

# rule: ORD-2 — the permission that confirms money received (finance only).
CONFIRM_DEPOSIT_PERMISSION = "sales.confirm_deposit"


class Deposit(models.Model):
    """A small or full deposit (小定/大定) against one stock unit; confirmed by finance only (ORD-2)."""

    class Kind(models.TextChoices):
        SMALL = "small", _("Small deposit (小定)")
        FULL = "full", _("Full deposit (大定)")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Awaiting finance confirmation")
        CONFIRMED = "confirmed", _("Received (confirmed by finance)")
        VOID = "void", _("Void")
        REFUNDED = "refunded", _("Refunded")

    ACTIVE = (Status.REGISTERED, Status.CONFIRMED)

    number = models.CharField(_("deposit number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    item = models.ForeignKey(StockItem, verbose_name=_("stock item"), on_delete=models.PROTECT, related_name="deposits")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deposits"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.PROTECT, related_name="deposits"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    payer = models.CharField(_("paid by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided / refunded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("voided / refunded at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-registered_at", "-id"]
        permissions = [("confirm_deposit", _("Can confirm deposit money received (finance, ORD-2)"))]
        indexes = [
            models.Index(fields=["owner", "-registered_at"], name="sales_deposit_owner_idx"),
            models.Index(fields=["department", "-registered_at"], name="sales_deposit_dept_idx"),
        ]
        constraints = [
            # rule: ORD-5 — one live deposit per unit, also under concurrency (the database decides).
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["registered", "confirmed"]),
                name="sales_deposit_one_live_per_item",
                violation_error_message=_("This unit already carries a deposit."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="sales_deposit_positive",
                violation_error_message=_("A deposit is a positive amount."),
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="sales_deposit_confirmed_has_who",
                violation_error_message=_("A confirmed deposit records who confirmed it and when."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        return self.status in self.ACTIVE
