"""Monthly evaluations (绩效考核, PRF-1/2) and pay statements (工资单, PRF-3/5, DIS-3).

An evaluation holds one row per indicator of the person's role (the registry in
``indicators.py``): computed from the system's records where it can, scored by the superior
where it cannot. Its weighted score gives the grade 优秀 / 良好 / 合格 / 不合格 from the policy
thresholds. A pay statement is issued for a closed month only; each of its lines names the
provider that produced it and the records behind it (``source_model`` + ``source_ids``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from yingxiao.core.querysets import RestrictedQuerySet

# Roles that see every evaluation and statement whatever their data scope.
PAY_READER_ROLES = frozenset({"hr"})


class PeopleQuerySet(RestrictedQuerySet):
    """Own rows for everyone (no verb needed for one's own); department / all by scope (ORG-5)."""

    def restrict(self, actor: Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        if action != "view":
            return super().restrict(actor, action)
        if actor is None or not actor.is_authenticated:
            return self.none()
        scope = scope_for(actor)
        if scope.is_all or scope.role_codes & PAY_READER_ROLES:
            return self
        return self.filter(scope.q(owner="person", department="department"))


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    GOOD = "good", _("Good (良好)")
    PASS = "pass", _("Pass (合格)")
    FAIL = "fail", _("Fail (不合格)")


class Evaluation(models.Model):
    """One person's monthly evaluation (PRF-1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being scored")
        FINAL = "final", _("Final")

    Grade = Grade  # named Evaluation.Grade in the API schema

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="evaluations"
    )
    month = models.DateField(_("month"))  # the first day of the month
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role_code = models.CharField(_("role"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    fail_streak = models.PositiveSmallIntegerField(_("consecutive failing months"), default=0)
    review_flagged = models.BooleanField(_("flagged for review"), default=False)
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PeopleQuerySet.as_manager()
    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-month", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"],
                name="performance_evaluation_one_per_month",
                violation_error_message=_("This person already has an evaluation for the month."),
            ),
            models.CheckConstraint(
                condition=~Q(status="final") | (Q(score__isnull=False) & ~Q(grade="")),
                name="performance_evaluation_final_graded",
                violation_error_message=_("A final evaluation has a score and a grade."),
            ),
        ]
        indexes = [models.Index(fields=["month", "department"], name="performance_eval_month_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.month:%Y-%m}"


class EvaluationItem(models.Model):
    """One indicator of an evaluation: its weight for the role, the score 0–100 and where it came from."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed from records")
        SUPERIOR = "superior", _("Scored by the superior")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("indicator"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    weight = models.PositiveSmallIntegerField(_("weight"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    # The records behind a computed score: [{"model": "app.Model", "ids": [...]}, …].
    sources = models.JSONField(_("records"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation indicator")
        verbose_name_plural = _("evaluation indicators")
        ordering = ["evaluation_id", "-weight", "code"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "code"], name="performance_evalitem_unique"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="performance_evalitem_score_range",
                violation_error_message=_("A score is between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.code}"


class PayProfile(models.Model):
    """A person's pay basis (PRF-3): base pay and the performance pay at 100 %."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="pay_profile"
    )
    base_pay = models.DecimalField(_("base pay"), max_digits=12, decimal_places=2)
    performance_pay = models.DecimalField(_("performance pay (at 100 %)"), max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pay profile")
        verbose_name_plural = _("pay profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(base_pay__gte=0, performance_pay__gte=0),
                name="performance_payprofile_not_negative",
                violation_error_message=_("Pay cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.base_pay}"


class PayMonth(models.Model):
    """A payroll month; statements are issued only once HR closed it (PRF-3)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("pay month", "Open")
        CLOSED = "closed", pgettext_lazy("pay month", "Closed")

    month = models.DateField(_("month"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.PROTECT
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payroll month")
        verbose_name_plural = _("payroll months")
        ordering = ["-month"]
        permissions = [("close_paymonth", "Can close a payroll month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.get_status_display()}"


_SUM = models.F("base") + models.F("performance") + models.F("commission") - models.F("fines") + models.F("rewards")


class PayStatement(models.Model):
    """A person's monthly pay statement (工资单): base + performance + commission − fines + rewards."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed by the employee")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="pay_statements"
    )
    month = models.DateField(_("month"))
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    base = models.DecimalField(_("base pay"), max_digits=12, decimal_places=2)
    performance = models.DecimalField(_("performance pay"), max_digits=12, decimal_places=2)
    commission = models.DecimalField(_("commission"), max_digits=12, decimal_places=2)
    fines = models.DecimalField(_("fines"), max_digits=12, decimal_places=2)
    rewards = models.DecimalField(_("rewards"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PeopleQuerySet.as_manager()
    scope_owner_field = "person"
    scope_department_field = "department"

    class Meta:
        verbose_name = _("pay statement")
        verbose_name_plural = _("pay statements")
        ordering = ["-month", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"],
                name="performance_statement_one_per_month",
                violation_error_message=_("This person already has a statement for the month."),
            ),
            # rule: PRF-3 — the total adds up (within half a cent: SQLite keeps decimals as floats).
            models.CheckConstraint(
                condition=Q(total__gte=_SUM - Decimal("0.005"), total__lte=_SUM + Decimal("0.005")),
                name="performance_statement_total_adds_up",
                violation_error_message=_("The total must equal base + performance + commission − fines + rewards."),
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="performance_statement_confirmed_at",
                violation_error_message=_("A confirmed statement records when it was confirmed."),
            ),
        ]
        indexes = [models.Index(fields=["month", "department"], name="performance_stmt_month_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.month:%Y-%m} · {self.total}"


class PayLine(models.Model):
    """One line of a statement, traceable to its records (line → source rows)."""

    class Kind(models.TextChoices):
        BASE = "base", _("Base pay")
        PERFORMANCE = "performance", _("Performance pay")
        COMMISSION = "commission", _("Commission")
        FINE = "fine", _("Fine")
        REWARD = "reward", _("Reward")

    statement = models.ForeignKey(PayStatement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    provider = models.CharField(_("provider"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    # Signed as it counts toward the total: fines are negative.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    source_model = models.CharField(_("source"), max_length=60, blank=True)
    source_ids = models.JSONField(_("source records"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pay line")
        verbose_name_plural = _("pay lines")
        ordering = ["statement_id", "id"]

    def __str__(self) -> str:
        return f"{self.statement_id} · {self.kind} · {self.amount}"
