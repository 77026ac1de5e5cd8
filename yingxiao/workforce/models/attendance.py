"""Attendance (考勤, HR-1/HR-2), outings (外出登记, HR-3), business trips (出差, HR-4), leave (请假, HR-5).

Every record names its ``person`` and the ``department`` they belonged to at the time, so reads
are scoped like other records (ORG-5): staff see their own, heads their department, HR and the
director everything. Attendance records keep their history; a correction (补卡) is a separate
request that keeps the original times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from yingxiao.org.models import User

# Roles that read everyone's attendance and leave (HR, management, payroll); any other role with an
# "all" data scope (the customer-resource director, the administrator) reads only their own.
PEOPLE_ALL_ROLES = frozenset({"hr", "general_manager", "sales_director", "chairman", "finance"})


class PeopleQuerySet(RestrictedQuerySet):
    """Personal records: own for staff, the department subtree for heads, all for HR and management."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated:
            return self.none()
        if not actor.has_perm(f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all:
            return self if scope.role_codes & PEOPLE_ALL_ROLES else self.filter(person=actor.pk)
        return self.filter(scope.q(owner="person", department="department"))


PeopleManager = models.Manager.from_queryset(PeopleQuerySet)


class Tier(models.TextChoices):
    """HR-2 classification of one lateness or early leave."""

    NONE = "", _("On time")
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    HALF_DAY = "half_day", _("Half a day absent")


class AttendanceRecord(models.Model):
    """One person's attendance on one day (HR-1): clock-in, clock-out and the HR-2 classification."""

    class Mark(models.TextChoices):
        NONE = "", _("None")
        TRIP_MISSED = "trip_missed", _("Missed trip check-in")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="attendance"
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
    is_workday = models.BooleanField(_("working day"), default=True)
    clock_in = models.DateTimeField(_("clock-in"), null=True, blank=True)
    clock_out = models.DateTimeField(_("clock-out"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("minutes late"), default=0)
    early_minutes = models.PositiveIntegerField(_("minutes early"), default=0)
    late_tier = models.CharField(_("lateness"), max_length=10, choices=Tier.choices, blank=True, default="")
    early_tier = models.CharField(_("early leave"), max_length=10, choices=Tier.choices, blank=True, default="")
    mark = models.CharField(_("mark"), max_length=20, choices=Mark.choices, blank=True, default="")
    corrected = models.BooleanField(_("corrected"), default=False)
    history = HistoricalRecords()

    objects = PeopleManager()

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        ordering = ["-day", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "day"],
                name="workforce_attendance_one_per_day",
                violation_error_message=_("A person has one attendance record per day."),
            )
        ]
        indexes = [models.Index(fields=["department", "day"], name="workforce_att_dept_day_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.day}"


class AttendanceCorrection(models.Model):
    """A request to correct a day's clock times (补卡), approved by the superior; the original is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
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
    record = models.ForeignKey(
        AttendanceRecord,
        verbose_name=_("attendance record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    original_clock_in = models.DateTimeField(_("original clock-in"), null=True, blank=True)
    original_clock_out = models.DateTimeField(_("original clock-out"), null=True, blank=True)
    clock_in = models.DateTimeField(_("corrected clock-in"), null=True, blank=True)
    clock_out = models.DateTimeField(_("corrected clock-out"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    objects = PeopleManager()

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.day}"


class Outing(models.Model):
    """Going out during working hours (外出登记, HR-3): when, where, why; approved by the superior."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    place = models.CharField(_("place"), max_length=200)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = PeopleManager()

    class Meta:
        verbose_name = _("outing")
        verbose_name_plural = _("outings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="workforce_outing_dates_in_order",
                violation_error_message=_("The end must not be before the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.place}"


class Trip(models.Model):
    """A business trip (出差, HR-4), approved by the superior; the traveller checks in every morning."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    destination = models.CharField(_("destination"), max_length=200)
    purpose = models.TextField(_("purpose"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = PeopleManager()

    class Meta:
        verbose_name = _("business trip")
        verbose_name_plural = _("business trips")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="workforce_trip_dates_in_order",
                violation_error_message=_("The end must not be before the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.destination}"


class TripCheckin(models.Model):
    """A traveller's morning check-in (HR-4): time, place, a note and an optional photo."""

    trip = models.ForeignKey(Trip, verbose_name=_("business trip"), on_delete=models.CASCADE, related_name="checkins")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
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
    at = models.DateTimeField(_("checked in at"))
    place = models.CharField(_("place"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    photo = models.FileField(_("photo"), upload_to="workforce/checkins/%Y/%m/", blank=True)

    objects = PeopleManager()

    class Meta:
        verbose_name = _("trip check-in")
        verbose_name_plural = _("trip check-ins")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trip", "day"],
                name="workforce_checkin_one_per_day",
                violation_error_message=_("One check-in per trip and day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.day} {self.place}"


class Leave(models.Model):
    """A leave request (请假, HR-5), routed by its working days; a handover person is named."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual leave")
        PERSONAL = "personal", _("Personal leave")
        SICK = "sick", _("Sick leave")
        MARRIAGE = "marriage", _("Marriage leave")
        MATERNITY = "maternity", _("Maternity or paternity leave")
        BEREAVEMENT = "bereavement", _("Bereavement leave")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.PENDING, Status.APPROVED)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="leaves"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    requested_kind = models.CharField(_("requested kind"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    days = models.DecimalField(_("working days"), max_digits=6, decimal_places=1)
    reason = models.TextField(_("reason"))
    handover = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handover to"), on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.FileField(_("medical certificate"), upload_to="workforce/certificates/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = PeopleManager()

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="workforce_leave_dates_in_order",
                violation_error_message=_("The end must not be before the start."),
            ),
            models.CheckConstraint(
                condition=~Q(handover=F("person")),
                name="workforce_leave_handover_not_self",
                violation_error_message=_("The handover person must be someone else."),
            ),
        ]
        indexes = [models.Index(fields=["person", "start_date"], name="workforce_leave_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.start_date}–{self.end_date}"

    @property
    def converted(self) -> bool:
        """rule: HR-5 — sick leave without a certificate was counted as personal leave."""
        return self.kind != self.requested_kind


class LeaveEntitlement(models.Model):
    """Annual leave days a person is entitled to in a year (data, maintained by HR)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    annual_days = models.DecimalField(_("annual leave days"), max_digits=5, decimal_places=1, default=5)
    history = HistoricalRecords()

    objects = PeopleManager()

    class Meta:
        verbose_name = _("leave entitlement")
        verbose_name_plural = _("leave entitlements")
        ordering = ["-year", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"],
                name="workforce_entitlement_one_per_year",
                violation_error_message=_("One entitlement per person and year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year}"
