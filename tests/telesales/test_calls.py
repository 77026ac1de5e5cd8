"""TEL-2 call logging and the workspace queue; TEL-3 write-once calls and the change-request flow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.telesales.conftest import fresh, log, make_list
from yingxiao.approvals.services import approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.telesales import corrections, services
from yingxiao.telesales.models import CallCorrection, CallEntry, CallLog


def test_tel_2_call_is_logged_with_all_fields_and_moves_the_queue(tel) -> None:
    call_list = make_list(tel.rep)
    first = services.next_entry(fresh(tel.rep))
    assert first is not None and first.row_number == 2
    follow_up = timezone.now() + dt.timedelta(days=2)
    call = log(tel.rep, first, "intent_b", 95, notes="要报价", next_follow_up_at=follow_up)
    assert (call.outcome, call.duration_seconds, call.notes, call.next_follow_up_at) == (
        "intent_b",
        95,
        "要报价",
        follow_up,
    )
    assert call.started_at <= timezone.now() and call.department == tel.domestic
    entry = CallEntry.objects.get(pk=first.pk)
    assert entry.last_outcome == "intent_b" and entry.status == "new"
    second = services.next_entry(fresh(tel.rep))
    assert second is not None and second.row_number == 3
    log(tel.rep, second, "no_answer", 0)  # retried later, not at once
    assert services.next_entry(fresh(tel.rep)).row_number == 4
    assert call_list.entries.count() == 3


def test_tel_2_closing_outcomes_close_the_number_and_bad_input_is_refused(tel) -> None:
    entry = make_list(tel.rep).entries.first()
    for kwargs, code in [
        ({"outcome": "maybe"}, "telesales.bad_value"),
        ({"outcome": "busy", "duration_seconds": -1}, "telesales.bad_value"),
        ({"outcome": "busy", "duration_seconds": "abc"}, "telesales.bad_value"),
    ]:
        with pytest.raises(BusinessError) as refused:
            services.call_log(actor=fresh(tel.rep), entry=entry, **kwargs)
        assert refused.value.code == code
    log(tel.rep, entry, "wrong_number", 5)
    assert CallEntry.objects.get(pk=entry.pk).status == "closed"
    with pytest.raises(BusinessError) as closed:
        log(tel.rep, entry, "busy")
    assert closed.value.code == "telesales.entry_closed"
    assert CallLog.objects.count() == 1


def test_tel_2_agents_cannot_call_other_agents_numbers(tel) -> None:
    entry = make_list(tel.rep).entries.first()
    with pytest.raises(BusinessError) as refused:
        log(tel.other_rep, entry)
    assert refused.value.code == "core.not_found"
    assert services.next_entry(fresh(tel.teammate)) is None


def test_tel_3_a_logged_call_cannot_be_changed_or_deleted_in_place(tel) -> None:
    call = log(tel.rep, make_list(tel.rep).entries.first())
    call.outcome = "deal"
    with pytest.raises(BusinessError) as changed:
        call.save()
    assert changed.value.code == "telesales.call_locked"
    with pytest.raises(BusinessError) as deleted:
        call.delete()
    assert deleted.value.code == "telesales.call_locked"
    assert CallLog.objects.get(pk=call.pk).outcome == "intent_a"


def test_tel_3_change_request_approved_by_superior_keeps_the_original(tel) -> None:
    call = log(tel.rep, make_list(tel.rep).entries.first(), "intent_a", 60, notes="原始")
    correction = corrections.correction_request(
        actor=fresh(tel.rep), call=call, reason="误点了 A 类", outcome="intent_c", duration_seconds=75
    )
    assert correction.status == CallCorrection.Status.PENDING and correction.approval is not None
    assert correction.approval.current_approver == tel.head  # the agent's superior decides
    with pytest.raises(BusinessError) as again:
        corrections.correction_request(actor=fresh(tel.rep), call=call, reason="再改", outcome="intent_b")
    assert again.value.code == "telesales.correction_open"
    assert corrections.effective(CallLog.objects.get(pk=call.pk)) == call  # not in effect before approval
    approval_decide(actor=fresh(tel.head), instance=correction.approval, decision="approve")
    correction.refresh_from_db()
    assert correction.status == CallCorrection.Status.APPROVED and correction.decided_at is not None
    original = CallLog.objects.get(pk=call.pk)
    assert (original.outcome, original.duration_seconds, original.notes) == ("intent_a", 60, "原始")
    current = corrections.effective(original)
    assert (current.outcome, current.duration_seconds, current.notes) == ("intent_c", 75, "原始")
    assert current.call_id == call.pk and current.approval_id == correction.approval_id


def test_tel_3_rejected_request_changes_nothing_and_is_kept(tel) -> None:
    call = log(tel.rep, make_list(tel.rep).entries.first())
    correction = corrections.correction_request(actor=fresh(tel.rep), call=call, reason="改时长", duration_seconds=1)
    approval_decide(actor=fresh(tel.head), instance=correction.approval, decision="reject", note="录音显示 60 秒")
    correction.refresh_from_db()
    assert correction.status == CallCorrection.Status.REJECTED
    assert corrections.effective(CallLog.objects.get(pk=call.pk)).duration_seconds == 60


def test_tel_3_change_request_needs_a_reason_a_change_and_the_call(tel) -> None:
    call = log(tel.rep, make_list(tel.rep).entries.first())
    for actor, kwargs, code in [
        (tel.rep, {"reason": "", "outcome": "busy"}, "telesales.required"),
        (tel.rep, {"reason": "x", "outcome": "intent_a"}, "telesales.no_change"),
        (tel.rep, {"reason": "x", "outcome": "nonsense"}, "telesales.bad_value"),
        (tel.other_rep, {"reason": "x", "outcome": "busy"}, "core.not_found"),
        (tel.teammate, {"reason": "x", "outcome": "busy"}, "core.not_found"),
    ]:
        with pytest.raises(BusinessError) as refused:
            corrections.correction_request(actor=fresh(actor), call=call, **kwargs)
        assert refused.value.code == code
    assert CallCorrection.objects.count() == 0
