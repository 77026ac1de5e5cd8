"""The per-agent daily call summary (``AgentDay``) behind the TEL-4 statistics.

A month of agent statistics over millions of calls is a read of a few thousand day rows instead of
an aggregation of every call. The rows are kept in step inside the writing transaction:
``add_call`` when a call is logged (TEL-2), ``add_correction`` when a call's first correction is
approved (TEL-3: the call counts as corrected; figures stay as logged). ``rebuild`` recomputes them
from the calls, set-based (the migration's backfill, ``manage.py telesales_summary``, a restore).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import AgentDay, CallCorrection, CallLog

FIGURES = ("calls", "talk_seconds", "connected", "intents", "deals", "corrected")
BATCH = 5000


def day_of(moment: dt.datetime) -> dt.date:
    """The local day (``TIME_ZONE``) a call counts on."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def figures_of(call: CallLog) -> dict[str, int]:
    """What one logged call adds to its day row."""
    return {
        "calls": 1,
        "talk_seconds": call.duration_seconds,
        "connected": int(call.outcome not in CallLog.NOT_CONNECTED),
        "intents": int(call.outcome in CallLog.INTENT),
        "deals": int(call.outcome == CallLog.Outcome.DEAL),
    }


def _bump(agent_id: int, department_id: int | None, day: dt.date, deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the row: an atomic ``UPDATE … SET x = x + n``, inserting the row the first
    time (a concurrent first insert loses on the unique constraint and updates instead)."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    same_department = Q(department__isnull=True) if department_id is None else Q(department_id=department_id)
    rows = AgentDay.objects.filter(same_department, agent_id=agent_id, day=day)
    increments = {name: F(name) + value for name, value in deltas.items()}
    if rows.update(**increments):
        return
    try:
        with transaction.atomic():
            AgentDay.objects.create(agent_id=agent_id, department_id=department_id, day=day, **deltas)
    except IntegrityError:
        rows.update(**increments)


def add_call(call: CallLog) -> None:
    """rule: TEL-4 — a logged call is counted on its agent's day (same transaction as the call)."""
    _bump(call.agent_id, call.department_id, day_of(call.started_at), figures_of(call))


def add_correction(correction: CallCorrection) -> None:
    """rule: TEL-3, TEL-4 — the call's first approved correction counts it as corrected (accuracy).

    Call from the approving transaction after ``correction`` was marked approved: a call with
    another approved correction was counted already.
    """
    call = CallLog.objects.only("agent_id", "department_id", "started_at").get(pk=correction.call_id)
    others = CallCorrection.objects.filter(call_id=call.pk, status=CallCorrection.Status.APPROVED).exclude(
        pk=correction.pk
    )
    if others.exists():
        return
    _bump(call.agent_id, call.department_id, day_of(call.started_at), {"corrected": 1})


def _grouped(calls: Any) -> Any:
    return calls.annotate(local_day=TruncDate("started_at", tzinfo=timezone.get_default_timezone())).values(
        "agent_id", "department_id", "local_day"
    )


def aggregate_calls(start: dt.date | None = None, end: dt.date | None = None) -> dict[tuple[Any, ...], dict[str, int]]:
    """The day rows computed from the calls themselves: {(agent, department, day): figures}."""
    tz = timezone.get_default_timezone()
    calls = CallLog.objects.all()
    if start is not None:
        calls = calls.filter(started_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        calls = calls.filter(started_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    rows: dict[tuple[Any, ...], dict[str, int]] = {}
    for r in (
        _grouped(calls)
        .annotate(
            n=Count("pk"),
            talk=Sum("duration_seconds"),
            conn=Count("pk", filter=~Q(outcome__in=CallLog.NOT_CONNECTED)),
            intent=Count("pk", filter=Q(outcome__in=CallLog.INTENT)),
            deal=Count("pk", filter=Q(outcome=CallLog.Outcome.DEAL)),
        )
        .order_by()
    ):
        rows[(r["agent_id"], r["department_id"], r["local_day"])] = {
            "calls": r["n"],
            "talk_seconds": r["talk"] or 0,
            "connected": r["conn"],
            "intents": r["intent"],
            "deals": r["deal"],
            "corrected": 0,
        }
    approved = CallCorrection.objects.filter(status=CallCorrection.Status.APPROVED).values("call_id")
    for r in _grouped(calls.filter(pk__in=approved)).annotate(n=Count("pk")).order_by():
        rows[(r["agent_id"], r["department_id"], r["local_day"])]["corrected"] = r["n"]
    return rows


def rebuild(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Recompute the day rows of [start, end] (all days: None) from the calls; returns the row count."""
    rows = aggregate_calls(start, end)
    with transaction.atomic():
        stale = AgentDay.objects.all()
        if start is not None:
            stale = stale.filter(day__gte=start)
        if end is not None:
            stale = stale.filter(day__lte=end)
        stale.delete()
        AgentDay.objects.bulk_create(
            (
                AgentDay(agent_id=agent, department_id=department, day=day, **figures)
                for (agent, department, day), figures in rows.items()
            ),
            batch_size=BATCH,
        )
    return len(rows)
