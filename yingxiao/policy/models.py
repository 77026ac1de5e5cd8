"""Policy configuration (制度参数) and the rule engine's record of what it found and did."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingxiao.core.querysets import RestrictedManager

from .kinds import Kind


class PolicyParameter(models.Model):
    """The definition of one ``{param=default}`` of the catalog, synchronised from ``catalog.py``."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    rule_id = models.CharField(_("rule"), max_length=10, db_index=True)
    section = models.CharField(_("section"), max_length=5)
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300)
    default = models.JSONField(_("default"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("policy parameter")
        verbose_name_plural = _("policy parameters")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.name}"

    @property
    def description(self) -> str:
        """The description in the active language (translated from the English catalog text)."""
        return gettext(self.description_en)


class PolicyValue(models.Model):
    """One version of a parameter's value, in force from ``effective_from`` until the next version.

    Rows are never updated or deleted: a change adds a row (who, when, why, previous value).
    """

    parameter = models.ForeignKey(
        PolicyParameter, verbose_name=_("parameter"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.JSONField(_("value"))
    previous_value = models.JSONField(_("previous value"), null=True, blank=True)
    effective_from = models.DateTimeField(_("effective from"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("policy value")
        verbose_name_plural = _("policy values")
        ordering = ["parameter", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameter", "effective_from"],
                name="policy_value_one_per_instant",
                violation_error_message=_("Another change of this parameter takes effect at the same time."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.parameter.name}={self.value} @ {self.effective_from:%Y-%m-%d %H:%M}"


class RuleRun(models.Model):
    """One sweep of one rule for an as-of time, in apply or dry-run mode, with its counts."""

    class Mode(models.TextChoices):
        APPLY = "apply", _("apply")
        DRY_RUN = "dry_run", _("dry run")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    rule_id = models.CharField(_("rule"), max_length=10, db_index=True)
    as_of = models.DateTimeField(_("as of"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    params = models.JSONField(_("policy values used"), default=dict)
    found = models.PositiveIntegerField(_("breaches found"), default=0)
    recorded = models.PositiveIntegerField(_("newly recorded"), default=0)
    applied = models.PositiveIntegerField(_("actions applied"), default=0)
    skipped = models.PositiveIntegerField(_("actions skipped"), default=0)
    error = models.TextField(_("error"), blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.mode} @ {self.as_of:%Y-%m-%d %H:%M}"


class RuleResult(models.Model):
    """One breach found by a rule: its subject, inputs, action and outcome, recorded exactly once.

    ``breach_key`` identifies the breach within its rule (subject plus period or occurrence);
    the unique constraint makes repeated, concurrent or resumed sweeps record it only once.
    """

    class Action(models.TextChoices):
        REMIND = "remind", _("remind")
        VIOLATE = "violate", _("record a violation")
        RELEASE = "release", _("release")
        ESCALATE = "escalate", _("escalate")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        APPLIED = "applied", _("applied")
        SKIPPED = "skipped", _("skipped (no longer applies)")
        FAILED = "failed", _("failed")

    run = models.ForeignKey(RuleRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="results")
    rule_id = models.CharField(_("rule"), max_length=10)
    breach_key = models.CharField(_("breach key"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Searched with ``subject_id`` by ``policy_result_subject_idx``; no index of its own.
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subject_id = models.BigIntegerField(_("subject id"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_of = models.DateTimeField(_("as of"))
    inputs = models.JSONField(_("inputs"), default=dict)
    explanation = models.TextField(_("explanation"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedManager()
    scope_owner_field = "person"

    class Meta:
        verbose_name = _("rule result")
        verbose_name_plural = _("rule results")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id", "breach_key"],
                name="policy_result_one_per_breach",
                violation_error_message=_("This breach has already been recorded."),
            )
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="policy_result_subject_idx"),
            models.Index(
                fields=["rule_id", "id"],
                condition=models.Q(outcome="pending"),
                name="policy_result_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.breach_key} {self.outcome}"
