"""Policy rules of sales, run by the policy engine (house style 3).

- QUO-1 (violation): a non-standard quote request not answered by its due time
  (``{nonstandard_quote_hours}`` working hours after the request) — or answered after it — is a
  violation of the assigned quoting engineer, fined ``{nonstandard_quote_fine}``; once per request
  (breach key ``QUO-1:request:<id>``).
- QUO-1r (reminder): ``{nonstandard_quote_lead_hours}`` working hours before the due time, the
  engineer is reminded; once per request and due time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.policy.registry import Action, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .models import QuoteRequest

# A reminder lead is a few working hours: the due time is at most this far ahead in clock time
# (a long holiday between), so the candidates are one indexed range scan.
_REMINDER_HORIZON = dt.timedelta(days=12)


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _facts(row: dict) -> dict[str, object]:
    return {
        "customer": row["customer__name"],
        "product": row["product__name"],
        "requested": _when(row["requested_at"]),
        "due": _when(row["due_at"]),
        "answered": _when(row["answered_at"]),
    }


_FIELDS = ("pk", "assignee_id", "customer__name", "product__name", "requested_at", "due_at", "answered_at")


@register
class NonstandardQuoteLate(Rule):
    """rule: QUO-1 — a non-standard quote prepared late (or not yet) is the quoting engineer's violation."""

    id = "QUO-1"
    title = _("Non-standard quotes prepared within the working-hour deadline")
    params = ("nonstandard_quote_hours", "nonstandard_quote_fine")
    action = Action.VIOLATE
    subject_model = "sales.QuoteRequest"
    explanation = _(
        "Non-standard quote for %(customer)s (%(product)s): requested %(requested)s, due %(due)s, "
        "answered %(answered)s."
    )

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        late = QuoteRequest.objects.filter(due_at__lt=as_of).filter(
            Q(status=QuoteRequest.Status.OPEN) | Q(answered_at__gt=F("due_at"))
        )
        for row in late.values(*_FIELDS).order_by("pk").iterator(chunk_size=2000):
            yield Finding(subject_id=row["pk"], key="late", person_id=row["assignee_id"], facts=_facts(row))

    def apply(self, finding: Finding) -> bool:
        """One violation per request (breach key), against the engineer still assigned; compare: still late."""
        from yingxiao.performance.services import violation_record

        request = QuoteRequest.objects.select_related("assignee").filter(pk=finding.subject_id).first()
        if request is None or request.assignee_id != finding.person_id:
            return False
        still_late = request.due_at < (finding.as_of or timezone.now()) and (
            request.is_open or (request.answered_at is not None and request.answered_at > request.due_at)
        )
        if not still_late:
            return False
        violation_record(
            actor_or_system=None,
            person=request.assignee,
            rule_id=self.id,
            evidence=finding.explanation,
            amount=Decimal(str(policy_value("nonstandard_quote_fine", at=finding.as_of))),
            subject=request,
            breach_key=f"QUO-1:request:{request.pk}",
        )
        return True


@register
class NonstandardQuoteDueSoon(Rule):
    """rule: QUO-1 — remind the quoting engineer a few working hours before a non-standard quote is due."""

    id = "QUO-1r"
    title = _("Non-standard quote due soon")
    params = ("nonstandard_quote_lead_hours",)
    action = Action.REMIND
    subject_model = "sales.QuoteRequest"
    explanation = _("The non-standard quote for %(customer)s (%(product)s) is due at %(due)s.")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        lead = int(policy_value("nonstandard_quote_lead_hours", at=as_of))
        if lead <= 0:
            return
        calendar = BusinessCalendar.load()
        rows = QuoteRequest.objects.filter(
            status=QuoteRequest.Status.OPEN, due_at__gt=as_of, due_at__lte=as_of + _REMINDER_HORIZON
        )
        for row in rows.values(*_FIELDS).order_by("due_at", "pk").iterator(chunk_size=2000):
            if calendar.working_hours_between(as_of, row["due_at"]) > lead:
                continue
            yield Finding(
                subject_id=row["pk"],
                key=row["due_at"].isoformat(),
                person_id=row["assignee_id"],
                facts=_facts(row),
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.core.notifications import notify
        from yingxiao.org.models import User

        open_request = QuoteRequest.objects.filter(
            pk=finding.subject_id, status=QuoteRequest.Status.OPEN, assignee_id=finding.person_id
        ).exists()
        person = User.objects.filter(pk=finding.person_id).first() if open_request else None
        return notify(person, message=finding.explanation, link=reverse("sales:request_queue")) is not None
