"""Rankings (PRF-4): every ``ranking_months`` months the bottom of the conversion and contact-capture
rankings is flagged for retraining — a training need in the training app.

One finding per flagged person and period (key: the period, e.g. ``2026-01..2026-02``); ``apply``
raises the training need with that key, so repeated or concurrent sweeps raise it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.policy.registry import Action, Finding, Rule, register

from .rankings import last_completed_period, ranking


@register
class RankingRetraining(Rule):
    id = "PRF-4"
    title = _("Flag the bottom of the conversion and contact-capture rankings for retraining")
    params = ("ranking_months", "ranking_bottom_percent")
    action = Action.ESCALATE
    subject_model = "org.User"
    explanation = _(
        "%(person)s is at the bottom of the %(period)s ranking (conversion %(conversion)s%%, "
        "contact capture %(capture)s%%): retraining needed."
    )

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        from yingxiao.policy.values import policy_value

        months = int(policy_value("ranking_months", at=as_of))
        period = last_completed_period(timezone.localdate(as_of), months)
        for row in ranking(period, at=as_of).flagged:
            yield Finding(
                subject_id=row.person_id,
                key=period.key,
                person_id=row.person_id,
                facts={
                    "person": row.name,
                    "period": period.key,
                    "conversion": str(row.conversion),
                    "capture": str(row.capture),
                },
            )

    def apply(self, finding: Finding) -> bool:
        if not apps.is_installed("yingxiao.training"):
            return False
        from yingxiao.core.notifications import notify
        from yingxiao.org.models import User
        from yingxiao.org.selectors import superior_of
        from yingxiao.training.services import training_need_raise

        _need, created = training_need_raise(
            person_id=finding.subject_id,
            reason=finding.explanation,
            rule_id=self.id,
            key=f"{self.id}:{finding.key}:{finding.subject_id}",
        )
        if created:
            person = User.objects.get(pk=finding.subject_id)
            notify(person, message=finding.explanation)
            notify(superior_of(person), message=finding.explanation)
        return created
