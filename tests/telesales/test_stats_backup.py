"""TEL-4 agent statistics and Excel export; TEL-5 backup → restore round trip."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from tests.telesales.conftest import fresh, log, make_list
from yingxiao.approvals.services import approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.customers.models import Customer
from yingxiao.telesales import backup, corrections, stats
from yingxiao.telesales.models import CallEntry, CallList, CallLog

FIVE = "姓名,电话\n" + "".join(f"客户{i},1380000000{i}\n" for i in range(1, 6))


def _calls(tel) -> list[CallLog]:
    entries = list(make_list(tel.rep, FIVE).entries.all())
    day = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    outcomes = [("no_answer", 0), ("busy", 0), ("intent_a", 120), ("not_interested", 30), ("deal", 300)]
    return [
        log(tel.rep, entry, outcome, seconds, started_at=day + dt.timedelta(minutes=10 * i))
        for i, (entry, (outcome, seconds)) in enumerate(zip(entries, outcomes, strict=True))
    ]


def test_tel_4_statistics_figures(tel) -> None:
    calls = _calls(tel)
    correction = corrections.correction_request(actor=fresh(tel.rep), call=calls[3], reason="x", outcome="intent_c")
    approval_decide(actor=fresh(tel.head), instance=correction.approval, decision="approve")
    for period in ("day", "week", "month"):
        [row] = stats.agent_statistics(actor=fresh(tel.rep), period=period)
        assert (row.agent_id, row.calls, row.talk_seconds, row.connected, row.intents, row.deals, row.corrected) == (
            tel.rep.pk,
            5,
            450,
            3,
            2,
            1,
            1,
        )
        assert (row.connect_rate, row.intent_conversion, row.accuracy) == (60, Decimal("66.7"), 80)
        assert row.talk_minutes == 7.5
    [day] = stats.agent_statistics(actor=fresh(tel.rep), period="day")
    assert day.period == calls[0].started_at.astimezone(timezone.get_current_timezone()).date()


def test_tel_4_statistics_are_scoped_and_period_checked(tel) -> None:
    _calls(tel)
    assert stats.agent_statistics(actor=fresh(tel.other_rep)) == []
    assert [r.calls for r in stats.agent_statistics(actor=fresh(tel.head))] == [5]
    assert [r.calls for r in stats.agent_statistics(actor=fresh(tel.director))] == [5]
    with pytest.raises(BusinessError) as bad:
        stats.agent_statistics(actor=fresh(tel.rep), period="year")
    assert bad.value.code == "telesales.bad_period"


def test_tel_4_export_escapes_formula_cells(tel) -> None:
    tel.rep.display_name = "=HYPERLINK(1)"
    tel.rep.save()
    _calls(tel)
    content = stats.statistics_workbook(stats.agent_statistics(actor=fresh(tel.rep), period="month"))
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "'=HYPERLINK(1)" and rows[1][2] == 5


def test_tel_5_backup_restore_round_trip(tel, tmp_path) -> None:
    calls = _calls(tel)
    corrections.correction_request(actor=fresh(tel.rep), call=calls[0], reason="x", outcome="busy")
    before = backup.content_hashes()
    path = tmp_path / "telesales.json"
    call_command("backup", str(path), stdout=io.StringIO())
    CallEntry.objects.filter(pk=calls[0].entry_id).update(name="被改了")
    CallLog.objects.filter(pk=calls[1].pk).update(notes="被改了")
    assert backup.content_hashes() != before
    call_command("restore", str(path), stdout=io.StringIO())
    assert backup.content_hashes() == before
    assert before["telesales.CallLog"][0] == 5 and before["telesales.CallCorrection"][0] == 1
    next_list = make_list(tel.rep, name="之后")  # sequences still work after the restore
    assert next_list.pk > max(CallList.objects.exclude(pk=next_list.pk).values_list("pk", flat=True))


def test_tel_5_round_trip_keeps_times_to_the_microsecond(tel, tmp_path) -> None:
    calls = _calls(tel)
    # Under a millisecond past the second: Django's own JSON would write ".000" and restore ".0".
    logged = timezone.now().replace(microsecond=456)
    CallLog.objects.filter(pk=calls[0].pk).update(logged_at=logged)
    before = backup.content_hashes()
    path = tmp_path / "telesales.json"
    backup.backup_telesales(path)
    backup.restore_telesales(path)
    assert backup.content_hashes() == before
    assert CallLog.objects.get(pk=calls[0].pk).logged_at == logged


def test_tel_5_damaged_backup_is_refused_and_changes_nothing(tel, tmp_path) -> None:
    _calls(tel)
    path = tmp_path / "telesales.json"
    backup.backup_telesales(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["sections"][2]["rows"][0]["fields"]["duration_seconds"] = 9999
    path.write_text(json.dumps(document), encoding="utf-8")
    before = backup.content_hashes()
    with pytest.raises(CommandError):
        call_command("restore", str(path), stdout=io.StringIO())
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "junk.json"), stdout=io.StringIO())
    assert backup.content_hashes() == before


@pytest.mark.django_db(transaction=True)
def test_tel_5_whole_database_round_trip(tel, tmp_path) -> None:
    _calls(tel)
    counts = {
        "customers": Customer.objects.count(),
        "calls": CallLog.objects.count(),
        "lists": CallList.objects.count(),
    }
    before = backup.content_hashes()
    path = tmp_path / "all.json"
    call_command("backup", str(path), "--all", stdout=io.StringIO())
    CallList.objects.create(name="之后加的", owner=tel.rep, created_by=tel.rep)
    call_command("restore", str(path), "--all", stdout=io.StringIO())
    assert CallList.objects.count() == counts["lists"] and CallLog.objects.count() == counts["calls"]
    assert Customer.objects.count() == counts["customers"]
    assert backup.content_hashes() == before
