"""The public customer pool (公海, CUS-7), central allocation (CUS-6) and the blacklist (CUS-3).

A customer is *in the pool* while it has an open ``PoolEntry`` (``left_at`` is NULL) — at most
one, by a partial unique constraint. The entry says since when and why (the rule, the policy
values and the facts the engine recorded); claiming, reassigning or allocating the customer
closes it. Ownership itself stays on ``Customer.owner`` and every change is logged in
``OwnershipChange`` with the rule that allowed it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.querysets import RestrictedManager

from .archive import Customer


class PoolEntry(models.Model):
    """One stay of a customer in the public pool: since when, why, and how it left."""

    class LeftBy(models.TextChoices):
        CLAIMED = "claimed", _("claimed")
        REASSIGNED = "reassigned", _("reassigned")
        ALLOCATED = "allocated", _("allocated")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="pool_entries"
    )
    entered_at = models.DateTimeField(_("in the pool since"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300)
    rule_id = models.CharField(_("rule"), max_length=20, blank=True)
    # The engine's record of the breach (explanation, inputs); None when entered by hand. A release
    # by the engine keeps its explanation and inputs there only (see ``explained``/``facts``): the
    # pool entry of each of a sweep's hundreds of thousands of releases does not copy them.
    # Foreign keys below are not searched by (``taken_by`` has its own index with ``left_at``), so
    # they carry no index of their own: every pool release writes a row here.
    rule_result = models.ForeignKey(
        "policy.RuleResult",
        verbose_name=_("rule result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    explanation = models.TextField(_("explanation"), blank=True)
    inputs = models.JSONField(_("policy values and facts"), default=dict, blank=True)
    released_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    released_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("previous department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    left_at = models.DateTimeField(_("left the pool at"), null=True, blank=True)
    left_by = models.CharField(_("left by"), max_length=12, choices=LeftBy.choices, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed / assigned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = RestrictedManager()
    # The pool is public: everyone who may claim sees all of it (see pool.pool_entries).
    scope_owner_field = None
    scope_department_field = None

    class Meta:
        verbose_name = _("pool entry")
        verbose_name_plural = _("pool entries")
        ordering = ["-entered_at", "-id"]
        permissions = [
            ("claim_pool_customer", _("Can claim customers from the public pool")),
            ("reassign_customer", _("Can reassign customers to another person or department")),
            ("allocate_customer", _("Can allocate unowned customers among staff")),
            ("run_pool_sweep", _("Can preview and run the public pool release")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(left_at__isnull=True),
                name="customers_pool_one_open_entry",
                violation_error_message=_("This customer is already in the public pool."),
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True, left_by="") | Q(left_at__isnull=False) & ~Q(left_by=""),
                name="customers_pool_left_consistent",
                violation_error_message=_("A pool entry that was left needs how it was left."),
            ),
        ]
        indexes = [
            models.Index(fields=["-entered_at", "-id"], condition=Q(left_at__isnull=True), name="cust_pool_open_idx"),
            models.Index(fields=["taken_by", "left_at"], name="cust_pool_taken_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.entered_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None

    @property
    def explained(self) -> str:
        """Why the customer is in the pool: the engine's result explained in the reader's language,
        or the text given with a release by hand."""
        if self.rule_result_id:
            from yingxiao.policy.engine import explain_result

            return explain_result(self.rule_result)
        return self.explanation

    @property
    def facts(self) -> dict[str, Any]:
        """The policy values and facts behind the release (the engine's inputs when it released)."""
        if self.rule_result_id:
            return dict((self.rule_result.inputs or {}).get("facts", {}))
        return dict(self.inputs)


class Allocation(models.Model):
    """One even allocation of unowned customers among chosen staff by a head (CUS-6), with its lines."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("allocated by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("allocated at"), default=timezone.now, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    customer_count = models.PositiveIntegerField(_("customers"), default=0)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)

    objects = RestrictedManager()
    scope_owner_field = "created_by"
    scope_department_field = None

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M}"


class AllocationLine(models.Model):
    """One customer given to one staff member by an allocation, at its round-robin position."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="allocation_lines")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        ordering = ["allocation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "customer"], name="customers_allocation_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.staff_id}"


class BlacklistRecord(models.Model):
    """A request to blacklist a customer (CUS-3) and, once approved, the flag's reason and approver."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="blacklist_records"
    )
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approval = models.OneToOneField(
        "approvals.Instance",
        verbose_name=_("approval request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedManager()
    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("blacklist record")
        verbose_name_plural = _("blacklist records")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="pending"),
                name="customers_blacklist_one_pending",
                violation_error_message=_("A blacklist request for this customer is already waiting for approval."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="customers_blacklist_reason_required",
                violation_error_message=_("A blacklist request needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.status}"
