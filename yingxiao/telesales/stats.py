"""Agent statistics (TEL-4): per agent and day/week/month, read from the daily summary.

``agent_statistics`` sums the ``AgentDay`` rows of the period (a few thousand rows for a month,
whatever the number of calls; kept in step by call logging and corrections, see ``summary``).
``agent_statistics_from_calls`` is the same figures aggregated from the calls themselves — the
reference the summary is tested against. Calls, talk time, connect rate (connected / calls),
intent conversion (calls with an intent, an appointment or a deal / connected calls), deals, and
data accuracy (1 − corrected calls / calls, a corrected call being one with an approved change
request, TEL-3). Figures are as logged; corrections affect the accuracy only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import Sheet, xlsx_bytes
from yingxiao.org.models import User

from . import errors
from .models import AgentDay, CallCorrection, CallLog

if TYPE_CHECKING:
    from django.db.models import QuerySet

PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
_PCT = Decimal("0.1")


@dataclass(frozen=True)
class AgentPeriod:
    """One agent in one period."""

    agent_id: int
    agent_name: str
    period: dt.date
    calls: int
    talk_seconds: int
    connected: int
    intents: int
    deals: int
    corrected: int

    @staticmethod
    def _pct(part: int, whole: int) -> Decimal | None:
        if not whole:
            return None
        return (Decimal(100) * part / whole).quantize(_PCT, ROUND_HALF_UP)

    @property
    def connect_rate(self) -> Decimal | None:
        return self._pct(self.connected, self.calls)

    @property
    def intent_conversion(self) -> Decimal | None:
        return self._pct(self.intents, self.connected)

    @property
    def accuracy(self) -> Decimal | None:
        return self._pct(self.calls - self.corrected, self.calls)

    @property
    def talk_minutes(self) -> Decimal:
        return (Decimal(self.talk_seconds) / 60).quantize(_PCT, ROUND_HALF_UP)


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the current (business) time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def agent_statistics(
    *, actor: User, period: str = "day", start: dt.date | None = None, end: dt.date | None = None
) -> list[AgentPeriod]:
    """rule: TEL-4 — per agent and day/week/month, over the calls the actor may see (the day summary)."""
    trunc = PERIODS.get(period)
    if trunc is None:
        raise BusinessError(errors.BAD_PERIOD)
    days = AgentDay.objects.restrict(actor, "view")
    if start is not None:
        days = days.filter(day__gte=start)
    if end is not None:
        days = days.filter(day__lte=end)
    bucket = F("day") if period == "day" else trunc("day")
    grouped = (
        days.values("agent_id", bucket=bucket)
        .annotate(
            calls=Sum("calls"),
            talk=Sum("talk_seconds"),
            connects=Sum("connected"),
            intents=Sum("intents"),
            deals=Sum("deals"),
            corrected=Sum("corrected"),
        )
        .order_by("bucket", "agent_id")
    )
    return _periods(list(grouped))  # type: ignore[arg-type]


def agent_statistics_from_calls(
    *, actor: User, period: str = "day", start: dt.date | None = None, end: dt.date | None = None
) -> list[AgentPeriod]:
    """rule: TEL-4 — the same figures aggregated from the calls (the reference for the summary)."""
    trunc = PERIODS.get(period)
    if trunc is None:
        raise BusinessError(errors.BAD_PERIOD)
    calls: QuerySet[CallLog] = CallLog.objects.restrict(actor, "view")
    # Local-day bounds as a half-open datetime range: ``started_at__date`` would wrap the column in a
    # time-zone conversion and hide it from every index (a month of 10M calls read row by row).
    if start is not None:
        calls = calls.filter(started_at__gte=_day_start(start))
    if end is not None:
        calls = calls.filter(started_at__lt=_day_start(end + dt.timedelta(days=1)))
    # One aggregate over the calls (``telesales_call_stats_idx`` covers it: an index-only scan of the
    # range), and the corrected calls counted apart from the few approved corrections — a per-row
    # EXISTS would probe the corrections once for each of a month's million calls.
    grouped = (
        calls.annotate(bucket=trunc("started_at"))
        .values("agent_id", "bucket")
        .annotate(
            calls=Count("pk"),
            talk=Sum("duration_seconds"),
            connects=Count("pk", filter=~Q(outcome__in=CallLog.NOT_CONNECTED)),
            intents=Count("pk", filter=Q(outcome__in=CallLog.INTENT)),
            deals=Count("pk", filter=Q(outcome=CallLog.Outcome.DEAL)),
        )
        .order_by("bucket", "agent_id")
    )
    approved = CallCorrection.objects.filter(status=CallCorrection.Status.APPROVED).values("call_id")
    corrected_counts = {
        (r["agent_id"], r["bucket"]): r["corrected"]
        for r in calls.filter(pk__in=approved)
        .annotate(bucket=trunc("started_at"))
        .values("agent_id", "bucket")
        .annotate(corrected=Count("pk"))
        .order_by()
    }
    rows: list[dict[str, Any]] = list(grouped)  # type: ignore[arg-type]
    for r in rows:
        r["corrected"] = corrected_counts.get((r["agent_id"], r["bucket"]), 0)
    return _periods(rows)


def _periods(rows: list[dict[str, Any]]) -> list[AgentPeriod]:
    names = dict(User.objects.filter(pk__in={r["agent_id"] for r in rows}).values_list("pk", "display_name"))
    return [
        AgentPeriod(
            agent_id=r["agent_id"],
            agent_name=names.get(r["agent_id"]) or str(r["agent_id"]),
            period=r["bucket"].date() if isinstance(r["bucket"], dt.datetime) else r["bucket"],
            calls=r["calls"],
            talk_seconds=r["talk"] or 0,
            connected=r["connects"],
            intents=r["intents"],
            deals=r["deals"],
            corrected=r["corrected"] or 0,
        )
        for r in rows
    ]


def statistics_sheet(rows: Iterable[AgentPeriod]) -> Sheet:
    """rule: TEL-4 — the statistics as an export sheet (core/exports.py escapes the cells; ARC-2)."""
    header = [
        _("Period"), _("Agent"), _("Calls"), _("Talk time (minutes)"), _("Connect rate %"),
        _("Intent conversion %"), _("Deals"), _("Data accuracy %"),
    ]  # fmt: skip
    lines: list[list[Any]] = []
    for row in rows:
        lines.append([
            row.period.isoformat(), row.agent_name, row.calls, row.talk_minutes, row.connect_rate,
            row.intent_conversion, row.deals, row.accuracy,
        ])  # fmt: skip
    return Sheet(_("Agent statistics"), lines, header=header)


def statistics_workbook(rows: Iterable[AgentPeriod]) -> bytes:
    """rule: TEL-4 — the statistics as an Excel workbook; no cell is read as a formula."""
    return xlsx_bytes([statistics_sheet(rows)])
