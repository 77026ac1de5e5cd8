"""Telesales (电销, TEL-1…TEL-4) and reception records (ACT-7).

A ``CallList`` is an imported batch of company-provided leads; each row is a ``CallEntry`` that
the agent screens (classify or exclude with a reason) and calls. Every call is a ``CallLog`` row
that is never updated or deleted in place (TEL-3): a correction is a ``CallCorrection`` row,
linked to the original and to its approval, and it takes effect only once approved.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.core.querysets import RestrictedManager

from . import errors


class CallList(models.Model):
    """An imported call list (TEL-1): the batch of leads an agent works through, with its script."""

    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=120, blank=True)
    script = models.TextField(_("script notes"), max_length=8000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    objects = RestrictedManager()
    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class CallEntry(models.Model):
    """One lead of a call list: screened (TEL-1) and called (TEL-2)."""

    class Status(models.TextChoices):
        NEW = "new", _("Not screened")
        CLASSIFIED = "classified", _("Classified")
        EXCLUDED = "excluded", _("Excluded")
        CLOSED = "closed", _("Closed")

    call_list = models.ForeignKey(
        CallList, verbose_name=_("call list"), on_delete=models.CASCADE, related_name="entries"
    )
    row_number = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40)
    phone_normalized = models.CharField(max_length=40, db_index=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    category = models.CharField(_("category"), max_length=40, blank=True)
    exclusion_reason = models.CharField(_("reason for exclusion"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("already in the archive as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_outcome = models.CharField(_("last outcome"), max_length=20, blank=True)
    last_called_at = models.DateTimeField(_("last called"), null=True, blank=True)
    next_follow_up_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)

    objects = RestrictedManager()
    scope_owner_field = "agent"
    scope_department_field = "department"

    OPEN_STATUSES = (Status.NEW, Status.CLASSIFIED)

    class Meta:
        verbose_name = _("call-list entry")
        verbose_name_plural = _("call-list entries")
        ordering = ["call_list", "row_number"]
        indexes = [models.Index(fields=["agent", "status", "next_follow_up_at"], name="telesales_entry_queue_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


class CallLog(models.Model):
    """A logged call (TEL-2). Write-once (TEL-3): corrections are ``CallCorrection`` rows."""

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        NOT_INTERESTED = "not_interested", _("Not interested")
        INTENT_A = "intent_a", _("Intent A")
        INTENT_B = "intent_b", _("Intent B")
        INTENT_C = "intent_c", _("Intent C")
        APPOINTMENT = "appointment", _("Appointment")
        DEAL = "deal", _("Deal")

    NOT_CONNECTED = (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER)
    INTENT = (Outcome.INTENT_A, Outcome.INTENT_B, Outcome.INTENT_C, Outcome.APPOINTMENT, Outcome.DEAL)
    CLOSING = (Outcome.WRONG_NUMBER, Outcome.NOT_INTERESTED, Outcome.DEAL)

    entry = models.ForeignKey(CallEntry, verbose_name=_("number"), on_delete=models.PROTECT, related_name="calls")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("start"), default=timezone.now)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    next_follow_up_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)

    objects = RestrictedManager()
    scope_owner_field = "agent"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["agent", "started_at"], name="telesales_call_agent_idx"),
            # rule: TEL-4 — agent statistics read a period's calls by start time, index-only (covering).
            # (Key columns rather than INCLUDE, which SQLite does not have.)
            models.Index(
                fields=["started_at", "agent", "outcome", "duration_seconds", "department"],
                name="telesales_call_stats_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.started_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # rule: TEL-3 — a logged call is never changed in place.
        if not self._state.adding:
            raise BusinessError(errors.CALL_LOCKED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise BusinessError(errors.CALL_LOCKED)

    @property
    def connected(self) -> bool:
        return self.outcome not in self.NOT_CONNECTED


class CallCorrection(models.Model):
    """A change request for a logged call (TEL-3): the corrected values, the reason and the approval.

    The original ``CallLog`` stays as it was; once approved, the latest approved correction is what
    the call's record shows, and the statistics count the call as corrected (data accuracy).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    call = models.ForeignKey(CallLog, verbose_name=_("call"), on_delete=models.PROTECT, related_name="corrections")
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
    reason = models.TextField(_("reason"), max_length=2000)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallLog.Outcome.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"))
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    next_follow_up_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approval = models.ForeignKey(
        "approvals.Instance",
        verbose_name=_("approval"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedManager()
    scope_owner_field = "call__agent"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("call correction")
        verbose_name_plural = _("call corrections")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.call} · {self.get_status_display()}"


class AgentDayQuerySet(models.QuerySet):
    """Scoped like the calls it sums (ORG-5): whoever may see an agent's calls sees their day rows."""

    def restrict(self, actor: Any, action: str = "view") -> AgentDayQuerySet:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated or not actor.has_perm(f"telesales.{action}_calllog"):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all:
            return self
        return self.filter(scope.q(owner=CallLog.scope_owner_field, department=CallLog.scope_department_field))


class AgentDay(models.Model):
    """One agent's calls of one local day in one department, summed (TEL-4 statistics read these).

    Derived from ``CallLog`` and ``CallCorrection``: kept in step in the same transaction by
    ``services.call_log`` (a call is added) and ``corrections.correction_on_approved`` (a call's
    first approved correction counts it as corrected), rebuilt by ``summary.rebuild`` (the
    migration's backfill, ``manage.py telesales_summary``, a restore). Figures are as logged, like
    the raw aggregation they replace. The day is the local day of ``started_at`` in ``TIME_ZONE``.
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("day"))
    calls = models.PositiveIntegerField(_("calls"), default=0)
    talk_seconds = models.PositiveBigIntegerField(_("talk time (seconds)"), default=0)
    connected = models.PositiveIntegerField(_("connected"), default=0)
    intents = models.PositiveIntegerField(_("intents"), default=0)
    deals = models.PositiveIntegerField(_("deals"), default=0)
    corrected = models.PositiveIntegerField(_("corrected calls"), default=0)

    objects = AgentDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("agent day")
        verbose_name_plural = _("agent days")
        ordering = ["day", "agent"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "department", "day"],
                condition=models.Q(department__isnull=False),
                name="telesales_agentday_one_per_department",
            ),
            models.UniqueConstraint(
                fields=["agent", "day"],
                condition=models.Q(department__isnull=True),
                name="telesales_agentday_one_without_department",
            ),
        ]
        indexes = [models.Index(fields=["day", "agent"], name="telesales_agentday_day_idx")]

    def __str__(self) -> str:
        return f"{self.agent_id} · {self.day:%Y-%m-%d}"


class ReceptionRecord(models.Model):
    """One record per customer meeting (ACT-7, 一客户一记录): attendees, questions, answers, key issues."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="receptions"
    )
    met_at = models.DateTimeField(_("meeting time"))
    attendees = models.TextField(_("attendees"), max_length=2000)
    questions = models.TextField(_("questions"), max_length=8000, blank=True)
    answers = models.TextField(_("answers"), max_length=8000, blank=True)
    key_issues = models.TextField(_("key issues"), max_length=8000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedManager()
    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("reception record")
        verbose_name_plural = _("reception records")
        ordering = ["-met_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["customer", "met_at"], name="telesales_one_record_per_meeting")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.met_at:%Y-%m-%d}"
