"""Shared records: the business calendar (工作日历) and in-app notifications (站内通知)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday, or a 调休 make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (day off)")
        WORKDAY = "workday", _("Make-up working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class WorkSchedule(models.Model):
    """Daily working hours (HR-1): a morning and an afternoon period, Asia/Shanghai."""

    name = models.CharField(_("name"), max_length=50, default="default", unique=True)
    morning_start = models.TimeField(_("morning start"), default=dt.time(9, 0))
    morning_end = models.TimeField(_("morning end"), default=dt.time(12, 0))
    afternoon_start = models.TimeField(_("afternoon start"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("afternoon end"), default=dt.time(18, 0))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_start__lt=models.F("morning_end"))
                & models.Q(morning_end__lte=models.F("afternoon_start"))
                & models.Q(afternoon_start__lt=models.F("afternoon_end")),
                name="core_workschedule_periods_in_order",
                violation_error_message=_("Working periods must be in order and must not overlap."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def periods(self) -> list[tuple[dt.time, dt.time]]:
        return [(self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)]


class Notification(models.Model):
    """An in-app notice (站内通知) for one person: who caused it, what happened, where to look."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="core_notif_recipient_idx"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="core_notif_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
