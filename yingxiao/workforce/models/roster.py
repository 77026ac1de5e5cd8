"""The duty roster (值班表, HR-10): posts per department, who holds each post on which day, swaps
approved by the head, and unattended posts reported (空岗) — each one a violation of the rostered person.

A roster is readable by everyone in its department (colleagues must know who is on lunch duty);
heads see their department subtree, management and HR everything (ORG-5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedQuerySet

from .attendance import PEOPLE_ALL_ROLES, PeopleManager

if TYPE_CHECKING:
    from yingxiao.org.models import User


class RosterQuerySet(RestrictedQuerySet):
    """Roster rows of the actor's own departments, the department subtree for heads, all for management."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for
        from yingxiao.org.selectors import positions_of

        if actor is None or not actor.is_authenticated:
            return self.none()
        if not actor.has_perm(f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all and scope.role_codes & (PEOPLE_ALL_ROLES | {"admin"}):
            return self
        own = {p.department_id for p in positions_of(actor)}
        reach = own | (set(scope.department_ids) if scope.level == "department" else set())
        return self.filter(department__in=sorted(reach))


RosterManager = models.Manager.from_queryset(RosterQuerySet)


class DutyPost(models.Model):
    """A post that must be staffed (岗位): lunch duty (午间值班), the front desk, the showroom …"""

    class Kind(models.TextChoices):
        LUNCH = "lunch", _("Lunch duty")
        RECEPTION = "reception", _("Front desk")
        SHOWROOM = "showroom", _("Showroom")
        PHONE = "phone", _("Phone duty")
        OTHER = "other", _("Other post")

    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LUNCH)
    name = models.CharField(_("name"), max_length=100)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = RosterManager()

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        ordering = ["department_id", "starts", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")),
                name="workforce_dutypost_times_in_order",
                violation_error_message=_("The end must not be before the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}–{self.ends:%H:%M}"


class DutyAssignment(models.Model):
    """One person on one post on one day (排班). Swaps change ``person``; the history keeps who it was."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        UNATTENDED = "unattended", _("Unattended (reported)")
        CANCELLED = "cancelled", _("Cancelled")

    post = models.ForeignKey(DutyPost, verbose_name=_("post"), on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("on duty"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = RosterManager()

    class Meta:
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        ordering = ["day", "post__starts", "post_id"]
        permissions = [("report_unattended_dutyassignment", _("Can report an unattended post (HR-10)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "day"],
                condition=~Q(status="cancelled"),
                name="workforce_duty_one_per_post_day",
                violation_error_message=_("This post already has someone on duty that day."),
            )
        ]
        indexes = [models.Index(fields=["department", "day"], name="workforce_duty_dept_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.post} · {self.person}"


class DutySwap(models.Model):
    """A request to hand a duty to a colleague (换班), approved by the department head."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    assignment = models.ForeignKey(
        DutyAssignment, verbose_name=_("duty"), on_delete=models.PROTECT, related_name="swaps"
    )
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
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("substitute"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    objects = PeopleManager()

    class Meta:
        verbose_name = _("duty swap")
        verbose_name_plural = _("duty swaps")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.substitute}"


class UnattendedPost(models.Model):
    """An unattended post reported (空岗): who found it, when; its HR-10 violation names it as subject."""

    assignment = models.OneToOneField(
        DutyAssignment, verbose_name=_("duty"), on_delete=models.PROTECT, related_name="unattended"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("on duty"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    found_at = models.DateTimeField(_("found at"))
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    objects = PeopleManager()

    class Meta:
        verbose_name = _("unattended post")
        verbose_name_plural = _("unattended posts")
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment} ({self.found_at:%H:%M})"
