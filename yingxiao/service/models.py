"""Complaints (客户投诉, CMP-1…CMP-7, CMP-9) and after-sales service (售后, CMP-8).

A complaint walks an explicit transition table (``Complaint.TRANSITIONS``) changed only by
``services``; every change writes a ``ComplaintEvent`` (the audit trail), and so do progress
messages to the customer (CMP-4), reminders and escalations, so the events are the timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.querysets import RestrictedManager, RestrictedQuerySet

if TYPE_CHECKING:
    from yingxiao.org.models import User

# rule: CMP-7 — customer service (客服) reads every complaint whatever its data scope.
CUSTOMER_SERVICE_ROLES = frozenset({"aftersales"})


class ComplaintQuerySet(RestrictedQuerySet):
    """Complaints an actor may see (CMP-7): by authority, not by the ordinary customer scope.

    The complainant's customer owner, whoever logged it, customer service, the head of the
    responsible department (their department subtree) and the director / GM (all). Everyone
    else finds nothing — a detail page answers 404.
    """

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated:
            return self.none()
        if not actor.has_perm(f"service.{action}_complaint"):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all or scope.role_codes & CUSTOMER_SERVICE_ROLES:
            return self
        visible = Q(customer__owner=actor.pk) | Q(recorded_by=actor.pk)
        if scope.level == "department" and scope.department_ids:
            visible |= Q(responsible_department__in=sorted(scope.department_ids))
        return self.filter(visible)


class Complaint(models.Model):
    """A customer complaint (客户投诉) from intake to closing (CMP-1…CMP-5)."""

    class Category(models.TextChoices):
        QUALITY = "quality", _("Quality")
        SERVICE = "service", _("Service")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        UI = "ui", _("Entered in the system")
        API = "api", _("API")
        PHONE = "phone", _("Phone call to customer service")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Responsibility defined")
        SOLUTION = "solution", _("Solution awaiting approval")
        EXECUTING = "executing", _("Executing the solution")
        VERIFYING = "verifying", _("Verified, survey recorded")
        CLOSED = "closed", _("Closed")

    class Cause(models.TextChoices):
        PRODUCT_DEFECT = "product_defect", _("Product defect")
        WRONG_SPEC = "wrong_spec", _("Wrong specification or quantity")
        DELIVERY = "delivery", _("Late or damaged delivery")
        INSTALLATION = "installation", _("Installation or maintenance")
        ATTITUDE = "attitude", _("Staff attitude")
        RESPONSE = "response", _("Slow response")
        DOCUMENTS = "documents", _("Documents or invoice")
        PRICE = "price", _("Price or billing")
        OTHER = "other", _("Other")

    # rule: CMP-2, CMP-3, CMP-5 — the only moves a complaint can make (status → allowed next statuses).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.RECEIVED: (Status.ASSIGNED,),
        Status.ASSIGNED: (Status.SOLUTION,),
        Status.SOLUTION: (Status.EXECUTING, Status.ASSIGNED),  # approved / rejected or returned
        Status.EXECUTING: (Status.VERIFYING,),
        Status.VERIFYING: (Status.CLOSED,),
    }
    OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.SOLUTION, Status.EXECUTING, Status.VERIFYING)

    # CMP-1 intake
    received_at = models.DateTimeField(_("time of complaint"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.UI)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    complainant = models.CharField(_("complainant"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100)
    matter = models.TextField(_("matter"), max_length=4000)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    # CMP-1 quality complaints
    invoice_no = models.CharField(_("invoice number"), max_length=60, blank=True)
    product = models.CharField(_("product"), max_length=120, blank=True, db_index=True)
    spec = models.CharField(_("specification"), max_length=120, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=60, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    # CMP-2 responsibility and plan
    responsible_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    responsibility = models.TextField(_("responsibility"), max_length=4000, blank=True)
    plan = models.TextField(_("plan"), max_length=4000, blank=True)
    # lifecycle
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    assign_due_at = models.DateTimeField(_("responsibility due"))
    close_due_at = models.DateTimeField(_("closing due"))
    assigned_at = models.DateTimeField(_("responsibility defined at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Compare-and-set guard: every transition bumps it.
    version = models.PositiveIntegerField(default=0)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "assign_due_at"], name="service_cmp_assign_due_idx"),
            models.Index(fields=["status", "close_due_at"], name="service_cmp_close_due_idx"),
            models.Index(fields=["responsible_department", "-received_at"], name="service_cmp_dept_idx"),
            models.Index(fields=["-received_at", "-id"], name="service_cmp_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="quality")
                | (
                    ~Q(invoice_no="")
                    & ~Q(product="")
                    & ~Q(spec="")
                    & ~Q(grade="")
                    & Q(quantity__isnull=False, purchase_date__isnull=False)
                ),
                name="service_complaint_quality_details",
                violation_error_message=_(
                    "A quality complaint records invoice, product, spec, quantity, grade and date."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="service_complaint_closed_at",
                violation_error_message=_("A closed complaint records when it was closed."),
            ),
        ]
        permissions = [("analyse_complaint", "Can see the complaint analysis (CMP-9)")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer} · {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class ComplaintEvent(models.Model):
    """One line of a complaint's timeline: a status change, a progress message (CMP-4), a note."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        PROGRESS = "progress", _("Progress message to the customer")
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Escalation")
        VIOLATION = "violation", _("Violation recorded")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=Complaint.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Complaint.Status.choices, blank=True)
    message = models.TextField(_("message"), max_length=4000, blank=True)
    channel = models.CharField(_("channel"), max_length=30, blank=True)  # progress: phone, SMS, visit…
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="service_event_cmp_idx")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.to_status}"


