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
    # ACT-2: this contact is a return visit (回访) to a transacted customer.
    is_return_visit = models.BooleanField(_("return visit"), default=False)
    # ACT-3: position in a run of consecutive SMS-only return visits (0 for any other contact),
    # and whether the return visit counts — the ``sms_invalid_streak``-th SMS in a row does not.
    sms_streak = models.PositiveSmallIntegerField(_("SMS return visits in a row"), default=0, editable=False)
    return_visit_counts = models.BooleanField(_("counts as a return visit"), default=False, editable=False)
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
            # ACT-2: the last counted return visit of each customer, from an index.
            models.Index(
                fields=["customer", "-occurred_at"],
                condition=models.Q(return_visit_counts=True),
                name="act_return_visit_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"


class InquiryTeam(models.Model):
    """Who receives inquiries arriving through a channel (ACT-5): a team (department subtree).

    The inquiries of a channel are distributed among the team's members; the row is also the lock
    that serialises distribution, so two inquiries arriving at once never both go to the same
    "least loaded" person.
    """

    channel = models.CharField(_("channel"), max_length=20, unique=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("team"), on_delete=models.PROTECT, related_name="inquiry_teams"
    )
    last_assigned_at = models.DateTimeField(_("last assigned at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inquiry team")
        verbose_name_plural = _("inquiry teams")
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.department}"


class Inquiry(models.Model):
    """An inbound inquiry (询盘) from the company or international mailbox, followed up by its assignee."""

    class Channel(models.TextChoices):
        COMPANY_MAILBOX = "company_mailbox", _("Company mailbox")
        INTERNATIONAL_MAILBOX = "intl_mailbox", _("International mailbox")
        WEBSITE = "website", _("Website form")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        FOLLOWING = "following", _("Following up")
        CONVERTED = "converted", _("Converted to customer")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.NEW, Status.FOLLOWING)

    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    sender_name = models.CharField(_("sender"), max_length=200, blank=True)
    sender_email = models.EmailField(_("sender's e-mail"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    content = models.TextField(_("content"), max_length=20000, blank=True)
    # The mail's Message-ID (or the intake system's id): receiving the same mail twice is one inquiry.
    external_id = models.CharField(_("external id"), max_length=300, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("team"), on_delete=models.PROTECT, related_name="inquiries"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    last_note = models.CharField(_("latest follow-up"), max_length=2000, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "assigned_to"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="act_inquiry_unique_external",
                violation_error_message=_("This inquiry has already been received."),
            )
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status"], name="act_inquiry_assignee_idx"),
            models.Index(fields=["department", "-received_at"], name="act_inquiry_dept_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class InquiryAssignment(models.Model):
    """Append-only log of who got an inquiry and why (ACT-5: the distribution is auditable).

    ``candidates`` is the snapshot the choice was made from: each member's open inquiries and
    last assignment time, so anyone can check that the fewest-open, longest-waiting member won.
    """

    class Reason(models.TextChoices):
        AUTO = "auto", _("Distributed automatically")
        MANUAL = "manual", _("Reassigned by a manager")

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    candidates = models.JSONField(_("candidates"), default=list)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inquiry assignment")
        verbose_name_plural = _("inquiry assignments")
        ordering = ["-assigned_at", "-id"]
        indexes = [models.Index(fields=["assigned_to", "-assigned_at"], name="act_inq_assign_user_idx")]

    def __str__(self) -> str:
        return f"{self.inquiry_id} → {self.assigned_to_id}"


class InquiryEvent(models.Model):
    """A status change or follow-up note of an inquiry (house style 5: one event per transition)."""

    inquiry = models.ForeignKey(Inquiry, verbose_name=_("inquiry"), on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=20, choices=Inquiry.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Inquiry.Status.choices)
    note = models.CharField(_("note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("inquiry event")
        verbose_name_plural = _("inquiry events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.inquiry_id}: {self.from_status} → {self.to_status}"


class KeyAccount(models.Model):
    """A customer designated as a key or core account (CUS-14), visited by management in person.

    Key (big) accounts are visited by the sales director, core accounts by the general manager or
    the chairman, at least every ``key_account_visit_days``.
    """

    class Level(models.TextChoices):
        KEY = "key", _("Key account (sales director visits)")
        CORE = "core", _("Core account (general manager or chairman visits)")

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="key_account"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    is_active = models.BooleanField(_("active"), default=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("designated by"), on_delete=models.PROTECT, related_name="+"
    )
    designated_at = models.DateTimeField(_("designated at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("key account")
        verbose_name_plural = _("key accounts")
        ordering = ["level", "customer__name"]

    def __str__(self) -> str:
        return f"{self.customer} ({self.get_level_display()})"


# --- ACT-2: the return-visit schedule, kept by the database (PostgreSQL) -------------------------


class DealStart(models.Model):
    """When a customer first became a deal (成交): the earliest history row with the deal stage.

    ``return_visits.with_return_visit_due`` asks the customer history for it per customer; the
    dashboard's 回访及时率 reads it here instead (one row per customer that was ever a deal). On
    PostgreSQL row triggers on the customer history keep it exact in the writing transaction,
    whichever path writes history (saves, bulk imports, SQL); migration ``activities.0005`` fills
    it. SQLite keeps nothing and computes from the history (``schedule.use_schedule_tables``).
    Read-only for the application.
    """

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("customer"),
    )
    became_deal_at = models.DateTimeField(_("became a deal at"))

    class Meta:
        verbose_name = _("deal start")
        verbose_name_plural = _("deal starts")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.customer_id} {self.became_deal_at:%Y-%m-%d}"


class ReturnVisitLink(models.Model):
    """One instant at which a customer had a counted return visit (ACT-2/ACT-3), with the instants
    of the counted visits just before and just after it (NULL: none).

    The gaps between return visits are what 回访及时率 counts; with each visit linked to its
    neighbours, a period's figure reads the visits near the period and one row per customer (its
    last visit before the period's bound) instead of every visit ever logged with a window
    function. Several counted visits at the same instant are one row. Kept on PostgreSQL by row
    triggers on ``activities_activity`` (a customer's links are rebuilt from its counted visits
    whenever one of them is added, removed, moved or stops/starts counting); migration
    ``activities.0005`` fills it. Read-only for the application.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique (customer, occurred_at) serves lookups by customer
        related_name="+",
        verbose_name=_("customer"),
    )
    occurred_at = models.DateTimeField(_("time"))
    previous_at = models.DateTimeField(_("previous return visit"), null=True, blank=True)
    next_at = models.DateTimeField(_("next return visit"), null=True, blank=True)

    class Meta:
        verbose_name = _("return-visit link")
        verbose_name_plural = _("return-visit links")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["customer", "occurred_at"], name="act_rvlink_customer_time_uniq"),
        ]
        indexes = [
            # The visits near a period (its segments) and each customer's last visit before a bound.
            models.Index(fields=["occurred_at"], name="act_rvlink_time_idx"),
            models.Index(fields=["next_at"], name="act_rvlink_next_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class ReturnVisitAnchor(models.Model):
    """A transacted customer's (成交, not archived) current return-visit anchor: the local day of its last
    counted return visit since it became a deal, or of becoming a deal (ACT-2: the next visit falls due
    ``return_visit_days`` after it). One row per such customer; kept with ``ReturnVisitAnchorDay`` by
    the same PostgreSQL triggers as the links (and by triggers on the customers for stage, archive and
    registration changes); migration ``activities.0006`` fills both. Read-only for the application."""

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("customer"),
    )
    anchor_day = models.IntegerField(_("anchor day (days since 1970-01-01, local)"))

    class Meta:
        verbose_name = _("return-visit anchor")
        verbose_name_plural = _("return-visit anchors")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.customer_id} @{self.anchor_day}"


class ReturnVisitAnchorDay(models.Model):
    """How many transacted customers have their return-visit anchor on a day, company-wide: the whole
    centre's 回访及时率 adds up a few hundred days instead of reading every customer. Kept with
    ``ReturnVisitAnchor`` (an anchor moving from one day to another moves one count). Read-only."""

    anchor_day = models.IntegerField(_("anchor day (days since 1970-01-01, local)"), primary_key=True)
    customers = models.IntegerField(_("customers"))

    class Meta:
        verbose_name = _("return-visit anchor day")
        verbose_name_plural = _("return-visit anchor days")
        default_permissions = ()

    def __str__(self) -> str:
        return f"@{self.anchor_day}: {self.customers}"
