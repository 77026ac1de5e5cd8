"""Archives (档案): documents with a confidentiality level (ARC-2), borrowing (借阅, ARC-1), access and export logs.

Access by level (ARC-2, policy 003/004 "设置保密级别, 限制访问权限"; 002 "秘密级只限相关人员知晓"):

- 公开 public and 内部 internal documents are read by every employee who may read the archive;
- 秘密 secret documents need the clearance ``archives.access_secret`` (heads, the archive keeper,
  finance, HR, management); 机密 confidential ones ``archives.access_confidential`` (the sales
  director, the general manager, the chairman). Above one's clearance a document does not exist
  (404), except for its custodian (保管人).
- The *content* (the stored file) of a secret or confidential document is opened by its custodian,
  by people whose data scope covers its department (the department's head, management), or by a
  borrower holding an approved, unreturned borrowing (ARC-1: "凡需使用档案者, 均须填写借阅单, 经总经理或
  销售总监签批后方能调阅"). Every view and download of such a document is logged (``DocumentAccess``).

``ExportLog`` is the log of every list export (core/exports.py), kept here with the other
confidentiality records; its ``export_data`` permission is the right to export at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from yingxiao.org.models import User


class Level(models.TextChoices):
    """Confidentiality level (密级), lowest first."""

    PUBLIC = "public", _("Public (公开)")
    INTERNAL = "internal", _("Internal (内部)")
    SECRET = "secret", _("Secret (秘密)")
    CONFIDENTIAL = "confidential", _("Confidential (机密)")


# rule: ARC-2 — levels whose every view and download is logged, and whose content needs scope or a loan.
CLASSIFIED = frozenset({Level.SECRET, Level.CONFIDENTIAL})


def cleared_levels(actor: User | Any) -> list[str]:
    """rule: ARC-2 — the levels ``actor`` may see in the catalog, by the clearance their roles grant."""
    if actor is None or not actor.is_authenticated:
        return []
    levels = [Level.PUBLIC.value, Level.INTERNAL.value]
    if actor.has_perm("archives.access_secret") or actor.has_perm("archives.access_confidential"):
        levels.append(Level.SECRET.value)
    if actor.has_perm("archives.access_confidential"):
        levels.append(Level.CONFIDENTIAL.value)
    return levels


class DocumentQuerySet(RestrictedQuerySet):
    """Documents up to the actor's clearance (or in their custody); changes also within their data scope."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated:
            return self.none()
        if not actor.has_perm(f"archives.{action}_document"):
            return self.none()
        visible = self.filter(Q(level__in=cleared_levels(actor)) | Q(custodian=actor.pk))
        if action == "view":
            return visible
        return visible.filter(scope_for(actor).q(owner="custodian", department="department"))


DocumentManager = models.Manager.from_queryset(DocumentQuerySet)


def _upload_to(instance: Document, filename: str) -> str:
    return f"archives/{instance.number or 'document'}/{filename}"


class Document(models.Model):
    """An archive document (档案): its level, owning department, custodian and the stored file."""

    class Category(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        CUSTOMER = "customer", _("Customer archive")
        POLICY = "policy", _("Policy or regulation")
        REPORT = "report", _("Report")
        TECHNICAL = "technical", _("Technical (drawings, processes)")
        PRICE = "price", _("Prices")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the archive")
        VOID = "void", _("Void")

    number = models.CharField(_("archive number"), max_length=50, unique=True)
    title = models.CharField(_("document title"), max_length=200)
    category = models.CharField(_("document category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    level = models.CharField(_("confidentiality level"), max_length=20, choices=Level.choices, default=Level.INTERNAL)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("custodian"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("storage location"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=_upload_to, blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = DocumentManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("access_secret", _("Can read secret (秘密) documents")),
            ("access_confidential", _("Can read confidential (机密) documents")),
        ]
        indexes = [models.Index(fields=["level", "status"], name="archives_doc_level_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_classified(self) -> bool:
        return self.level in CLASSIFIED


class DocumentAccess(models.Model):
    """rule: ARC-2 — one view or download of a secret or confidential document: who, when, what. Append-only."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        DOWNLOAD = "download", _("Downloaded")

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("access type"), max_length=10, choices=Action.choices)
    level = models.CharField(_("confidentiality level"), max_length=20, choices=Level.choices)
    via = models.CharField(_("via"), max_length=10, default="web")  # web / api
    borrowing = models.ForeignKey(
        "Borrowing", verbose_name=_("borrowing"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_owner_field = "user"

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.document_id}"


class BorrowingQuerySet(RestrictedQuerySet):
    pass


class Borrowing(models.Model):
    """A borrowing (借阅, ARC-1): approved by the GM or the sales director, due back, inspected on return."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        LENT = "lent", _("Lent")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        RETURNED = "returned", _("Returned to the archive")

    class Condition(models.TextChoices):
        INTACT = "intact", _("Intact")
        DAMAGED = "damaged", _("Damaged")
        LOST = "lost", _("Missing (lost)")

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="borrowings"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("borrower"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.TextField(_("purpose of borrowing"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    lent_at = models.DateTimeField(_("lent at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    condition = models.CharField(_("condition on return"), max_length=10, choices=Condition.choices, blank=True)
    inspection_note = models.TextField(_("inspection note"), blank=True)

    objects = BorrowingQuerySet.as_manager()
    history = HistoricalRecords()
    scope_owner_field = "borrower"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("borrowing")
        verbose_name_plural = _("borrowings")
        ordering = ["-requested_at", "-id"]
        permissions = [("inspect_borrowing", _("Can take back and inspect borrowed archives"))]
        constraints = [
            # rule: ARC-1 — a document is lent to one borrower at a time.
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="lent"),
                name="archives_one_loan_per_document",
                violation_error_message=_("This document is already lent out."),
            ),
            models.UniqueConstraint(
                fields=["document", "borrower"],
                condition=Q(status="pending"),
                name="archives_one_open_request",
                violation_error_message=_("You already have an open borrowing request for this document."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="archives_borrow_due")]

    def __str__(self) -> str:
        return f"{self.borrower} · {self.document}"


class ExportLog(models.Model):
    """rule: ARC-2 — one export of a list: who, when, which list, the filter, the row count. Append-only."""

    class Status(models.TextChoices):
        DONE = "done", _("Exported")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    list_name = models.CharField(_("list"), max_length=100)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    file_format = models.CharField(_("format"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DONE)
    refused_code = models.CharField(_("reason refused"), max_length=50, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_owner_field = "user"

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        permissions = [("export_data", _("Can export lists to Excel or CSV"))]
        indexes = [models.Index(fields=["user", "at"], name="archives_export_user_at")]

    def __str__(self) -> str:
        return f"{self.user} {self.list_name} {self.row_count}"
