"""Fines and rewards (乐捐 / 奖惩, DIS-1..3): violations, rewards, and the monthly ledger they form.

A violation or reward is *proposed* when recorded and counts only once the director approved
it (through the approvals engine); an approved fine is due to finance within the policy's
days and is marked paid by finance. The ledger month of an entry is the day it was approved
(``booked_on``): that is when it starts to count for payroll (DIS-3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from yingxiao.org.models import User

# Roles that see every fine and reward whatever their data scope: HR handles repeat offences.
LEDGER_READER_ROLES = frozenset({"hr"})


class LedgerQuerySet(RestrictedQuerySet):
    """Scoped like customers (ORG-5): a rep their own, a head their department, the director all.

    Reading needs no verb permission — everyone may see their own fines and rewards; the data
    scope alone decides whose. Other verbs go through ``RestrictedQuerySet.restrict``.
    """

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if action != "view":
            return super().restrict(actor, action)
        if actor is None or not actor.is_authenticated:
            return self.none()
        scope = scope_for(actor)
        if scope.is_all or scope.role_codes & LEDGER_READER_ROLES:
            return self
        return self.filter(scope.q(owner="person", department="department"))


class Violation(models.Model):
    """A recorded breach of a rule by a person, with the fine the policy sets (DIS-1)."""

    class Kind(models.TextChoices):
        OWN = "own", _("Own violation")
        SUPERVISOR = "supervisor", _("Supervisor's share (乐捐加倍)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("Approved, unpaid")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    # rule: DIS-1 — the only moves a fine can make.
    TRANSITIONS = {
        Status.PROPOSED: (Status.APPROVED, Status.REJECTED),
        Status.APPROVED: (Status.PAID,),
    }

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="violations"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule_id = models.CharField(_("rule"), max_length=10)
    kind = models.CharField(_("violation type"), max_length=20, choices=Kind.choices, default=Kind.OWN)
    origin = models.ForeignKey(
        "self",
        verbose_name=_("subordinate's violation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisor_shares",
    )
    evidence = models.TextField(_("evidence"))
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    breach_key = models.CharField(_("breach key"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    approval = models.ForeignKey(
        "approvals.Instance",
        verbose_name=_("approval"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,  # None: the rule engine
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    booked_on = models.DateField(_("ledger date"), null=True, blank=True, db_index=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    repeat_flagged = models.BooleanField(_("repeat offence (reported to HR)"), default=False)
    history = HistoricalRecords()

    objects = LedgerQuerySet.as_manager()
    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-recorded_at", "-id"]
        permissions = [("confirm_payment_violation", "Can confirm that a fine has been paid")]
        constraints = [
            models.UniqueConstraint(
                fields=["breach_key"],
                condition=~Q(breach_key=""),
                name="performance_violation_one_per_breach",
                violation_error_message=_("This breach has already been recorded."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="performance_violation_amount_positive",
                violation_error_message=_("The amount must be a positive sum of money."),
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False, paid_confirmed_by__isnull=False),
                name="performance_violation_paid_confirmed",
                violation_error_message=_("A paid fine records when and by whom the payment was confirmed."),
            ),
        ]
        indexes = [models.Index(fields=["person", "recorded_at"], name="performance_viol_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.rule_id} · {self.amount}"

    def can_pay(self) -> bool:
        return self.status == self.Status.APPROVED

    def is_overdue(self, today: object | None = None) -> bool:
        day = today or timezone.localdate()
        return self.status == self.Status.APPROVED and self.due_on is not None and self.due_on < day  # type: ignore[operator]


class Reward(models.Model):
    """A reward entered for a person (DIS-2); it counts once the director approved it."""

    class Kind(models.TextChoices):
        EXCELLENT_EMPLOYEE = "excellent_employee", _("Excellent employee of the month")
        SALES_CHAMPION = "sales_champion", _("Quarterly sales champion")
        MARKETING_ELITE = "marketing_elite", _("Annual marketing elite")
        INNOVATION = "innovation", _("Innovation")
        TEAMWORK = "teamwork", _("Teamwork")
        WHISTLEBLOW = "whistleblow", _("Reporting a violation")
        SUGGESTION = "suggestion", _("Adopted suggestion")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {Status.PROPOSED: (Status.APPROVED, Status.REJECTED)}

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="rewards"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("reward type"), max_length=30, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    reported_violation = models.ForeignKey(
        Violation,
        verbose_name=_("reported violation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="whistleblow_rewards",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    approval = models.ForeignKey(
        "approvals.Instance",
        verbose_name=_("approval"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    booked_on = models.DateField(_("ledger date"), null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    objects = LedgerQuerySet.as_manager()
    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="performance_reward_amount_positive",
                violation_error_message=_("The amount must be a positive sum of money."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.amount}"


# Evaluations and pay statements (PRF-1…5) live in their own module; imported here so Django finds them.
from .pay_models import (  # noqa: E402
    Evaluation,
    EvaluationItem,
    Grade,
    PayLine,
    PayMonth,
    PayProfile,
    PayStatement,
)

__all__ = [
    "Evaluation",
    "EvaluationItem",
    "Grade",
    "LedgerQuerySet",
    "PayLine",
    "PayMonth",
    "PayProfile",
    "PayStatement",
    "Reward",
    "Violation",
]
