"""Invoices (开票, CON-6): a request with the customer's invoice details, checked first, issued by
finance only once the money it covers has been confirmed (ORD-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager


class InvoiceRequest(models.Model):
    """An invoice request (开票申请) against a contract."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CHECKED = "checked", _("Details checked")
        ISSUED = "issued", _("Issued")

    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="invoices"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    title = models.CharField(_("invoice title"), max_length=200)
    tax_number = models.CharField(_("taxpayer number"), max_length=20)
    bank = models.CharField(_("bank"), max_length=200)
    bank_account = models.CharField(_("bank account"), max_length=40)
    address = models.CharField(_("address and telephone"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        ordering = ["-requested_at", "-pk"]
        permissions = [
            ("check_invoicerequest", _("Can check invoice details (CON-6)")),
            ("issue_invoicerequest", _("Can issue invoices (finance, CON-6)")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sales_invoice_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="issued") | (Q(issued_at__isnull=False) & ~Q(invoice_number="")),
                name="sales_invoice_issued_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.title} {self.amount}"
