"""Contact log (来访来电来函, ACT-1): visits, calls, letters, e-mails, home visits, SMS and messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager


class Activity(models.Model):
    """One contact with a customer, registered with the 5W1H summary and its result."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")  # 来访 / 拜访
        HOME_VISIT = "home_visit", _("Home visit")  # 上门
        CALL = "call", _("Phone call")  # 来电 / 去电
        LETTER = "letter", _("Letter")  # 来函
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")  # 短信
        MESSAGE = "message", _("Message taken")  # 留言 (ACT-6)

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="activities"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.OUTBOUND)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    # 5W1H: who / what / when / where / why / how — "when" is occurred_at, "who" is contact + staff.
    subject = models.CharField(_("subject (what)"), max_length=200)
    location = models.CharField(_("place (where)"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose (why)"), max_length=500, blank=True)
    summary = models.TextField(_("summary (how)"), max_length=4000, blank=True)
    result = models.CharField(_("result"), max_length=500, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    # Whether this contact counted as service (ACT-1/CUS-7) under the configuration in force when logged.
    is_qualifying = models.BooleanField(_("counts as service"), default=False, editable=False)
    # ACT-6: a message taken for someone else is routed to the customer's owner.
    routed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("routed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routed_activities",
    )
    # ACT-6: who left the message and how to reach them; the matter is the subject/summary.
    caller_name = models.CharField(_("caller's name"), max_length=100, blank=True)
    caller_contact = models.CharField(_("caller's contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="act_customer_time_idx"),
            models.Index(fields=["staff", "-occurred_at"], name="act_staff_time_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="act_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"
