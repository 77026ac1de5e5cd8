"""TEL-4 agent statistics from the daily summary (``AgentDay``): always equal to the raw aggregation
of the calls — after logging, after TEL-3 corrections, for day/week/month, after a rebuild or restore."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.telesales.conftest import fresh, log, make_list
from yingxiao.approvals.services import approval_decide
from yingxiao.telesales import backup, corrections, stats, summary
from yingxiao.telesales.models import AgentDay, CallLog

ROWS = "姓名,电话\n" + "".join(f"客户{i},1380000{i:04d}\n" for i in range(1, 13))
OUTCOMES = ["no_answer", "busy", "intent_a", "not_interested", "deal", "appointment", "wrong_number", "intent_b"]


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _stored() -> dict[tuple[int, int | None, dt.date], dict[str, int]]:
    return {
        (r.agent_id, r.department_id, r.day): {name: getattr(r, name) for name in summary.FIGURES}
        for r in AgentDay.objects.all()
    }


def _assert_summary_matches(tel) -> None:
    """The stored day rows are the calls' aggregation, and every view of the statistics agrees."""
    assert _stored() == summary.aggregate_calls()
    for actor in (tel.rep, tel.teammate, tel.head, tel.director, tel.other_rep):
        for period in ("day", "week", "month"):
            for bounds in ({}, {"start": dt.date(2026, 3, 2), "end": dt.date(2026, 3, 31)}):
                from_summary = stats.agent_statistics(actor=fresh(actor), period=period, **bounds)
                from_calls = stats.agent_statistics_from_calls(actor=fresh(actor), period=period, **bounds)
                assert from_summary == from_calls, (actor.username, period, bounds)


def _work(tel) -> list[CallLog]:
    """Calls of two agents over days of two months and two weeks, on both sides of local midnight."""
    rep_entries = list(make_list(tel.rep, ROWS).entries.all())
    mate_entries = list(make_list(tel.teammate, ROWS, name="四月名单").entries.all())
    moments = [
        _local(dt.date(2026, 2, 27), 10),
        _local(dt.date(2026, 3, 1), 23, 59),  # a Sunday, late: still March 1st locally
        _local(dt.date(2026, 3, 2), 0, 1),  # Monday: another day and another week
        _local(dt.date(2026, 3, 2), 9),
        _local(dt.date(2026, 3, 2), 15),
        _local(dt.date(2026, 3, 31), 18),
        _local(dt.date(2026, 4, 1), 8),
        _local(dt.date(2026, 4, 1), 9),
    ]
    calls = []
    for i, moment in enumerate(moments):
        outcome = OUTCOMES[i % len(OUTCOMES)]
        calls.append(log(tel.rep, rep_entries[i], outcome, 37 * i, started_at=moment))
        calls.append(log(tel.teammate, mate_entries[i], OUTCOMES[-1 - i], 11 * i + 5, started_at=moment))
    return calls


def _correct(tel, call: CallLog, outcome: str, approve: bool = True) -> None:
    agent = tel.rep if call.agent_id == tel.rep.pk else tel.teammate
    correction = corrections.correction_request(actor=fresh(agent), call=call, reason="记错了", outcome=outcome)
    decision = "approve" if approve else "reject"
    approval_decide(actor=fresh(tel.head), instance=correction.approval, decision=decision, note="x")


def test_tel_4_summary_equals_raw_aggregation_after_logging(tel) -> None:
    calls = _work(tel)
    _assert_summary_matches(tel)
    # The day is the local day: 23:59 on March 1st and 00:01 on March 2nd are two rows.
    rep_days = sorted(r.day for r in AgentDay.objects.filter(agent=tel.rep))
    assert rep_days == [dt.date(2026, 2, 27), dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 31),
                        dt.date(2026, 4, 1)]  # fmt: skip
    march_2 = AgentDay.objects.get(agent=tel.rep, day=dt.date(2026, 3, 2))
    assert (march_2.calls, march_2.talk_seconds, march_2.connected, march_2.intents, march_2.deals) == (
        3,
        37 * (2 + 3 + 4),
        3,
        2,
        1,
    )
    assert sum(AgentDay.objects.values_list("calls", flat=True)) == len(calls)
    [week] = [r for r in stats.agent_statistics(actor=fresh(tel.rep), period="week") if r.period == dt.date(2026, 3, 2)]
    assert week.calls == 3
    months = {r.period: r.calls for r in stats.agent_statistics(actor=fresh(tel.rep), period="month")}
    assert months == {dt.date(2026, 2, 1): 1, dt.date(2026, 3, 1): 5, dt.date(2026, 4, 1): 2}


def test_tel_3_tel_4_summary_follows_approved_corrections_only(tel) -> None:
    calls = _work(tel)
    rep_calls = [c for c in calls if c.agent_id == tel.rep.pk]
    _correct(tel, rep_calls[3], "intent_c")  # approved: the call counts as corrected
    _correct(tel, rep_calls[3], "deal")  # corrected again: still one corrected call
    _correct(tel, rep_calls[4], "busy", approve=False)  # rejected: nothing changes
    _assert_summary_matches(tel)
    march_2 = AgentDay.objects.get(agent=tel.rep, day=dt.date(2026, 3, 2))
    assert (march_2.corrected, march_2.intents, march_2.deals) == (1, 2, 1)  # figures stay as logged
    [month] = [r for r in stats.agent_statistics(actor=fresh(tel.rep), period="month") if r.period.month == 3]
    assert (month.calls, month.corrected, month.accuracy) == (5, 1, 80)


def test_tel_4_statistics_scope_reads_the_summary(tel) -> None:
    _work(tel)
    assert stats.agent_statistics(actor=fresh(tel.other_rep)) == []
    assert {r.agent_id for r in stats.agent_statistics(actor=fresh(tel.rep))} == {tel.rep.pk}
    assert {r.agent_id for r in stats.agent_statistics(actor=fresh(tel.head))} == {tel.rep.pk, tel.teammate.pk}
    assert {r.agent_id for r in stats.agent_statistics(actor=fresh(tel.director))} == {tel.rep.pk, tel.teammate.pk}


def test_tel_4_rebuild_and_command_reproduce_the_rows(tel) -> None:
    calls = _work(tel)
    _correct(tel, calls[0], "busy")
    expected = _stored()
    AgentDay.objects.filter(day=dt.date(2026, 3, 2)).update(calls=999)
    assert summary.rebuild(dt.date(2026, 3, 2), dt.date(2026, 3, 2)) == 2
    assert _stored() == expected
    AgentDay.objects.all().delete()
    out = io.StringIO()
    call_command("telesales_summary", stdout=out)
    assert _stored() == expected and "agent days: 10" in out.getvalue()


def test_tel_4_migration_backfill_matches(tel) -> None:
    _work(tel)
    expected = _stored()
    AgentDay.objects.all().delete()
    backfill = __import__("yingxiao.telesales.migrations.0004_agent_day", fromlist=["backfill"]).backfill
    backfill(apps, SimpleNamespace(connection=connection))
    assert _stored() == expected


def test_tel_5_restore_rebuilds_the_summary(tel, tmp_path) -> None:
    _work(tel)
    expected = _stored()
    path = tmp_path / "telesales.json"
    backup.backup_telesales(path)
    AgentDay.objects.update(calls=0)
    backup.restore_telesales(path)
    assert _stored() == expected
