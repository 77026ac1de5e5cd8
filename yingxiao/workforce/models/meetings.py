"""Meetings (会议, HR-6): morning, weekly, monthly, quarterly and special meetings with their
attendees, arrivals (lateness is a violation), minutes sent to the attendees, and the organiser's
violation for a scheduled meeting that was never held.

Attendees and the organiser see a meeting; heads see their department's, management and HR all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedQuerySet

from .attendance import PEOPLE_ALL_ROLES

if TYPE_CHECKING:
    from yingxiao.org.models import User


class MeetingQuerySet(RestrictedQuerySet):
    """Own (organiser or attendee), the department subtree for heads, all for management and HR."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated:
            return self.none()
        if not actor.has_perm(f"workforce.{action}_meeting"):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all and scope.role_codes & PEOPLE_ALL_ROLES:
            return self
        mine = Q(organiser=actor.pk) | Q(pk__in=MeetingAttendance.objects.filter(person=actor.pk).values("meeting"))
        if scope.level == "department" and scope.department_ids:
            mine |= Q(department__in=sorted(scope.department_ids))
        return self.filter(mine)


MeetingManager = models.Manager.from_queryset(MeetingQuerySet)


class Meeting(models.Model):
    """A scheduled meeting (HR-6) and what became of it."""

    class Kind(models.TextChoices):
        MORNING = "morning", _("Morning meeting")  # 晨会
        WEEKLY = "weekly", _("Weekly meeting")  # 周例会
        MONTHLY = "monthly", _("Monthly meeting")  # 月度会议
        QUARTERLY = "quarterly", _("Quarterly meeting")  # 季度会议
        SPECIAL = "special", _("Special meeting")  # 专题会议

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        NOT_HELD = "not_held", _("Not held")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_sent_at = models.DateTimeField(_("minutes sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = MeetingManager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="workforce_meeting_times_in_order",
                violation_error_message=_("The end must not be before the start."),
            )
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="workforce_meeting_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"


class MeetingAttendance(models.Model):
    """One attendee of one meeting: expected, then present (on time or late) or absent."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attendee"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.EXPECTED)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("minutes late"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendance")
        ordering = ["meeting_id", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="workforce_meeting_attendee_once",
                violation_error_message=_("This person is already an attendee."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.person}"
