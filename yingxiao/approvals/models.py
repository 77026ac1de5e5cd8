"""Approvals (审批, APR-1): a flow per request type, its ordered steps, the running requests, decisions.

A ``Flow`` is configuration (editable in the admin): ordered ``Step``s, each naming who approves
— the requester's direct superior, the head of their department, or the holder of a role — and
the thresholds (amount, days, percentage) from which it applies. An ``Instance`` is one request
walking through its flow; every submission and decision is a ``Decision`` row, timestamped to the
minute and signed (HR-8), kept for good (append-only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from yingxiao.org.models import User


class Flow(models.Model):
    """The approval chain (审批流程) of one request type; its steps run in ``order``."""

    request_type = models.CharField(_("request type"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval flow")
        verbose_name_plural = _("approval flows")
        ordering = ["request_type"]

    def __str__(self) -> str:
        return self.name or self.request_type


class Step(models.Model):
    """One step of a flow: who approves, and from which amount / days / percentage it applies."""

    class Kind(models.TextChoices):
        SUPERIOR = "superior", _("Direct superior")
        DEPARTMENT_HEAD = "department_head", _("Head of the requester's department")
        ROLE = "role", _("Holder of a role")

    flow = models.ForeignKey(Flow, verbose_name=_("flow"), on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(pgettext_lazy("step", "order"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("approver"), max_length=20, choices=Kind.choices)
    role_code = models.CharField(_("role code"), max_length=50, blank=True)
    # rule: APR-1 — thresholds: the step applies only when every threshold that is set is reached.
    amount_at_least = models.DecimalField(_("from amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    days_at_least = models.DecimalField(_("from days"), max_digits=8, decimal_places=2, null=True, blank=True)
    pct_at_least = models.DecimalField(_("from percentage"), max_digits=6, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["flow", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "order"],
                name="approvals_step_unique_order",
                violation_error_message=_("Two steps of a flow cannot have the same order."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="role") | ~Q(role_code=""),
                name="approvals_step_role_needs_code",
                violation_error_message=_("A role step must name the role."),
            ),
            models.CheckConstraint(
                condition=(Q(amount_at_least__isnull=True) | Q(amount_at_least__gte=0))
                & (Q(days_at_least__isnull=True) | Q(days_at_least__gte=0))
                & (Q(pct_at_least__isnull=True) | Q(pct_at_least__gte=0) & Q(pct_at_least__lte=100)),
                name="approvals_step_thresholds_valid",
                violation_error_message=_("Thresholds cannot be negative; a percentage is at most 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name or self.get_kind_display()}"

    def applies(self, *, amount: Decimal | None, days: Decimal | None, pct: Decimal | None) -> bool:
        """True when every threshold set on the step is reached by the request (APR-1)."""
        for threshold, value in (
            (self.amount_at_least, amount),
            (self.days_at_least, days),
            (self.pct_at_least, pct),
        ):
            if threshold is not None and (value is None or value < threshold):
                return False
        return True


def unavailable_q(prefix: str) -> Q:
    """Rows whose user at ``prefix`` cannot act today (left, inactive, or absent) — ``User.is_available``."""
    today = timezone.localdate()
    return (
        Q(**{f"{prefix}__status": "left"})
        | Q(**{f"{prefix}__is_active": False})
        | (
            Q(**{f"{prefix}__status": "absent"})
            & (Q(**{f"{prefix}__absent_until__isnull": True}) | Q(**{f"{prefix}__absent_until__gte": today}))
        )
    )


class InstanceQuerySet(models.QuerySet):
    """Requests an actor may see: their own, those waiting for them (or for whom they stand in),
    those they decided, and — with ``approvals.view_instance`` — those in their data scope."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated:
            return self.none()
        involved = (
            Q(requester=actor)
            | Q(current_approver=actor)
            | Q(current_approver__delegate=actor)
            | Q(Exists(Decision.objects.filter(instance=OuterRef("pk"), actor=actor)))
        )
        if action == "view" and actor.has_perm("approvals.view_instance"):
            scope = scope_for(actor)
            if scope.is_all:
                return self
            involved |= scope.q(owner="requester", department="department")
        return self.filter(involved)

    def pending_for(self, actor: User) -> Self:
        """待我审批: waiting for the actor, or for someone away whose delegate the actor is (ORG-4)."""
        return self.filter(status=Instance.Status.PENDING).filter(
            Q(current_approver=actor) | (Q(current_approver__delegate=actor) & unavailable_q("current_approver"))
        )


