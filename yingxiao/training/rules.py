"""Probation (ORG-6): at the end of probation the new hire passes on enough closed sales, else is flagged.

One finding per onboarding whose probation has ended (key: the end date); ``apply`` is a
compare-and-set on the status (``in_probation`` → ``passed`` / ``flagged``), so a repeated or
concurrent sweep changes nothing twice. A flagged new hire is reported to HR, the mentor and
the superior.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.org.selectors import superior_of
from yingxiao.policy.registry import Action, Finding, Rule, register

from .models import Onboarding
from .probation import closed_sales


@register
class ProbationEnd(Rule):
    id = "ORG-6"
    title = _("Conclude probation: pass on enough closed sales, otherwise flag")
    params = ("probation_months", "probation_sales")
    action = Action.ESCALATE
    subject_model = "training.Onboarding"
    explanation = _("%(person)s: probation ended on %(ends_on)s with %(sales)s closed sales of %(required)s required.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        # rule: ORG-6 — probation ends on ends_on; the sweep concludes it from the next day.
        today = timezone.localdate(as_of)
        rows = (
            Onboarding.objects.filter(status=Onboarding.Status.IN_PROBATION, ends_on__lt=today)
            .select_related("person")
            .order_by("pk")
        )
        for row in rows.iterator():
            sales = closed_sales(row.person_id, row.started_on, row.ends_on)
            yield Finding(
                subject_id=row.pk,
                key=row.ends_on.isoformat(),
                person_id=row.person_id,
                facts={
                    "person": str(row.person),
                    "ends_on": row.ends_on.isoformat(),
                    "sales": sales,
                    "required": row.required_sales,
                },
            )

    def apply(self, finding: Finding) -> bool:
        sales = int(finding.facts["sales"])
        row = Onboarding.objects.filter(pk=finding.subject_id).select_related("person", "mentor").first()
        if row is None:
            return False
        passed = sales >= row.required_sales
        status = Onboarding.Status.PASSED if passed else Onboarding.Status.FLAGGED
        updated = Onboarding.objects.filter(pk=row.pk, status=Onboarding.Status.IN_PROBATION).update(
            status=status, closed_sales=sales, concluded_at=timezone.now()
        )
        if updated != 1:
            return False
        if not passed:
            from yingxiao.performance.services import _hr_people

            recipients = {u.pk: u for u in (*_hr_people(), row.mentor, superior_of(row.person)) if u is not None}
            for user in recipients.values():
                notify(user, message=finding.explanation)
        else:
            notify(User.objects.filter(pk=row.person_id).first(), message=finding.explanation)
        return True
