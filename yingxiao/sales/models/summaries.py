"""rule: CON-3 — the receivables day summary: the payment-plan lines added up per (owner, department,
due day, in force), so ageing and 回款率 for a company or a department read a few hundred thousand
rows instead of millions of lines.

On PostgreSQL the table is kept by statement triggers on ``sales_instalment`` (migration
``sales.0006``): every INSERT, UPDATE or DELETE of lines adds its delta in the same transaction,
so the summary is exact to the cent whichever path moves money (services, admin, bulk SQL). On
SQLite nothing maintains it and the KPIs compute from the lines directly (``kpis.use_summary``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingxiao.core.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from yingxiao.org.models import User


class InstalmentDaySummaryQuerySet(RestrictedQuerySet):
    """Scoped exactly like the lines it adds up (ORG-5): the verb permission is the instalment's
    (``sales.view_instalment``), the scope the same owner/department fields."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if actor is None or not actor.is_authenticated or not actor.has_perm(f"sales.{action}_instalment"):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all:
            return self
        return self.filter(scope.q(owner=self.model.scope_owner_field, department=self.model.scope_department_field))


class InstalmentDaySummary(models.Model):
    """The payment-plan lines of one owner and department due on one day (in force or not).

    ``outstanding`` is Σ max(amount − received − written_off, 0) per line; ``lines`` counts them. A
    key whose last line goes away is deleted. Read-only for the application: the database keeps it.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    due_date = models.DateField(_("due date"))
    is_effective = models.BooleanField(_("contract in force"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, default=Decimal("0.00"))
    received = models.DecimalField(_("received"), max_digits=18, decimal_places=2, default=Decimal("0.00"))
    written_off = models.DecimalField(_("written off"), max_digits=18, decimal_places=2, default=Decimal("0.00"))
    outstanding = models.DecimalField(_("outstanding"), max_digits=18, decimal_places=2, default=Decimal("0.00"))
    lines = models.IntegerField(_("lines"), default=0)

    objects = models.Manager.from_queryset(InstalmentDaySummaryQuerySet)()

    scope_owner_field = "owner"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("receivables day summary")
        verbose_name_plural = _("receivables day summaries")
        default_permissions = ()
        # The unique key (owner, department, due_date, is_effective) NULLS NOT DISTINCT is created on
        # PostgreSQL by the migration (the triggers' ON CONFLICT target); SQLite does not keep it.
        indexes = [
            models.Index(fields=["is_effective", "due_date"], name="sales_instsum_due_idx"),
            models.Index(fields=["department", "due_date"], name="sales_instsum_dept_idx"),
            models.Index(fields=["owner", "due_date"], name="sales_instsum_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.department_id} {self.due_date:%Y-%m-%d}"
