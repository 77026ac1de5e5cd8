"""Marketing (市场推广, MKT-1…MKT-5): campaigns, media plans, roadshows, competitor intelligence.

- A campaign (市场活动) walks ``Campaign.TRANSITIONS`` — plan → preparation → execution →
  summary — changed only by ``services``; every change writes a ``CampaignEvent`` (MKT-1).
- Photos and videos of campaigns and roadshows are archived as files (MKT-5, MKT-3).
- Media plans (媒体计划) are annual advertising / exhibition / web plans with items whose
  completion and spend are measured against the plan's budget (MKT-2).
- Competitor entries (竞品信息) are collected per month and analysed per quarter (MKT-4).

Nothing here is hard-deleted: campaigns are cancelled, roadshows and entries voided.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager

_MONEY = {"max_digits": 14, "decimal_places": 2}


class Campaign(models.Model):
    """A marketing campaign or event (市场活动) from its plan to its summary (MKT-1)."""

    class Status(models.TextChoices):
        PLAN = "plan", _("Plan")
        PREPARATION = "preparation", _("Preparation")
        EXECUTION = "execution", _("Execution")
        SUMMARY = "summary", _("Summarised")
        CANCELLED = "cancelled", _("Cancelled")

    # rule: MKT-1 — the only moves a campaign can make; services refuse everything else.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PLAN: (Status.PREPARATION, Status.CANCELLED),
        Status.PREPARATION: (Status.EXECUTION, Status.CANCELLED),
        Status.EXECUTION: (Status.SUMMARY,),
        Status.SUMMARY: (),
        Status.CANCELLED: (),
    }

    theme = models.CharField(_("theme"), max_length=200)
    audience = models.CharField(_("audience"), max_length=500)
    content = models.TextField(_("content"), max_length=4000)
    place = models.CharField(_("place"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(_("budget"), **_MONEY)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLAN)
    # Summary (总结), filled when the campaign is summarised.
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), max_length=4000, blank=True)
    exposure = models.PositiveIntegerField(_("exposure"), null=True, blank=True)
    spend = models.DecimalField(_("actual spend"), null=True, blank=True, **_MONEY)
    summarised_at = models.DateTimeField(_("summarised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="marketing_campaign_dates_in_order",
                violation_error_message=_("The campaign cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="marketing_campaign_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["department", "starts_on"], name="mkt_campaign_dept_idx")]

    def __str__(self) -> str:
        return f"{self.theme} ({self.starts_on:%Y-%m-%d})"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class CampaignEvent(models.Model):
    """Append-only timeline of a campaign: status changes and notable steps (MKT-1)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_status}→{self.to_status} {self.message}"


class CampaignTask(models.Model):
    """A preparation task (筹备任务) with its owner and due date."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class CampaignMaterial(models.Model):
    """Material prepared for a campaign (物料): brochures, samples, banners."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField(_("material"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign material")
        verbose_name_plural = _("campaign materials")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class CampaignInvitation(models.Model):
    """A customer invited to a campaign; the invitation itself lives in customers (CUS-8).

    ``conflict`` flags that another department also holds an open invitation of the customer for
    the same event: the coordinator decides (customers' conflict page). ``attended`` is filled
    during execution.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="invitations"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    invitation = models.OneToOneField(
        "customers.Invitation", verbose_name=_("invitation"), on_delete=models.PROTECT, related_name="campaign_link"
    )
    conflict = models.BooleanField(_("conflict with another department"), default=False)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign invitation")
        verbose_name_plural = _("campaign invitations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"],
                name="marketing_invitation_once_per_campaign",
                violation_error_message=_("This customer is already invited to the campaign."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.customer_id}"


class CampaignMedia(models.Model):
    """A photo or video of a campaign, archived (MKT-5)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="marketing/campaigns/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign photo or video")
        verbose_name_plural = _("campaign photos and videos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.file.name


class CampaignLead(models.Model):
    """A customer attributable to a campaign (线索): created at it or linked to it; with the sales it brought."""

    class Kind(models.TextChoices):
        CREATED = "created", _("New customer from the campaign")
        LINKED = "linked", _("Existing customer linked")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="leads")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    sales_amount = models.DecimalField(_("attributable sales"), default=Decimal("0.00"), **_MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign lead")
        verbose_name_plural = _("campaign leads")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"],
                name="marketing_lead_once_per_campaign",
                violation_error_message=_("This customer is already a lead of the campaign."),
            ),
            models.CheckConstraint(
                condition=Q(sales_amount__gte=0),
                name="marketing_lead_sales_not_negative",
                violation_error_message=_("Sales cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} ← {self.customer_id}"


class MediaPlan(models.Model):
    """An annual advertising, exhibition or web plan (广告/展会/网络计划) with its budget (MKT-2)."""

    class Kind(models.TextChoices):
        ADVERTISING = "advertising", _("Advertising")
        EXHIBITION = "exhibition", _("Exhibition")
        WEB = "web", _("Web")

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    budget = models.DecimalField(_("budget"), **_MONEY)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("media plan")
        verbose_name_plural = _("media plans")
        ordering = ["-year", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "kind"],
                name="marketing_mediaplan_one_per_kind_year",
                violation_error_message=_("The department already has this plan for the year."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="marketing_mediaplan_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} · {self.title}"


class MediaPlanItem(models.Model):
    """One planned placement, exhibition or web action of a media plan; done when completed (MKT-2)."""

    plan = models.ForeignKey(MediaPlan, verbose_name=_("media plan"), on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("item"), max_length=200)
    planned_on = models.DateField(_("planned on"))
    planned_cost = models.DecimalField(_("planned cost"), **_MONEY)
    actual_cost = models.DecimalField(_("actual cost"), null=True, blank=True, **_MONEY)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("media plan item")
        verbose_name_plural = _("media plan items")
        ordering = ["planned_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_cost__gte=0) & (Q(actual_cost__isnull=True) | Q(actual_cost__gte=0)),
                name="marketing_mediaitem_costs_not_negative",
                violation_error_message=_("Costs cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Roadshow(models.Model):
    """A roadshow (巡展) held by a department's marketing specialist; it counts once it has photos (MKT-3)."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "organiser"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("roadshow")
        verbose_name_plural = _("roadshows")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["department", "held_on"], name="mkt_roadshow_month_idx")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.place}"


class RoadshowPhoto(models.Model):
    """A photo taken at a roadshow and kept by the marketing department (MKT-3, MKT-5)."""

    roadshow = models.ForeignKey(Roadshow, verbose_name=_("roadshow"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="marketing/roadshows/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roadshow photo")
        verbose_name_plural = _("roadshow photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file.name


class CompetitorEntry(models.Model):
    """One month's information about a competitor's product (竞品信息): price and news (MKT-4)."""

    month = models.DateField(_("month"))  # always the first of the month
    competitor = models.CharField(_("competitor"), max_length=200)
    product = models.CharField(_("product"), max_length=200)
    price = models.DecimalField(_("price"), null=True, blank=True, **_MONEY)
    news = models.TextField(_("news"), max_length=4000, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    voided = models.BooleanField(_("voided"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "reporter"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("competitor entry")
        verbose_name_plural = _("competitor entries")
        ordering = ["-month", "competitor", "product", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="marketing_competitor_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["month", "competitor", "product"], name="mkt_competitor_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.competitor} {self.product}"
