"""What happens around a customer besides its archive record: grade reviews (CUS-4), the admission
checklist (CUS-5), event invitations (CUS-8), tracking sheets of A/B customers (CUS-10) and
referrals with their rewards (CUS-13).

Each record is scoped through the customer it belongs to (ORG-5) — invitations through the
inviter and the inviting department — and versioned with django-simple-history (CUS-9).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager

from .archive import Customer


class GradeReview(models.Model):
    """One periodic evaluation of a customer's grade (客户评级, CUS-4).

    A VIP found with problems (poor contract execution, late payment, business crisis) must be
    downgraded within ``vip_downgrade_days`` of the evaluation: ``downgrade_due_at`` is that
    deadline and ``downgraded_at`` when the downgrade was made; the CUS-4 rule fines the
    ``responsible`` person (the owner at the time of the evaluation) when it is late.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="grade_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("evaluated at"), default=timezone.now)
    grade_before = models.CharField(_("grade before"), max_length=20, choices=Customer.Grade.choices, blank=True)
    result_grade = models.CharField(_("result grade"), max_length=20, choices=Customer.Grade.choices, blank=True)
    poor_execution = models.BooleanField(_("poor contract execution"), default=False)
    late_payment = models.BooleanField(_("late payment"), default=False)
    business_crisis = models.BooleanField(_("business crisis"), default=False)
    major_loss = models.BooleanField(_("major loss or damage to reputation"), default=False)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    downgrade_due_at = models.DateTimeField(_("downgrade due"), null=True, blank=True)
    downgraded_at = models.DateTimeField(_("downgraded at"), null=True, blank=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("grade review")
        verbose_name_plural = _("grade reviews")
        ordering = ["-reviewed_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-reviewed_at"], name="cust_gradereview_cust_idx"),
            models.Index(
                fields=["downgrade_due_at"],
                condition=Q(downgrade_due_at__isnull=False),
                name="cust_gradereview_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.reviewed_at:%Y-%m-%d}"

    @property
    def has_problems(self) -> bool:
        return self.poor_execution or self.late_payment or self.business_crisis


class AdmissionCriterion(models.Model):
    """One item of the admission checklist (准入条件, CUS-5); the checklist is data an administrator edits."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    requires_evidence = models.BooleanField(_("requires evidence"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("admission criterion")
        verbose_name_plural = _("admission criteria")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class AdmissionCheck(models.Model):
    """The owner's tick of one admission criterion for one prospect, with its evidence (CUS-5)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="admission_checks"
    )
    criterion = models.ForeignKey(
        AdmissionCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="checks"
    )
    satisfied = models.BooleanField(_("satisfied"), default=False)
    evidence = models.CharField(_("evidence"), max_length=1000, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("admission check")
        verbose_name_plural = _("admission checks")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "criterion"],
                name="customers_admission_one_per_criterion",
                violation_error_message=_("This criterion has already been checked for the customer."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.criterion} {'✓' if self.satisfied else '✗'}"


