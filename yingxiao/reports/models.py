"""What the reports app stores: the log of weekly summary e-mails (one per recipient and week).

The dashboards themselves store nothing — every figure is computed from the apps' scoped
querysets. The model also carries the app's permissions (dashboard, PDF reports).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SummaryDelivery(models.Model):
    """One weekly summary sent to one person: the unique key makes the scheduled task idempotent."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly summary")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WEEKLY)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    email = models.EmailField(_("e-mail"), max_length=200)

    class Meta:
        verbose_name = _("summary delivery")
        verbose_name_plural = _("summary deliveries")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "period_start"], name="reports_delivery_unique")
        ]
        permissions = [
            ("view_dashboard", "Can see the KPI dashboard and its drill-downs"),
            ("download_report", "Can download the weekly and monthly PDF reports"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start} → {self.recipient}"
