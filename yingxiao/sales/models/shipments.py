"""Shipments (发货, SHP-1…3): documents checklist, logistics progress, signed receipts, spot checks.

SHP-1: before dispatch every document of the checklist (技术资料, 说明书, 合格证, 发货清单) is uploaded,
reviewed and archived. SHP-2: the signed delivery receipt (签收单) is uploaded; a spot check that
finds a dispatched shipment without one records a violation (once per shipment). SHP-3: logistics
progress is logged; a complaint from management about a lapse is a violation of the person responsible.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager

# rule: SHP-2 — who may run a spot check; SHP-3 — who may record management's complaint.
SPOT_CHECK_PERMISSION = "sales.spot_check_shipment"
COMPLAINT_PERMISSION = "sales.add_shipmentcomplaint"


class Shipment(models.Model):
    """A shipment of an order (发货单)."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        DISPATCHED = "dispatched", _("Dispatched")
        DELIVERED = "delivered", _("Delivered (signed receipt archived)")

    number = models.CharField(_("shipment number"), max_length=30, unique=True)
    order = models.ForeignKey(
        "sales.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible for follow-up"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    carrier = models.CharField(_("carrier"), max_length=200, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=100, blank=True)
    address = models.CharField(_("delivery address"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREPARING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # rule: SHP-2 — the signed delivery receipt (签收单), scanned or photographed.
    receipt = models.FileField(_("signed delivery receipt"), upload_to="sales/receipts/%Y/%m/", blank=True)
    receipt_uploaded_at = models.DateTimeField(_("receipt uploaded at"), null=True, blank=True)
    receipt_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receipt uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "order__owner"
    scope_department_field = "order__department"

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-id"]
        permissions = [("spot_check_shipment", _("Can spot-check shipments for signed receipts (SHP-2)"))]
        indexes = [models.Index(fields=["status", "receipt_uploaded_at"], name="sales_shipment_receipt_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="preparing") | Q(dispatched_at__isnull=False),
                name="sales_shipment_dispatched_has_time",
                violation_error_message=_("A dispatched shipment records when it left."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def has_receipt(self) -> bool:
        return bool(self.receipt)


class ShipmentDocument(models.Model):
    """One document of the dispatch checklist (SHP-1), uploaded, reviewed and archived."""

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical documents (技术资料)")
        MANUAL = "manual", _("User manual (说明书)")
        CERTIFICATE = "certificate", _("Certificate of conformity (合格证)")
        PACKING_LIST = "packing_list", _("Packing list (发货清单)")

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="sales/shipping-docs/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # A replaced upload stays on record (archive), superseded by the newer one.
    is_current = models.BooleanField(_("current"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shipping document")
        verbose_name_plural = _("shipping documents")
        ordering = ["shipment", "kind", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind"],
                condition=Q(is_current=True),
                name="sales_shipdoc_one_current",
                violation_error_message=_("This document is already archived for the shipment."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.shipment.number} {self.get_kind_display()}"


class LogisticsEntry(models.Model):
    """A logistics progress note (物流跟踪, SHP-3)."""

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="logistics"
    )
    at = models.DateTimeField(_("time"))
    note = models.CharField(_("progress"), max_length=500)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("logistics entry")
        verbose_name_plural = _("logistics entries")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.shipment.number} {self.at:%Y-%m-%d %H:%M}"


class SpotCheck(models.Model):
    """A spot check of shipments for signed receipts (SHP-2) and what it found."""

    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    checked_count = models.PositiveIntegerField(_("shipments checked"), default=0)
    missing = models.ManyToManyField(Shipment, verbose_name=_("without signed receipt"), related_name="spot_checks")
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M}"


class ShipmentComplaint(models.Model):
    """Management's complaint about a logistics lapse (SHP-3), a violation of the person responsible."""

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="complaints"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("what went wrong"), max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("logistics complaint")
        verbose_name_plural = _("logistics complaints")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.shipment.number}: {self.description[:40]}"
