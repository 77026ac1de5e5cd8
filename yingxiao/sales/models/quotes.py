"""Quotes (报价单, QUO-1…QUO-3): a quote, its revisions and lines, and non-standard quote requests.

A ``Quote`` carries the number, the customer and who owns it (ORG-5 scope). Its content lives in
``QuoteRevision`` rows: revising makes a new revision from the current one and keeps every earlier
revision as it was; a revision that was sent is immutable and archived as a PDF with its number.
Money is ``Decimal`` rounded to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(value: Decimal) -> Decimal:
    """Round money to the cent, half up (四舍五入)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Quote(models.Model):
    """A quote to a customer (报价单); its content is in the revisions, the latest being current."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_PRICE = "pending_price", _("Discount awaiting approval")
        PENDING_REVIEW = "pending_review", _("Awaiting market department review")
        READY = "ready", _("Ready to send")
        SENT = "sent", _("Sent")
        SUPERSEDED = "superseded", _("Superseded (never sent)")

    number = models.CharField(_("quote number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.PROTECT, related_name="quotes"
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
    # rule: QUO-3 — international quotes are reviewed by the market department before sending.
    is_international = models.BooleanField(_("international quote"), default=False)
    # Mirrors of the current revision, for lists and filters without a join.
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="sales_quote_owner_idx"),
            models.Index(fields=["department", "-created_at", "-id"], name="sales_quote_dept_idx"),
            models.Index(fields=["customer", "-created_at"], name="sales_quote_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"


class QuoteRevision(models.Model):
    """One version of a quote (报价版本): its lines, totals and approvals; frozen once sent."""

    Status = Quote.Status

    quote = models.ForeignKey(Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=500, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    list_total = models.DecimalField(_("list total"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    max_discount_pct = models.DecimalField(_("largest discount %"), max_digits=5, decimal_places=2, default=0)
    # rule: QUO-2 — the discount approved for this revision (None: none needed or not yet approved).
    approved_discount_pct = models.DecimalField(
        _("approved discount %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reviewed = models.BooleanField(_("reviewed by the market department"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # rule: QUO-3 — every sent quote is archived (PDF with its number and version).
    pdf = models.FileField(_("archived PDF"), upload_to="sales/quotes/%Y/%m/", blank=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "quote__owner"
    scope_department_field = "quote__department"

    class Meta:
        verbose_name = _("quote revision")
        verbose_name_plural = _("quote revisions")
        ordering = ["quote", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "version"],
                name="sales_quoterevision_unique_version",
                violation_error_message=_("This version of the quote already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="sales_quoterevision_sent_has_time",
                violation_error_message=_("A sent quote records when it was sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote.number} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == Quote.Status.DRAFT

    @property
    def is_sent(self) -> bool:
        return self.status == Quote.Status.SENT


class QuoteLine(models.Model):
    """A line of a quote revision: product, quantity, list price (from the list in force), discount, price."""

    revision = models.ForeignKey(
        QuoteRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey("sales.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    # Where the list price came from: the price list item, or a non-standard quote request (QUO-1).
    price_list_item = models.ForeignKey(
        "sales.PriceListItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey("sales.QuoteRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    discount_pct = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal("0.00"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["revision", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(list_price__gt=0)
                & Q(discount_pct__gte=0)
                & Q(discount_pct__lt=100)
                & Q(unit_price__gte=0),
                name="sales_quoteline_valid_numbers",
                violation_error_message=_("Quantity and price must be positive; a discount is from 0 to below 100%."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @staticmethod
    def price_for(list_price: Decimal, discount_pct: Decimal, quantity: Decimal) -> tuple[Decimal, Decimal]:
        """(unit price, line amount): the list price less the discount, each rounded to the cent."""
        unit = to_cents(list_price * (HUNDRED - discount_pct) / HUNDRED)
        return unit, to_cents(unit * quantity)


class QuoteRequestQuerySet(models.QuerySet):
    """Requests in the actor's scope, plus those assigned to them to prepare (QUO-1)."""

    def restrict(self, actor: Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated:
            return self.none()
        meta = self.model._meta
        if not actor.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all:
            return self
        return self.filter(scope.q(owner="requested_by", department="department") | Q(assignee=actor))


class QuoteRequest(models.Model):
    """A non-standard quote request (非标报价申请, QUO-1): prepared by the quoting role within the deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quote_requests"
    )
    product = models.ForeignKey(
        "sales.Product", verbose_name=_("base product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    configuration = models.TextField(_("special configuration"), max_length=4000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quoting engineer"),
        on_delete=models.PROTECT,
        related_name="quote_requests_assigned",
    )
    requested_at = models.DateTimeField(_("requested at"))
    # rule: QUO-1 — requested_at + nonstandard_quote_hours working hours on the business calendar.
    due_at = models.DateTimeField(_("due at"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    unit_price = models.DecimalField(_("quoted unit price"), max_digits=14, decimal_places=2, null=True, blank=True)
    answer_note = models.CharField(_("answer"), max_length=1000, blank=True)
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = QuoteRequestQuerySet.as_manager()
    history = HistoricalRecords()

    scope_owner_field = "requested_by"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("non-standard quote request")
        verbose_name_plural = _("non-standard quote requests")
        ordering = ["due_at", "pk"]
        permissions = [("answer_quoterequest", _("Can prepare non-standard quotes (QUO-1)"))]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="sales_qreq_queue_idx"),
            models.Index(fields=["due_at"], condition=Q(status="open"), name="sales_qreq_open_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(answered_at__isnull=False, unit_price__gt=0),
                name="sales_quoterequest_answer_complete",
                violation_error_message=_("An answered request has a time and a positive price."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.product}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
