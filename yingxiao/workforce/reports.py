"""Work reports (工作报告, HR-7, HR-8): periods, deadlines, the daily-summary pre-fill, submitting to
the superior (ORG-4) and the superior's acknowledgement.

Deadlines (policy, HR-7) — read in ``deadlines``:
- daily plan: the working day itself at ``daily_plan_due``; daily summary: at ``daily_summary_due``.
  Daily reports are owed for working days of the business calendar (a 调休 Saturday included,
  a holiday not) and not on a day of approved leave;
- weekly: the week's ``weekly_report_weekday`` (Saturday) at ``weekly_report_due``; when the
  calendar marks that day a holiday, the next working day at the same time;
- monthly, quarterly, annual: ``period_report_workdays`` working days after the period ends, at
  the daily summary time (a Golden-Week month end is due when people are back at work).

"所有提交的书面工作, 均采用书面签字制, 时间签至几时几分, 提交人, 接受人同步签字确认" (seed 000, HR-8):
a submission and its acknowledgement are each stamped to the minute; only the superior it was
sent to acknowledges it. "不及时提交发现一次乐捐50元" (seed 000): a late report is a violation
(``rules.py``: reminded before the deadline, then recorded; the frontline author's superior pays
double through the DIS-1 ledger).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import CalendarDay
from yingxiao.org.models import User
from yingxiao.org.selectors import primary_department, superior_of
from yingxiao.policy.values import policy_values

from . import errors
from .common import at_local, later, month_bounds, require_perm, text
from .models import WorkReport

Kind = WorkReport.Kind
DAILY = (Kind.DAILY_PLAN, Kind.DAILY_SUMMARY)
DEADLINE_PARAMS = (
    "daily_plan_due",
    "daily_summary_due",
    "weekly_report_weekday",
    "weekly_report_due",
    "period_report_workdays",
)


# rule: HR-8 — timestamps to the minute.
def minute(moment: dt.datetime) -> dt.datetime:
    """rule: HR-8 — written submissions are signed to the minute (时间签至几时几分)."""
    return moment.replace(second=0, microsecond=0)


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period of a ``kind`` report that contains ``day`` (first and last day)."""
    if kind in DAILY:
        return day, day
    if kind == Kind.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if kind == Kind.MONTHLY:
        return month_bounds(day)
    if kind == Kind.QUARTERLY:
        first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return first, month_bounds(dt.date(first.year, first.month + 2, 1))[1]
    if kind == Kind.ANNUAL:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise BusinessError(errors.BAD_VALUE, field="kind", field_name="kind")


@dataclass
class Deadlines:
    """The deadline rules in force (policy values) with one calendar snapshot."""

    calendar: BusinessCalendar
    params: dict[str, Any]

    @classmethod
    def load(cls, at: dt.datetime | None = None) -> Deadlines:
        return cls(BusinessCalendar.load(), policy_values(DEADLINE_PARAMS, at=at))

    # rule: HR-7 — each kind's deadline from the policy and the business calendar.
    def due(self, kind: str, start: dt.date, end: dt.date) -> dt.datetime:
        p = self.params
        if kind == Kind.DAILY_PLAN:
            return at_local(start, p["daily_plan_due"])
        if kind == Kind.DAILY_SUMMARY:
            return at_local(start, p["daily_summary_due"])
        if kind == Kind.WEEKLY:
            day = start + dt.timedelta(days=int(p["weekly_report_weekday"]))
            if self.calendar.overrides.get(day) == CalendarDay.Kind.HOLIDAY:
                day = self.calendar.next_workday(day)
            return at_local(day, p["weekly_report_due"])
        return at_local(self.calendar.add_workdays(end, int(p["period_report_workdays"])), p["daily_summary_due"])

    def owed(self, kind: str, start: dt.date) -> bool:
        """Daily reports are owed on working days only; the others always."""
        return kind not in DAILY or self.calendar.is_workday(start)

    def periods_due_between(self, since: dt.datetime, until: dt.datetime) -> list[tuple[str, dt.date, dt.datetime]]:
        """(kind, period start, deadline) of every owed period whose deadline is in [since, until)."""
        found: list[tuple[str, dt.date, dt.datetime]] = []
        first, last = timezone.localdate(since), timezone.localdate(until)
        candidates: set[tuple[str, dt.date, dt.date]] = set()
        day = first - dt.timedelta(days=1)
        while day <= last:
            for kind in DAILY:
                candidates.add((kind, day, day))
            day += dt.timedelta(days=1)
        # Longer periods: those that ended up to ~four months before (their deadline may be days after the end).
        day = first - dt.timedelta(days=125)
        while day <= last:
            for kind in (Kind.WEEKLY, Kind.MONTHLY, Kind.QUARTERLY, Kind.ANNUAL):
                candidates.add((kind, *period_of(kind, day)))
            day += dt.timedelta(days=7)
        for kind, start, end in sorted(candidates):
            if not self.owed(kind, start):
                continue
            due = self.due(kind, start, end)
            if since <= due < until:
                found.append((kind, start, due))
        return found


