"""Work reports (工作报告, HR-7, HR-8): the daily plan (morning) and summary (evening), weekly,
monthly, quarterly and annual reports, submitted to the superior who acknowledges them — both
moments stamped to the minute (书面签字制: 时间签至几时几分).

A report is read by its author, the superior it was sent to, the author's head (department
subtree) and management/HR (ORG-5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .attendance import PeopleQuerySet

if TYPE_CHECKING:
    from yingxiao.org.models import User


class ReportQuerySet(PeopleQuerySet):
    """People scope, plus the reports sent to the actor (the superior's inbox)."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        scoped = super().restrict(actor, action)
        if actor is None or not actor.is_authenticated or not actor.has_perm(f"workforce.{action}_workreport"):
            return scoped
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(recipient=actor.pk))


ReportManager = models.Manager.from_queryset(ReportQuerySet)


class WorkReport(models.Model):
    """One report of one person for one period (HR-7)."""

    class Kind(models.TextChoices):
        DAILY_PLAN = "daily_plan", _("Daily plan")  # 日计划 (morning)
        DAILY_SUMMARY = "daily_summary", _("Daily summary")  # 日总结 (evening)
        WEEKLY = "weekly", _("Weekly report")  # 周报 (Saturday)
        MONTHLY = "monthly", _("Monthly report")
        QUARTERLY = "quarterly", _("Quarterly report")
        ANNUAL = "annual", _("Annual report")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    content = models.TextField(_("content"))
    due_at = models.DateTimeField(_("due"))
    # rule: HR-8 — both signatures are stamped to the minute.
    submitted_at = models.DateTimeField(_("submitted at"))
    is_late = models.BooleanField(_("late"), default=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("superior's comment"), blank=True)
    history = HistoricalRecords()

    objects = ReportManager()

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-period_start", "-submitted_at", "-id"]
        permissions = [("owe_workreport", _("Must file work reports (HR-7)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "period_start"],
                name="workforce_report_one_per_period",
                violation_error_message=_("This report has already been submitted."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="workforce_report_period_in_order",
                violation_error_message=_("The end must not be before the start."),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "period_start", "person"], name="workforce_report_sweep_idx"),
            models.Index(fields=["recipient", "status"], name="workforce_report_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.period_start}"
