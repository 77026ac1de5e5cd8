"""Rules of archive borrowing (ARC-1): an archive not returned by its due date is reminded.

``ARC-1r`` (remind): every lent archive past its due date reminds the borrower and the custodian
once per day while it stays out (the breach key is the date, so repeated or concurrent sweeps
remind once). Set-based: one query over the ``(status, due_date)`` index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.policy.registry import Action, Finding, Rule, register

from .models import Borrowing


@register
class BorrowingOverdueReminder(Rule):
    id = "ARC-1r"
    title = _("Remind borrowers of archives past their due date")
    action = Action.REMIND
    subject_model = "archives.Borrowing"
    explanation = _("%(document)s borrowed by %(person)s was due back on %(due)s (%(days)s days overdue).")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = timezone.localdate(as_of)
        rows = (
            Borrowing.objects.filter(status=Borrowing.Status.LENT, due_date__lt=today)
            .values(
                "pk",
                "borrower_id",
                "borrower__display_name",
                "borrower__username",
                "due_date",
                "document__number",
                "document__title",
            )
            .order_by("pk")
        )
        for row in rows.iterator():
            yield Finding(
                subject_id=row["pk"],
                key=today.isoformat(),
                person_id=row["borrower_id"],
                facts={
                    "document": f"{row['document__number']} {row['document__title']}",
                    "person": row["borrower__display_name"] or row["borrower__username"],
                    "due": row["due_date"].isoformat(),
                    "days": (today - row["due_date"]).days,
                },
            )

    def apply(self, finding: Finding) -> bool:
        borrowing = (
            Borrowing.objects.filter(pk=finding.subject_id, status=Borrowing.Status.LENT)
            .select_related("document__custodian")
            .first()
        )
        if borrowing is None or finding.person_id is None:
            return False
        notify(User.objects.filter(pk=finding.person_id).first(), message=finding.explanation)
        custodian = borrowing.document.custodian
        if custodian.pk != finding.person_id:
            notify(custodian, message=finding.explanation)
        return True
