"""Organisation: departments (部门), roles (角色), positions (岗位), employees (员工).

ORG-1 departments form an editable tree, stored with a materialised path so a subtree is
one indexed prefix query. ORG-2 positions belong to a department, report to a superior
position, may be vacant (暂缺) or held concurrently (兼任). ORG-5 roles are data: a set of
permissions plus a data scope.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DataScope(models.TextChoices):
    """How far a role's reads reach (ORG-5)."""

    OWN = "own", _("Own records")
    DEPARTMENT = "department", _("Department subtree")
    ALL = "all", _("All")


class Department(models.Model):
    """A node of the organisation tree (营销中心 → 国内部 → …)."""

    class Kind(models.TextChoices):
        CENTER = "center", _("Center")
        DEPARTMENT = "department", _("Department")
        GROUP = "group", _("Group")
        OFFICE = "office", _("Branch office")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/1/4/9/": ids from the root down to this node; maintained by org.services only.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path", "sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="org_department_unique_name_per_parent",
                violation_error_message=_("A department with this name already exists under the same parent."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0


class Role(models.Model):
    """A role as data (ORG-5): permissions for verbs, a data scope for rows."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    data_scope = models.CharField(_("data scope"), max_length=20, choices=DataScope.choices, default=DataScope.OWN)
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # Permissions the standard-role catalog has granted so far ("app.codename"): a later release
    # grants only what is new here, so an administrator's removal is never undone.
    catalog_granted = models.JSONField(default=list, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[permissions])

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """An employee (员工) who logs in. Positions, not the user row, give roles and scope."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("At work")
        ABSENT = "absent", _("Absent (leave, trip)")
        LEFT = "left", _("Left the company")

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    absent_until = models.DateField(_("absent until"), null=True, blank=True)
    # ORG-4: whoever handles this person's approvals and messages while they are away.
    delegate = models.ForeignKey(
        "self", verbose_name=_("delegate"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.UniqueConstraint(
                fields=["employee_no"],
                condition=~Q(employee_no=""),
                name="org_user_unique_employee_no",
                violation_error_message=_("This employee number is already in use."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_available(self, on: object | None = None) -> bool:
        """False when the person cannot act now (absent or left) — ORG-4 skips them."""
        if self.status == self.Status.LEFT or not self.is_active:
            return False
        if self.status == self.Status.ABSENT:
            today = timezone.localdate()
            return self.absent_until is not None and self.absent_until < today
        return True


class Position(models.Model):
    """A post (岗位) in a department, reporting to a superior post (ORG-2, ORG-3)."""

    title = models.CharField(_("title"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="positions"
    )
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="positions")
    superior = models.ForeignKey(
        "self",
        verbose_name=_("direct superior"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
    )
    is_head = models.BooleanField(_("head of department"), default=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["department__path", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.department} · {self.title}"


class Assignment(models.Model):
    """Who holds a position; a person may hold several (兼任), a position may be empty (暂缺)."""

    user = models.ForeignKey(User, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="assignments")
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="assignments"
    )
    is_primary = models.BooleanField(_("primary position"), default=True)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "position"],
                condition=Q(ended_on__isnull=True),
                name="org_assignment_unique_open",
                violation_error_message=_("This employee already holds this position."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(ended_on__isnull=True, is_primary=True),
                name="org_assignment_one_primary",
                violation_error_message=_("An employee has only one primary position."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.position}"
