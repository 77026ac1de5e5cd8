"""Customer archive (客户档案, CUS-1) with contacts and first-registration-wins identities (CUS-2).

Ownership (owner + department) is what ORG-5 scoping reads; identities are the unique keys
(normalised phone, name, e-mail) that make "first registration wins" a database guarantee.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedManager


# rule: CUS-1 — the customer record's fields.
class Customer(models.Model):
    """A customer or prospect, owned by one employee in one department."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")

    class Source(models.TextChoices):
        VISIT = "visit", _("Walk-in visit")  # 来访
        CALL = "call", _("Inbound call")  # 来电
        LETTER = "letter", _("Letter")  # 来函
        FAIR = "fair", _("Trade fair")  # 展会
        WEB = "web", _("Internet")  # 网络
        OUTREACH = "outreach", _("Outreach letter")  # 开发信
        REFERRAL = "referral", _("Referral")  # 转介绍
        TELESALES = "telesales", _("Telesales list")  # 电销名单
        SCIENCE = "science", _("Science outreach")  # 科普
        OTHER = "other", _("Other")  # 其他

    class Grade(models.TextChoices):
        VIP = "vip", _("VIP")
        PREFERRED = "preferred", _("Preferred")  # 优选
        QUALIFIED = "qualified", _("Qualified")  # 合格
        UNGRADED = "", _("Not graded")

    class Stage(models.TextChoices):
        POTENTIAL = "potential", _("Potential")  # 潜在
        INTENT = "intent", _("Intent")  # 意向
        DEAL = "deal", _("Deal")  # 成交
        LOST = "lost", _("Lost")  # 流失

    class Intent(models.TextChoices):
        A = "A", _("A — high intent")
        B = "B", _("B — medium intent")
        C = "C", _("C — low intent")
        NONE = "", _("Not assessed")

    class Credit(models.TextChoices):
        GOOD = "good", _("Good")
        NORMAL = "normal", _("Normal")
        POOR = "poor", _("Poor")
        UNKNOWN = "unknown", _("Unknown")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    heard_from = models.CharField(_("how they heard of us"), max_length=200, blank=True)
    previous_brand = models.CharField(_("brand used before"), max_length=200, blank=True)
    needs = models.TextField(_("needs"), max_length=4000, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, default=Grade.UNGRADED, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.POTENTIAL)
    intent = models.CharField(_("intent level"), max_length=1, choices=Intent.choices, default=Intent.NONE, blank=True)
    credit = models.CharField(_("credit status"), max_length=20, choices=Credit.choices, default=Credit.UNKNOWN)
    is_blacklisted = models.BooleanField(_("blacklisted"), default=False)  # CUS-3: flag; approval comes with policy
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    last_served_at = models.DateTimeField(_("last served at"), null=True, blank=True)
    # Search helpers, maintained by customers.services on every write (pypinyin, opencc).
    name_normalized = models.CharField(max_length=200, editable=False, default="")
    name_pinyin = models.CharField(max_length=600, editable=False, default="")
    name_initials = models.CharField(max_length=200, editable=False, default="")
    phone_normalized = models.CharField(max_length=40, editable=False, default="")
    # Distinct 1- and 2-character substrings of the name forms, space-separated: a GIN index on
    # string_to_array(search_tokens, ' ') serves the short terms that trigram indexes cannot (customers.search).
    search_tokens = models.TextField(editable=False, default="")
    is_archived = models.BooleanField(_("archived"), default=False)

    objects = RestrictedManager()
    history = HistoricalRecords(
        excluded_fields=["name_pinyin", "name_initials", "name_normalized", "phone_normalized", "search_tokens"]
    )

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["owner", "-registered_at", "-id"], name="cust_owner_reg_idx"),
            models.Index(fields=["department", "-registered_at", "-id"], name="cust_dept_reg_idx"),
            models.Index(fields=["-registered_at", "-id"], name="cust_reg_idx"),
            models.Index(fields=["owner", "last_served_at"], name="cust_owner_served_idx"),
            # Sorting the whole archive by name (pinyin order) or by last service, LIMIT 25 from an index.
            models.Index(fields=["name_pinyin", "id"], name="cust_pinyin_idx"),
            models.Index(fields=["last_served_at", "id"], name="cust_served_idx"),
            # 回访及时率 (ACT-2) reads every dealt customer: a small index instead of the whole table.
            models.Index(
                fields=["id", "registered_at"],
                condition=models.Q(stage="deal", is_archived=False),
                name="cust_deal_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at the customer (联系人)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedManager()
    history = HistoricalRecords()

    scope_owner_field = "customer__owner"
    scope_department_field = "customer__department"

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "pk"]

    def __str__(self) -> str:
        return self.name


class CustomerIdentity(models.Model):
    """A normalised key (phone, name or e-mail) that belongs to exactly one customer (CUS-2).

    The unique constraint is the race guard: of two simultaneous registrations of one phone,
    the database lets exactly one insert its key.
    """

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        NAME = "name", _("Name")
        EMAIL = "email", _("E-mail")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="identities")

    class Meta:
        verbose_name = _("customer identity")
        verbose_name_plural = _("customer identities")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"],
                name="customers_identity_unique",
                violation_error_message=_("This customer is already registered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class DuplicateAttempt(models.Model):
    """Append-only log of refused registrations (CUS-2: every refused attempt is logged)."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        IMPORT = "import", _("Import")

    attempted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)
    existing = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="duplicate_attempts")
    kind = models.CharField(max_length=10, choices=CustomerIdentity.Kind.choices)
    value = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    submitted = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("duplicate registration attempt")
        verbose_name_plural = _("duplicate registration attempts")
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.attempted_by} → {self.existing} ({self.kind})"


class OwnershipChange(models.Model):
    """Append-only log of every change of owner or department, with the reason and rule that allowed it."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ownership_changes")
    # The log is read per customer and by date; the people and departments it names are never
    # searched by, so they carry no index: every pool release and claim writes a row here.
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    old_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    new_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    old_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    new_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reason = models.CharField(max_length=300)
    rule_id = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        ordering = ["-changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="customers_ownership_reason_required",
                violation_error_message=_("An ownership change needs a reason."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.old_owner} → {self.new_owner}"