def owing_people() -> QuerySet[User]:
    """rule: HR-7 — who files reports: active people holding a role with ``owe_workreport`` under a superior post."""
    return (
        User.objects.filter(
            is_active=True,
            assignments__ended_on__isnull=True,
            assignments__position__is_active=True,
            assignments__position__superior__isnull=False,
            assignments__position__role__permissions__codename="owe_workreport",
            assignments__position__role__permissions__content_type__app_label="workforce",
        )
        .exclude(status=User.Status.LEFT)
        .distinct()
    )


# --- the daily summary pre-fill ---------------------------------------------------------------
@dataclass
class DailyDigest:
    """What ``person`` did on ``day``, from their own records: the start of the daily summary."""

    person: User
    day: dt.date
    activities: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)

    @property
    def connected_calls(self) -> int:
        return sum(1 for c in self.calls if c["connected"])

    def as_text(self) -> str:
        """The pre-filled summary text (in the active language)."""
        lines: list[str] = []
        if self.activities:
            lines.append(gettext("Customer contacts (%(count)s):") % {"count": len(self.activities)})
            lines += [f"- {a['time']} {a['kind']} · {a['customer']} · {a['subject']}" for a in self.activities]
        if self.calls:
            lines.append(
                gettext("Calls: %(count)s, %(connected)s connected.")
                % {"count": len(self.calls), "connected": self.connected_calls}
            )
        if self.quotes:
            lines.append(gettext("Quotes (%(count)s):") % {"count": len(self.quotes)})
            lines += [f"- {q['number']} · {q['customer']} · {q['total']} ({q['status']})" for q in self.quotes]
        if self.orders:
            lines.append(gettext("Orders (%(count)s):") % {"count": len(self.orders)})
            lines += [f"- {o['label']}" for o in self.orders]
        if not lines:
            lines.append(gettext("No activities, calls or quotes were recorded today."))
        lines += ["", gettext("Problems and help needed:"), "", gettext("Plan for tomorrow:"), ""]
        return "\n".join(lines)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return at_local(day, dt.time.min), at_local(day + dt.timedelta(days=1), dt.time.min)


def daily_summary_prefill(person: User, day: dt.date) -> DailyDigest:
    """rule: HR-7 — the person's own activities, calls, quotes (and orders) of ``day``, for the summary."""
    start, end = _day_bounds(day)
    digest = DailyDigest(person=person, day=day)
    if apps.is_installed("yingxiao.activities"):
        from yingxiao.activities.models import Activity

        for a in (
            Activity.objects.filter(staff=person, occurred_at__gte=start, occurred_at__lt=end)
            .select_related("customer")
            .order_by("occurred_at", "pk")
        ):
            digest.activities.append(
                {
                    "time": f"{timezone.localtime(a.occurred_at):%H:%M}",
                    "kind": a.get_kind_display(),
                    "customer": str(a.customer),
                    "subject": a.subject,
                }
            )
    if apps.is_installed("yingxiao.telesales"):
        from yingxiao.telesales.models import CallLog

        for c in CallLog.objects.filter(agent=person, started_at__gte=start, started_at__lt=end).order_by(
            "started_at", "pk"
        ):
            digest.calls.append(
                {"time": f"{timezone.localtime(c.started_at):%H:%M}", "outcome": c.outcome, "connected": c.connected}
            )
    if apps.is_installed("yingxiao.sales"):
        from yingxiao.sales.models import Quote

        quotes = (
            Quote.objects.filter(owner=person)
            .filter(
                Q(created_at__gte=start, created_at__lt=end)
                | Q(revisions__sent_at__gte=start, revisions__sent_at__lt=end)
            )
            .select_related("customer")
            .distinct()
            .order_by("created_at", "pk")
        )
        for q in quotes:
            digest.quotes.append(
                {
                    "number": q.number,
                    "customer": str(q.customer),
                    "total": Decimal(q.total),
                    "status": q.get_status_display(),
                }
            )
        digest.orders = _orders(person, start, end)
    return digest