class Instance(models.Model):
    """One request (审批单) walking through the flow of its type."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for revision")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PENDING, Status.RETURNED)

    request_type = models.CharField(_("request type"), max_length=50, db_index=True)
    flow = models.ForeignKey(Flow, verbose_name=_("flow"), on_delete=models.PROTECT, related_name="instances")
    title = models.CharField(_("request title"), max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        null=True,  # None: raised by the system (the rule engine)
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_requests",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    days = models.DecimalField(_("days"), max_digits=8, decimal_places=2, null=True, blank=True)
    pct = models.DecimalField(_("percentage"), max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    current_step = models.ForeignKey(
        Step, verbose_name=_("current step"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waiting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals_waiting",
    )
    # Compare-and-set guard: every transition bumps it; a stale writer changes nothing.
    version = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = InstanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["current_approver", "status"], name="approvals_inst_waiting_idx"),
            models.Index(fields=["requester", "-submitted_at"], name="approvals_inst_requester_idx"),
            models.Index(fields=["content_type", "object_id"], name="approvals_inst_subject_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "content_type", "object_id"],
                condition=Q(status__in=["pending", "returned"]) & Q(object_id__isnull=False),
                name="approvals_instance_one_open_per_subject",
                violation_error_message=_("This record already has an open request of this type."),
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(current_approver__isnull=False),
                name="approvals_instance_pending_has_approver",
                violation_error_message=_("A pending request must be waiting for someone."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def can_cancel(self) -> bool:
        return self.is_open


def minute(moment: dt.datetime) -> dt.datetime:
    """HR-8: written submissions are timestamped to the minute."""
    return moment.replace(second=0, microsecond=0)


class Decision(models.Model):
    """One signed entry of a request's trail: submitted, approved, rejected, returned, cancelled…

    ``actor`` is who acted (None: the system); ``acted_for`` is set when a delegate acted for an
    absent approver (ORG-4). ``signature`` is an HMAC of the content under the site key, so a
    row edited behind the application's back no longer verifies (HR-8, APR-1).
    """

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        RESUBMIT = "resubmit", _("Resubmitted")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RETURN = "return", _("Returned")
        CANCEL = "cancel", _("Cancelled")
        SKIP = "skip", _("Skipped")

    instance = models.ForeignKey(
        Instance, verbose_name=_("request"), on_delete=models.CASCADE, related_name="decisions"
    )
    step = models.ForeignKey(Step, verbose_name=_("step"), null=True, blank=True, on_delete=models.SET_NULL)
    step_order = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_decisions",
    )
    acted_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(_("at"))  # rule: HR-8 — timestamped to the minute, signed below
    signature = models.CharField(_("signature"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.actor or '-'} · {self.decided_at:%Y-%m-%d %H:%M}"

    def content(self) -> str:
        """The canonical text that is signed."""
        return json.dumps(
            {
                "instance": self.instance_id,
                "step": self.step_order,
                "actor": self.actor_id,
                "acted_for": self.acted_for_id,
                "decision": self.decision,
                "note": self.note,
                "at": self.decided_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ"),
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    def compute_signature(self) -> str:
        return self.sign(self.content())

    @staticmethod
    def sign(content: str) -> str:
        """The HMAC of a canonical ``content`` under the site key (entries signed in bulk)."""
        key = hashlib.sha256(f"yingxiao.approvals.decision:{settings.SECRET_KEY}".encode()).digest()
        return hmac.digest(key, content.encode(), "sha256").hex()

    def verify(self) -> bool:
        """True when the stored signature matches the content (nothing was altered)."""
        return hmac.compare_digest(self.signature, self.compute_signature())
