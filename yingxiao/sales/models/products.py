"""Products (产品) and versioned price lists (价格表), QUO-2 and QUO-4.

A price list is a version of the prices, in force from its ``effective_from`` date until a later
list takes over; a product's list price on a day is the one of the newest list in force that
names it. A list that is already in force is never edited: prices change by a new version.
Costs and drawings are confidential (QUO-4): only holders of ``sales.view_confidential_price``
see them, in the UI and the API alike.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# rule: QUO-4 — the permission that reveals costs and drawings.
CONFIDENTIAL_PERMISSION = "sales.view_confidential_price"


class CatalogQuerySet(models.QuerySet):
    """The catalog is company data, not customer data: the verb permission alone decides (no row scope)."""

    def restrict(self, actor: Any, action: str = "view") -> Self:
        if actor is None or not actor.is_authenticated:
            return self.none()
        meta = self.model._meta
        if not actor.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"):
            return self.none()
        return self


class Product(models.Model):
    """A product or model (产品/型号) that can be quoted; ``drawing`` is confidential (QUO-4)."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("model / specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="台")
    category = models.CharField(_("category"), max_length=100, blank=True)
    drawing = models.CharField(_("drawing reference"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CatalogQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        permissions = [("view_confidential_price", _("Can see costs and drawings (QUO-4)"))]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceList(models.Model):
    """One version of the prices (价格表版本), in force from ``effective_from``."""

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("effective from"), db_index=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CatalogQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "effective_from"],
                name="sales_pricelist_one_version_per_day",
                violation_error_message=_("A price list in this currency already takes effect on that day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"

    def is_in_force_or_past(self) -> bool:
        """True once the list has taken effect: then it is frozen and prices change by a new version."""
        return self.effective_from <= timezone.localdate()


class PriceListItem(models.Model):
    """A product's list price (and confidential cost, QUO-4) in one price list version."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="prices")
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)

    objects = CatalogQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list", "product__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product"],
                name="sales_pricelistitem_unique_product",
                violation_error_message=_("This product is already in the price list."),
            ),
            models.CheckConstraint(
                condition=Q(list_price__gt=0) & (Q(cost__isnull=True) | Q(cost__gte=0)),
                name="sales_pricelistitem_positive",
                violation_error_message=_("A list price must be positive and a cost cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.list_price}"