class Solution(models.Model):
    """The solution of a complaint (CMP-3): department, measures, deadline; approved by the director.

    It also carries the attribution (CMP-6): when the complaint is attributable, the approver
    chooses the fine within the policy range and the violation is recorded on approval.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="solutions"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("responsible department"), on_delete=models.PROTECT, related_name="+"
    )
    measures = models.TextField(_("measures"), max_length=4000)
    deadline = models.DateField(_("deadline"))
    attributable = models.BooleanField(_("attributable (a violation)"), default=False)
    attributed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attributed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fine_amount = models.DecimalField(_("fine"), max_digits=12, decimal_places=2, null=True, blank=True)
    fine_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fine set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    violation = models.ForeignKey(
        "performance.Violation",
        verbose_name=_("violation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approval = models.ForeignKey(
        "approvals.Instance",
        verbose_name=_("approval"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint solution")
        verbose_name_plural = _("complaint solutions")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(status__in=["pending", "approved"]),
                name="service_solution_one_live",
                violation_error_message=_("The complaint already has a pending or approved solution."),
            ),
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | Q(fine_amount__gt=0),
                name="service_solution_fine_positive",
                violation_error_message=_("The fine must be a positive sum of money."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} · {self.get_status_display()}"


class Survey(models.Model):
    """The verification call and satisfaction survey (CMP-5) recorded before closing."""

    class Satisfaction(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Very satisfied")
        SATISFIED = 4, _("Satisfied")
        NEUTRAL = 3, _("Neutral")
        DISSATISFIED = 2, _("Dissatisfied")
        VERY_DISSATISFIED = 1, _("Very dissatisfied")

    complaint = models.OneToOneField(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="survey"
    )
    called_at = models.DateTimeField(_("verification call at"))
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("called by"), on_delete=models.PROTECT, related_name="+"
    )
    resolved = models.BooleanField(_("customer confirms it is resolved"), default=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), choices=Satisfaction.choices)
    comments = models.TextField(_("comments"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.complaint_id} · {self.get_satisfaction_display()}"


class AfterSalesRecord(models.Model):
    """An after-sales service (售后服务) given to a customer: installation, maintenance, on-site visit (CMP-8)."""

    class Kind(models.TextChoices):
        INSTALLATION = "installation", _("Installation")
        MAINTENANCE = "maintenance", _("Maintenance")
        VISIT = "visit", _("On-site visit")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="aftersales_records"
    )
    kind = models.CharField(_("kind of service"), max_length=15, choices=Kind.choices)
    served_on = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.CharField(_("product"), max_length=120, blank=True)
    description = models.TextField(_("work done"), max_length=4000)
    result = models.CharField(_("result"), max_length=500, blank=True)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedManager()
    scope_owner_field = "staff"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("after-sales record")
        verbose_name_plural = _("after-sales records")
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_kind_display()} · {self.served_on}"


class AfterSalesReport(models.Model):
    """The monthly after-sales report of a department to the sales director (CMP-8), generated from the records."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))  # the first day of the month
    summary = models.JSONField(_("summary"), default=dict)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedManager()
    scope_owner_field = "submitted_by"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("after-sales report")
        verbose_name_plural = _("after-sales reports")
        ordering = ["-month", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "month"],
                name="service_report_one_per_month",
                violation_error_message=_("This department already has a report for the month."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.month:%Y-%m}"
