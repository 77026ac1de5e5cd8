"""Stock units (库存/销控, ORD-1, ORD-5, ORD-6).

A ``StockItem`` is one sellable unit with its serial number and where it stands: the warehouse or
a secondary outlet (二级网点, with the date it was placed there — ORD-6 counts from it). Its
``status`` is the sales control (销控): available, reserved by a deposit, or sold. A status only
moves by a conditional UPDATE (``available`` → ``reserved``) so two deposits on the last unit
cannot both win (ORD-5).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .products import CatalogQuerySet


class StockItem(models.Model):
    """One unit of a product (整机/台) with its serial number, location and sales-control status."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        RESERVED = "reserved", _("Reserved")
        SOLD = "sold", _("Sold")

    class Location(models.TextChoices):
        WAREHOUSE = "warehouse", _("Warehouse")
        OUTLET = "outlet", _("Secondary outlet")

    product = models.ForeignKey(
        "sales.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="stock_items"
    )
    serial_no = models.CharField(_("serial / unit number"), max_length=60, unique=True)
    location_kind = models.CharField(_("location"), max_length=20, choices=Location.choices, default=Location.WAREHOUSE)
    location = models.CharField(_("warehouse / outlet name"), max_length=200, blank=True)
    # rule: ORD-6 — the day the unit was placed at the secondary outlet; the recall clock starts here.
    placed_on = models.DateField(_("placed at the outlet on"), null=True, blank=True, db_index=True)
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Stock is company data (销控 is shared): the verb permission decides, no row scope.
    objects = CatalogQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        ordering = ["product__code", "serial_no"]
        indexes = [models.Index(fields=["status", "product"], name="sales_stock_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(location_kind="warehouse") | Q(placed_on__isnull=False),
                name="sales_stockitem_outlet_has_date",
                violation_error_message=_("Stock at a secondary outlet records the day it was placed there."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.code} #{self.serial_no}"

    @property
    def at_outlet(self) -> bool:
        return self.location_kind == self.Location.OUTLET