def _orders(person: User, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Orders of the day when the sales app has them (an ``Order`` with ``owner`` and ``created_at``)."""
    try:
        order_model = apps.get_model("sales", "Order")
    except LookupError:
        return []
    names = {f.name for f in order_model._meta.get_fields()}
    if not {"owner", "created_at"} <= names:
        return []
    rows = order_model._default_manager.filter(owner=person, created_at__gte=start, created_at__lt=end).order_by("pk")
    return [{"label": str(order)} for order in rows[:200]]


# --- actions ------------------------------------------------------------------------------------
def _link(report: WorkReport) -> str:
    return reverse("workforce:report", args=[report.pk])


def report_submit(*, actor: User, kind: str, day: dt.date, content: str) -> WorkReport:
    """rule: HR-7, HR-8 — submit the ``kind`` report of the period containing ``day`` to the superior (ORG-4)."""
    require_perm(actor, "workforce.add_workreport")
    if kind not in Kind.values:
        raise BusinessError(errors.BAD_VALUE, field="kind", field_name="kind")
    content = text(content, "content", limit=20000)
    start, end = period_of(kind, day)
    deadlines = Deadlines.load()
    now = minute(timezone.now())
    today = timezone.localdate(now)
    if kind in DAILY and not deadlines.calendar.is_workday(start):
        raise BusinessError(errors.NOT_A_WORKDAY, field="day")
    # A plan may be written ahead for the next working day; a summary only once its period has begun.
    latest = deadlines.calendar.next_workday(today) if kind == Kind.DAILY_PLAN else today
    if start > latest:
        raise BusinessError(errors.FUTURE_PERIOD, field="day")
    recipient = superior_of(actor)
    if recipient is None:
        raise BusinessError(errors.NO_SUPERIOR)
    due = deadlines.due(kind, start, end)
    try:
        with transaction.atomic():
            report = WorkReport.objects.create(
                person=actor,
                department=primary_department(actor),
                kind=kind,
                period_start=start,
                period_end=end,
                content=content,
                due_at=due,
                submitted_at=now,
                is_late=now > due,
                recipient=recipient,
            )
    except IntegrityError as exc:
        raise BusinessError(errors.ALREADY_SUBMITTED, field="kind") from exc
    later(
        recipient,
        format_lazy(
            _("{person} submitted the {kind} of {period}."), person=actor, kind=report.get_kind_display(), period=start
        ),
        _link(report),
        actor,
    )
    return report


# rule: HR-8 — only the receiver acknowledges (both sign).
def report_acknowledge(*, actor: User, report: WorkReport, comment: str = "") -> WorkReport:
    """rule: HR-8 — the superior it was sent to acknowledges (signs) the report, to the minute."""
    require_perm(actor, "workforce.view_workreport")
    if report.recipient_id != actor.pk:
        raise BusinessError(errors.NOT_RECIPIENT)
    comment = text(comment, "comment", required=False)
    now = minute(timezone.now())
    with transaction.atomic():
        changed = WorkReport.objects.filter(pk=report.pk, status=WorkReport.Status.SUBMITTED).update(
            status=WorkReport.Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, comment=comment
        )
        if not changed:
            raise BusinessError(errors.ALREADY_ACKNOWLEDGED)
    report.refresh_from_db()
    later(
        report.person,
        format_lazy(_("{person} acknowledged your {kind}."), person=actor, kind=report.get_kind_display()),
        _link(report),
        actor,
    )
    return report


def reports_between(actor: User, start: dt.date, end: dt.date, *, inbox: bool = False) -> QuerySet[WorkReport]:
    """Reports in scope whose period starts between two dates; a reversed range is refused."""
    if end < start:
        raise BusinessError(errors.BAD_DATES, field="end")
    reports = WorkReport.objects.restrict(actor, "view").filter(period_start__gte=start, period_start__lte=end)  # type: ignore[attr-defined]
    if inbox:
        reports = reports.exclude(person=actor)
    return reports
