"""Training (培训, HR-9) and new-hire onboarding with probation (试用期 / 带教, ORG-6).

Plans (annual / quarterly / monthly) and sessions are the marketing center's own and every
employee may read them; attendance with its assessment score, onboarding and training needs
are about a person and are scoped like the other people records (ORG-5): the person themselves,
their department's head, HR and the director — and, for onboarding, the mentor.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedQuerySet

TRAINING_READER_ROLES = frozenset({"hr"})


class CompanyQuerySet(RestrictedQuerySet):
    """Company-wide records: anyone holding the view permission reads them all."""

    def restrict(self, actor: Any, action: str = "view") -> Self:
        model = self.model
        if actor is None or not actor.is_authenticated:
            return self.none()
        if not actor.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"):
            return self.none()
        return self


class PersonQuerySet(RestrictedQuerySet):
    """A person's records: their own, their department's for a head, all for HR / director."""

    def restrict(self, actor: Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if action != "view":
            return super().restrict(actor, action)
        if actor is None or not actor.is_authenticated:
            return self.none()
        scope = scope_for(actor)
        if scope.is_all or scope.role_codes & TRAINING_READER_ROLES:
            return self
        condition = scope.q(owner="person", department="department")
        mentor = getattr(self.model, "scope_mentor_field", None)
        if mentor:
            condition |= Q(**{mentor: actor.pk})
        return self.filter(condition)


class TrainingPlan(models.Model):
    """An annual, quarterly or monthly training plan (HR-9)."""

    class Period(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        QUARTERLY = "quarterly", _("Quarterly")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("quarter or month"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    goals = models.TextField(_("goals and content"), max_length=8000, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole marketing center."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year", "period", "number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(period="annual") & Q(number__isnull=True))
                | (Q(period="quarterly") & Q(number__gte=1, number__lte=4))
                | (Q(period="monthly") & Q(number__gte=1, number__lte=12)),
                name="training_plan_period_number",
                violation_error_message=_("A quarterly plan names its quarter (1–4), a monthly one its month (1–12)."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_label} · {self.title}"

    @property
    def period_label(self) -> str:
        if self.period == self.Period.QUARTERLY:
            return f"{self.year} Q{self.number}"
        if self.period == self.Period.MONTHLY:
            return f"{self.year}-{self.number:02d}"
        return str(self.year)


class TrainingSession(models.Model):
    """One training session: when, where, who teaches; attendance and scores hang off it."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.TextField(_("topic"), max_length=4000, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trainer_name = models.CharField(_("external trainer"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="training_session_ends_after_start",
                violation_error_message=_("A session ends after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.starts_at:%Y-%m-%d}"


class Attendance(models.Model):
    """A person at a session: present or not, and the assessment score (0–100) when assessed."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="training_records"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attended = models.BooleanField(_("attended"), default=False)
    score = models.DecimalField(_("assessment score"), max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()
    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        ordering = ["session_id", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attendance_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0, score__lte=100) & Q(attended=True)),
                name="training_attendance_score_range",
                violation_error_message=_("A score (0–100) is given only to someone who attended."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person}"


class Onboarding(models.Model):
    """A new hire's onboarding: the mentor answerable for them (带教) and the probation (ORG-6)."""

    class Status(models.TextChoices):
        IN_PROBATION = "in_probation", _("In probation")
        PASSED = "passed", _("Passed")
        FLAGGED = "flagged", _("Flagged: probation target not met")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("new hire"), on_delete=models.PROTECT, related_name="onboarding"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="mentees"
    )
    started_on = models.DateField(_("started on"))
    probation_months = models.PositiveSmallIntegerField(_("probation (months)"))
    required_sales = models.PositiveSmallIntegerField(_("closed sales required"))
    ends_on = models.DateField(_("probation ends on"))
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.IN_PROBATION, db_index=True
    )
    closed_sales = models.PositiveIntegerField(_("closed sales counted"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()
    scope_owner_field = "person"
    scope_department_field = "department"
    scope_mentor_field = "mentor"

    class Meta:
        verbose_name = _("onboarding")
        verbose_name_plural = _("onboardings")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=models.F("person")),
                name="training_onboarding_mentor_not_self",
                violation_error_message=_("A new hire cannot be their own mentor."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("started_on")),
                name="training_onboarding_ends_after_start",
                violation_error_message=_("Probation ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"


class TrainingNeed(models.Model):
    """Someone who needs (re)training, e.g. the bottom of a PRF-4 ranking; closed by a session."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Trained")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="training_needs"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule_id = models.CharField(_("rule"), max_length=10, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    source_key = models.CharField(_("source key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()
    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return f"{self.person} · {self.reason}"
