"""The weekly summary: KPI figures of last week for each head and the director, e-mailed on Monday.

Recipients are the active holders of a director's or department head's post (the standard role
codes below) who have an e-mail address; each gets the figures of *their own* scope — the
summary is computed as them, through the same scoped KPIs as the dashboard. A delivery is
recorded per recipient and week (unique), so a re-run of the scheduled task sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yingxiao.org.models import Assignment, User

from . import kpis
from .models import SummaryDelivery
from .periods import Period, week_of

if TYPE_CHECKING:
    from yingxiao.org.models import Department

# Who receives the weekly summary: the director (and GM) and every department head.
SUMMARY_ROLES = ("sales_director", "general_manager", "department_head")


def last_week(today: dt.date | None = None) -> Period:
    """The ISO week before the one containing ``today``."""
    today = today or timezone.localdate()
    return week_of(today - dt.timedelta(days=7))


def summary_recipients() -> list[User]:
    """Active holders of a director's or head's post, with an e-mail address, in id order."""
    ids = (
        Assignment.objects.filter(
            ended_on__isnull=True, position__is_active=True, position__role__code__in=SUMMARY_ROLES
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk"))


def summary_context(viewer: User, period: Period, department: Department | None = None) -> dict[str, Any]:
    """What the PDF and the e-mail show: each KPI's figure and, for the breakdowns, their segments."""
    return {
        "viewer": viewer,
        "period": period,
        "department": department,
        "figures": kpis.figures(viewer, period, department),
        "generated_at": timezone.localtime(),
    }


def send_weekly_summary(recipient: User, period: Period) -> bool:
    """E-mail ``recipient`` the summary of ``period`` (with the PDF attached) once; False if already sent."""
    from .pdf import render_report_pdf

    if SummaryDelivery.objects.filter(
        kind=SummaryDelivery.Kind.WEEKLY, recipient=recipient, period_start=period.start
    ).exists():
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = summary_context(recipient, period)
        subject = _("Weekly summary %(period)s") % {"period": period.label}
        body = render_to_string("reports/weekly_email.txt", context)
    attachment = render_report_pdf(recipient, "week", period, None)
    try:
        with transaction.atomic():
            SummaryDelivery.objects.create(
                kind=SummaryDelivery.Kind.WEEKLY,
                recipient=recipient,
                period_start=period.start,
                period_end=period.last_day,
                email=recipient.email,
            )
            message = EmailMessage(subject, body, None, [recipient.email])
            message.attach(f"yingxiao-week-{period.label}.pdf", attachment, "application/pdf")
            message.send()  # a failure rolls the delivery record back: the next run tries again
    except IntegrityError:
        return False  # another run sent it meanwhile
    return True


def send_weekly_summaries(today: dt.date | None = None) -> int:
    """Send last week's summary to every head and the director; returns how many were sent."""
    period = last_week(today)
    return sum(1 for recipient in summary_recipients() if send_weekly_summary(recipient, period))
