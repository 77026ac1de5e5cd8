"""APR-1 thresholds and decisions; HR-8 timestamps and signatures; refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from yingxiao.approvals.models import Decision, Instance
from yingxiao.approvals.services import approval_cancel, approval_decide, approval_resubmit, approval_submit
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification

pytestmark = pytest.mark.django_db


def submit(personas, request_type, amount):
    return approval_submit(actor=personas.rep, request_type=request_type, subject=personas.rep, amount=amount)


def test_apr_1_below_the_threshold_only_the_superior_approves(personas, expense_type, calls):
    instance = submit(personas, expense_type, Decimal("4999.99"))
    approval_decide(actor=personas.head, instance=instance, decision="approve")
    instance.refresh_from_db()
    assert instance.status == Instance.Status.APPROVED
    assert calls.approved == [instance.pk]


def test_apr_1_at_the_threshold_the_director_approves_next(personas, expense_type, calls):
    instance = submit(personas, expense_type, 5000)
    approval_decide(actor=personas.head, instance=instance, decision="approve", note="同意")
    instance.refresh_from_db()
    assert instance.status == Instance.Status.PENDING
    assert instance.current_approver == personas.director
    assert calls.approved == []
    approval_decide(actor=personas.director, instance=instance, decision="approve")
    instance.refresh_from_db()
    assert instance.status == Instance.Status.APPROVED
    assert calls.approved == [instance.pk]


def test_apr_1_bad_values_are_refused(personas, expense_type):
    for kwargs in ({"amount": -1}, {"pct": 101}, {"days": "abc"}, {"amount": "NaN"}):
        with pytest.raises(BusinessError) as error:
            approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, **kwargs)
        assert error.value.code == "approvals.bad_value"
    with pytest.raises(BusinessError) as error:
        approval_submit(actor=personas.rep, request_type="no_such_type", subject=personas.rep)
    assert error.value.code == "approvals.unknown_request_type"
    assert not Instance.objects.exists()


def test_apr_1_one_open_request_per_subject_and_type(personas, expense_type):
    submit(personas, expense_type, 1)
    with pytest.raises(BusinessError) as error:
        submit(personas, expense_type, 1)
    assert error.value.code == "approvals.already_open"
    assert Instance.objects.count() == 1


def test_apr_1_reject_needs_a_note_and_ends_the_request(
    personas, expense_type, calls, django_capture_on_commit_callbacks
):
    instance = submit(personas, expense_type, 1)
    with pytest.raises(BusinessError) as error:
        approval_decide(actor=personas.head, instance=instance, decision="reject", note="  ")
    assert error.value.code == "approvals.note_required"
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(actor=personas.head, instance=instance, decision="reject", note="预算不足")
    instance.refresh_from_db()
    assert instance.status == Instance.Status.REJECTED
    assert instance.closed_at is not None
    assert calls.rejected == [instance.pk]
    assert Notification.objects.filter(recipient=personas.rep, link__contains=f"/approvals/{instance.pk}/").exists()


def test_apr_1_return_then_resubmit_restarts_the_flow(personas, expense_type):
    instance = submit(personas, expense_type, 6000)
    approval_decide(actor=personas.head, instance=instance, decision="approve")
    approval_decide(actor=personas.director, instance=Instance.objects.get(), decision="return", note="补充发票")
    instance.refresh_from_db()
    assert instance.status == Instance.Status.RETURNED
    assert instance.current_approver is None
    approval_resubmit(actor=personas.rep, instance=instance, note="已补充", amount=3000)
    instance.refresh_from_db()
    assert instance.status == Instance.Status.PENDING
    assert instance.current_approver == personas.head
    assert instance.amount == Decimal(3000)


def test_apr_1_deciding_twice_is_refused_and_changes_nothing(personas, expense_type):
    instance = submit(personas, expense_type, 1)
    approval_decide(actor=personas.head, instance=instance, decision="approve")
    before = (Decision.objects.count(), Instance.objects.get().version)
    with pytest.raises(BusinessError) as error:
        approval_decide(actor=personas.head, instance=instance, decision="reject", note="改主意")
    assert error.value.code == "approvals.already_decided"
    assert (Decision.objects.count(), Instance.objects.get().version) == before
    assert Instance.objects.get().status == Instance.Status.APPROVED


def test_apr_1_a_stale_version_is_refused(personas, expense_type):
    instance = submit(personas, expense_type, 6000)
    seen = instance.version
    approval_decide(actor=personas.head, instance=instance, decision="approve", version=seen)
    with pytest.raises(BusinessError) as error:
        approval_decide(actor=personas.director, instance=instance, decision="approve", version=seen)
    assert error.value.code == "approvals.already_decided"


def test_apr_1_deciding_a_request_not_yours_is_refused(personas, expense_type):
    instance = submit(personas, expense_type, 1)
    for intruder in (personas.director, personas.teammate, personas.rep, personas.other_rep):
        with pytest.raises(BusinessError) as error:
            approval_decide(actor=intruder, instance=instance, decision="approve")
        assert error.value.code == "approvals.not_yours"
    instance.refresh_from_db()
    assert instance.status == Instance.Status.PENDING
    assert instance.decisions.count() == 1  # only the submission


def test_apr_1_only_the_requester_cancels(personas, expense_type, calls):
    instance = submit(personas, expense_type, 1)
    with pytest.raises(BusinessError) as error:
        approval_cancel(actor=personas.head, instance=instance)
    assert error.value.code == "approvals.not_requester"
    approval_cancel(actor=personas.rep, instance=instance, note="不需要了")
    instance.refresh_from_db()
    assert instance.status == Instance.Status.CANCELLED
    assert calls.rejected == [instance.pk]  # no on_cancelled: the rejection callback runs
    with pytest.raises(BusinessError) as error:
        approval_cancel(actor=personas.rep, instance=instance)
    assert error.value.code == "approvals.not_open"


def test_hr_8_decisions_are_timestamped_to_the_minute_and_signed(personas, expense_type):
    with time_machine.travel("2025-03-04 10:17:42 +0800", tick=False):
        instance = submit(personas, expense_type, 1)
        approval_decide(actor=personas.head, instance=instance, decision="approve", note="同意")
    entries = list(instance.decisions.order_by("pk"))
    assert [e.decision for e in entries] == ["submit", "approve"]
    for entry in entries:
        assert entry.decided_at.second == 0 and entry.decided_at.microsecond == 0
        assert entry.verify()
    assert entries[1].actor == personas.head
    # Altered behind the application's back: the signature no longer matches.
    Decision.objects.filter(pk=entries[1].pk).update(note="不同意")
    assert not Decision.objects.get(pk=entries[1].pk).verify()


def test_apr_1_the_approver_and_the_delegate_are_notified(personas, expense_type, django_capture_on_commit_callbacks):
    from .conftest import set_absent

    set_absent(personas.head, delegate=personas.teammate)
    with django_capture_on_commit_callbacks(execute=True):
        submit(personas, expense_type, 1)
    assert Notification.objects.filter(recipient=personas.head).count() == 1
    assert Notification.objects.filter(recipient=personas.teammate).count() == 1