class Invitation(models.Model):
    """A department's invitation of a customer to an event (邀约, CUS-8).

    ``counts_for_date`` is the day the invitation counts for: the day it was logged, or the next
    calendar day when logged at or after ``invite_cutoff``. Of one customer and one event at most
    one invitation is confirmed (the database guarantees it).
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")  # 敲定
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Withdrawn by the coordinator")

    ACTIVE = (Status.INVITED, Status.CONFIRMED)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="invitations"
    )
    event_name = models.CharField(_("event"), max_length=200)
    event_key = models.CharField(max_length=200, editable=False)
    event_date = models.DateField(_("event date"))
    department = models.ForeignKey(
        "org.Department", verbose_name=_("inviting department"), on_delete=models.PROTECT, related_name="+"
    )
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inviter"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.INVITED)
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)
    counts_for_date = models.DateField(_("counts for"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "inviter"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["counts_for_date", "logged_at", "pk"]
        permissions = [("resolve_invitation", _("Can resolve invitation conflicts (coordinator)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "event_key", "event_date"],
                condition=Q(status="confirmed"),
                name="customers_invitation_one_confirmed",
                violation_error_message=_("Another department has already confirmed this customer for the event."),
            )
        ]
        indexes = [models.Index(fields=["event_date", "event_key", "customer"], name="cust_invitation_event_idx")]

    def __str__(self) -> str:
        return f"{self.customer} → {self.event_name} {self.event_date}"


class InvitationResolution(models.Model):
    """Append-only record of a coordinator's decision on an invitation conflict (CUS-8)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    event_name = models.CharField(_("event"), max_length=200)
    event_date = models.DateField(_("event date"))
    winner = models.ForeignKey(
        Invitation, verbose_name=_("winning invitation"), on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)
    withdrawn = models.JSONField(_("withdrawn invitations"), default=list)

    class Meta:
        verbose_name = _("invitation conflict resolution")
        verbose_name_plural = _("invitation conflict resolutions")
        ordering = ["-resolved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer} {self.event_name} → {self.winner.department_id}"


class TrackingSheet(models.Model):
    """The follow-up plan (客户追踪表) an A- or B-intent customer needs, reviewed by the supervisor (CUS-10)."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tracking_sheet"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    goal = models.TextField(_("goal and approach"), max_length=2000)
    last_reviewed_at = models.DateTimeField(_("last reviewed at"), null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("tracking sheet")
        verbose_name_plural = _("tracking sheets")
        permissions = [("review_trackingsheet", _("Can review tracking sheets (supervisor)"))]

    def __str__(self) -> str:
        return str(self.customer)


class TrackingStep(models.Model):
    """One planned follow-up step of a tracking sheet: when, what, and what came of it."""

    sheet = models.ForeignKey(TrackingSheet, on_delete=models.CASCADE, related_name="steps")
    planned_on = models.DateField(_("planned on"))
    action = models.CharField(_("action"), max_length=300)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tracking step")
        verbose_name_plural = _("tracking steps")
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.action}"


class TrackingReview(models.Model):
    """Append-only: a supervisor's review of a tracking sheet (CUS-10)."""

    sheet = models.ForeignKey(TrackingSheet, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    comment = models.CharField(_("comment"), max_length=1000)

    class Meta:
        verbose_name = _("tracking sheet review")
        verbose_name_plural = _("tracking sheet reviews")
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sheet} {self.reviewed_at:%Y-%m-%d}"


class Referral(models.Model):
    """Customer ``referrer`` brought in the new customer ``referred`` (转介绍, CUS-13)."""

    class RewardKind(models.TextChoices):
        CASH = "cash", _("Cash reward")  # 油费奖励
        POINTS = "points", _("Points")  # 积分

    referrer = models.ForeignKey(
        Customer, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="referrals_made"
    )
    referred = models.OneToOneField(
        Customer, verbose_name=_("referred customer"), on_delete=models.CASCADE, related_name="referral"
    )
    reward_kind = models.CharField(_("reward"), max_length=10, choices=RewardKind.choices, default=RewardKind.CASH)
    deal_value = models.DecimalField(_("deal value"), max_digits=14, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "referred__owner"
    scope_department_field = "referred__department"

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(referrer=F("referred")),
                name="customers_referral_not_self",
                violation_error_message=_("A customer cannot refer itself."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.referrer} → {self.referred}"


class ReferralReward(models.Model):
    """The reward a referrer earned when the referred customer closed: one per referral (CUS-13)."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="reward")
    referrer = models.ForeignKey(
        Customer, verbose_name=_("rewarded customer"), on_delete=models.PROTECT, related_name="referral_rewards"
    )
    kind = models.CharField(_("reward"), max_length=10, choices=Referral.RewardKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    deal_value = models.DecimalField(_("deal value"), max_digits=14, decimal_places=2, null=True, blank=True)
    earned_at = models.DateTimeField(_("earned at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedManager()

    scope_owner_field = "referral__referred__owner"
    scope_department_field = "referral__referred__department"

    class Meta:
        verbose_name = _("referral reward")
        verbose_name_plural = _("referral rewards")
        ordering = ["-earned_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.referrer}: {self.amount or self.points}"


RewardKind = Referral.RewardKind
