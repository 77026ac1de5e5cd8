"""Rules of targets (PLN-3) and gifts (PLN-5).

- ``PLN-3r`` (remind): a target of a published plan whose period has ended, behind plan by more
  than ``plan_behind_threshold`` %, gets a required corrective action due ``corrective_action_days``
  after the period, and its owner (the person, or the department head) is reminded — once per
  target (the corrective action is unique per target).
- ``PLN-3`` (violate): a required corrective action still missing after its due date is a violation
  of the owner, ``corrective_action_fine``; the breach key makes it once only.
- ``PLN-5`` (violate): an approved gift not delivered and signed for by ``deliver_by`` is a violation of
  the requester at ``gift_fine_multiple`` × its value; recorded once (breach key + flag).

Periods that ended more than ``LOOKBACK_DAYS`` ago are not re-examined, so sweeps stay bounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.policy.registry import Action, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .actuals import has_provider
from .models import CorrectiveAction, GiftRequest, Target, TargetPlan, period_bounds

LOOKBACK_DAYS = 92


def _ended_targets(today: dt.date) -> Iterable[Target]:
    """Targets of published plans whose period ended in the look-back window, without a corrective action."""
    oldest = today - dt.timedelta(days=LOOKBACK_DAYS)
    years = range(oldest.year, today.year + 1)
    metrics = [m for m in TargetPlan.objects.values_list("metric", flat=True).distinct() if has_provider(m)]
    qs = (
        Target.objects.filter(
            plan__status=TargetPlan.Status.PUBLISHED,
            plan__year__in=list(years),
            plan__metric__in=metrics,
            corrective_action__isnull=True,
            amount__gt=0,
        )
        .select_related("plan", "department", "person")
        .order_by("pk")
    )
    for target in qs.iterator(chunk_size=500):
        last = period_bounds(target.plan.year, target.period_kind, target.period_index)[1]
        if oldest <= last < today:
            yield target


@register
class CorrectiveActionRequired(Rule):  # rule: PLN-3
    """rule: PLN-3 — behind plan by more than the threshold: a corrective action is required."""

    id = "PLN-3r"
    title = _("Require a corrective action for a target behind plan")
    params = ("plan_behind_threshold", "corrective_action_days")
    action = Action.REMIND
    subject_model = "planning.Target"
    explanation = _(
        "%(unit)s %(period)s: %(actual)s of the %(planned)s target (%(metric)s) — more than %(threshold)s%% "
        "behind. Submit a corrective action by %(due)s."
    )

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        from .targets import is_behind, responsible_for, target_actual

        today = timezone.localdate(as_of)
        threshold = Decimal(str(policy_value("plan_behind_threshold", at=as_of)))
        days = int(policy_value("corrective_action_days", at=as_of))
        for target in _ended_targets(today):
            actual = target_actual(target).value
            if not is_behind(target.amount, actual, threshold):
                continue
            owner = responsible_for(target)
            due = target.bounds()[1] + dt.timedelta(days=days)
            yield Finding(
                subject_id=target.pk,
                person_id=owner.pk if owner else None,
                facts={
                    "unit": target.unit_label,
                    "period": target.period_label,
                    "metric": str(target.plan.get_metric_display()),
                    "planned": str(target.amount),
                    "actual": str(actual),
                    "threshold": str(threshold),
                    "due": due.isoformat(),
                },
            )

    def apply(self, finding: Finding) -> bool:
        from .targets import corrective_action_require

        target = Target.objects.select_related("plan", "department", "person").filter(pk=finding.subject_id).first()
        if target is None:
            return False
        created = corrective_action_require(target, Decimal(finding.facts["actual"]), finding.as_of or timezone.now())
        if created is None:
            return False
        if created.owner is not None:
            notify(created.owner, message=finding.explanation)
        return True


@register
class CorrectiveActionMissing(Rule):  # rule: PLN-3
    """rule: PLN-3 — no corrective action by the deadline is a violation of the person responsible."""

    id = "PLN-3"
    title = _("Record a violation when a corrective action is overdue")
    params = ("corrective_action_fine",)
    action = Action.VIOLATE
    subject_model = "planning.CorrectiveAction"
    explanation = _("%(unit)s %(period)s is behind plan and no corrective action was submitted by %(due)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = timezone.localdate(as_of)
        overdue = (
            CorrectiveAction.objects.filter(
                status=CorrectiveAction.Status.REQUIRED, due_date__lt=today, owner__isnull=False
            )
            .select_related("target__plan", "target__department", "target__person")
            .order_by("pk")
        )
        for action in overdue.iterator(chunk_size=500):
            yield Finding(
                subject_id=action.pk,
                person_id=action.owner_id,
                facts={
                    "unit": action.target.unit_label,
                    "period": action.target.period_label,
                    "due": action.due_date.isoformat(),
                },
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.performance.services import violation_record

        action = CorrectiveAction.objects.filter(pk=finding.subject_id, status=CorrectiveAction.Status.REQUIRED).first()
        person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
        if action is None or person is None:
            return False
        violation_record(
            actor_or_system=None,
            person=person,
            rule_id=self.id,
            evidence=finding.explanation,
            amount=policy_value("corrective_action_fine", at=finding.as_of),
            subject=action,
            breach_key=f"{self.id}:corrective:{action.pk}",
        )
        return True


@register
class GiftNotDelivered(Rule):  # rule: PLN-5
    """rule: PLN-5 — a gift not delivered and signed for in time: a fine of ``gift_fine_multiple`` × its value."""

    id = "PLN-5"
    title = _("Record a violation for a gift not delivered in time")
    params = ("gift_fine_multiple", "gift_delivery_days")
    action = Action.VIOLATE
    subject_model = "planning.GiftRequest"
    explanation = _("The gift %(gift)s for %(customer)s (value %(value)s) was not signed for by %(deliver_by)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = timezone.localdate(as_of)
        rows = (
            GiftRequest.objects.filter(
                status=GiftRequest.Status.APPROVED, deliver_by__lt=today, violation_recorded=False
            )
            .values("pk", "requester_id", "gift", "customer__name", "value", "deliver_by")
            .order_by("pk")
        )
        for row in rows.iterator(chunk_size=500):
            yield Finding(
                subject_id=row["pk"],
                person_id=row["requester_id"],
                facts={
                    "gift": row["gift"],
                    "customer": row["customer__name"],
                    "value": str(row["value"]),
                    "deliver_by": row["deliver_by"].isoformat(),
                },
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.performance.services import violation_record

        # Compare-and-set: only the sweep that flips the flag records the violation.
        changed = GiftRequest.objects.filter(
            pk=finding.subject_id, status=GiftRequest.Status.APPROVED, violation_recorded=False
        ).update(violation_recorded=True)
        if not changed:
            return False
        gift = GiftRequest.objects.select_related("requester").get(pk=finding.subject_id)
        multiple = Decimal(str(policy_value("gift_fine_multiple", at=finding.as_of)))
        violation_record(
            actor_or_system=None,
            person=gift.requester,
            rule_id=self.id,
            evidence=finding.explanation,
            amount=gift.value * multiple,
            subject=gift,
            breach_key=f"{self.id}:gift:{gift.pk}",
        )
        return True
