"""DIS-1: a violation names person, rule and amount; the frontline employee's superior pays double;
the director approves; finance confirms payment within the policy's days; repeat offences go to HR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from yingxiao.approvals.models import Instance
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.performance import services
from yingxiao.performance.models import Violation
from yingxiao.performance.services import violation_mark_paid, violation_record

from .conftest import approve

pytestmark = pytest.mark.django_db


def record(personas, person=None, amount=50, key=None, actor=None, rule="HR-7"):
    return violation_record(
        actor_or_system=actor,
        person=person or personas.rep,
        rule_id=rule,
        evidence="周报迟交",
        amount=amount,
        breach_key=key,
    )


def test_dis_1_frontline_violation_fines_the_direct_superior_double(personas):
    violation = record(personas)
    assert violation.person == personas.rep
    assert violation.amount == Decimal("50.00")
    assert violation.status == Violation.Status.PROPOSED
    share = violation.supervisor_shares.get()
    assert share.person == personas.head
    assert share.kind == Violation.Kind.SUPERVISOR
    assert share.amount == Decimal("100.00")  # supervisor_multiple = 2
    assert share.rule_id == "HR-7"
    assert share.approval_id == violation.approval_id


def test_dis_1_supervisor_multiple_comes_from_the_policy(personas, monkeypatch):
    real = services._policy
    monkeypatch.setattr(services, "_policy", lambda name: Decimal("3") if name == "supervisor_multiple" else real(name))
    share = record(personas, amount="20.50").supervisor_shares.get()
    assert share.amount == Decimal("61.50")


def test_dis_1_a_head_is_not_frontline_so_no_double(personas):
    violation = record(personas, person=personas.head)
    assert not violation.supervisor_shares.exists()
    assert Violation.objects.count() == 1


def test_dis_1_the_director_approves_both_and_the_fine_is_due_in_fine_pay_days(personas):
    with time_machine.travel(dt.datetime(2025, 6, 10, 9, 30, tzinfo=dt.UTC), tick=False):
        violation = record(personas)
        instance = violation.approval
        assert instance.request_type == "violation"
        assert instance.current_approver == personas.director
        approve(personas, violation)
    share = violation.supervisor_shares.get()
    for entry in (violation, share):
        assert entry.status == Violation.Status.APPROVED
        assert entry.booked_on == dt.date(2025, 6, 10)
        assert entry.due_on == dt.date(2025, 6, 13)  # fine_pay_days = 3


def test_dis_1_a_rejected_violation_never_counts(personas):
    violation = approve(personas, record(personas), decision="reject", note="证据不足")
    assert violation.status == Violation.Status.REJECTED
    assert violation.supervisor_shares.get().status == Violation.Status.REJECTED
    assert violation.booked_on is None


def test_dis_1_only_the_director_approves(personas):
    violation = record(personas)
    from yingxiao.approvals.services import approval_decide

    for intruder in (personas.head, personas.rep, personas.finance):
        with pytest.raises(BusinessError) as error:
            approval_decide(actor=intruder, instance=violation.approval, decision="approve")
        assert error.value.code == "approvals.not_yours"


def test_dis_1_only_finance_confirms_payment(personas):
    violation = record(personas)
    with pytest.raises(BusinessError) as error:
        violation_mark_paid(actor=personas.finance, violation=violation)
    assert error.value.code == "performance.not_payable"  # not approved yet
    approve(personas, violation)
    for other in (personas.director, personas.head, personas.rep, personas.admin):
        with pytest.raises(BusinessError) as error:
            violation_mark_paid(actor=other, violation=violation)
        assert error.value.code == "performance.finance_only"
    violation.refresh_from_db()
    assert violation.status == Violation.Status.APPROVED
    violation_mark_paid(actor=personas.finance, violation=violation)
    assert violation.status == Violation.Status.PAID
    assert violation.paid_confirmed_by == personas.finance
    assert violation.paid_at is not None
    with pytest.raises(BusinessError) as error:
        violation_mark_paid(actor=personas.finance, violation=violation)
    assert error.value.code == "performance.not_payable"


def test_dis_1_breach_key_records_a_breach_once(personas):
    first = record(personas, key="HR-7:rep:2025-W23")
    again = record(personas, key="HR-7:rep:2025-W23")
    assert again.pk == first.pk
    assert Violation.objects.count() == 2  # the rep's and the supervisor's share
    assert Instance.objects.count() == 1


def test_dis_1_repeat_offences_are_flagged_to_hr(personas, hr, django_capture_on_commit_callbacks):
    start = dt.datetime(2025, 1, 1, 10, 0, tzinfo=dt.UTC)
    flags = []
    for days in (0, 40, 89):  # three offences within 90 days
        with time_machine.travel(start + dt.timedelta(days=days), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                violation = approve(personas, record(personas, key=f"k{days}"))
            flags.append(violation.repeat_flagged)
    assert flags == [False, False, True]
    notice = Notification.objects.get(recipient=hr)
    assert "3" in notice.message
    # The supervisor's shares are not the supervisor's own offences.
    assert not Violation.objects.filter(kind=Violation.Kind.SUPERVISOR, repeat_flagged=True).exists()


def test_dis_1_offences_spread_beyond_the_window_are_not_flagged(personas, hr):
    start = dt.datetime(2025, 1, 1, 10, 0, tzinfo=dt.UTC)
    for days in (0, 45, 91):
        with time_machine.travel(start + dt.timedelta(days=days), tick=False):
            violation = approve(personas, record(personas, key=f"k{days}"))
    assert not violation.repeat_flagged


def test_dis_1_a_head_records_for_their_department_only(personas):
    violation = record(personas, actor=personas.head, person=personas.rep)
    assert violation.recorded_by == personas.head
    assert violation.approval.requester == personas.head
    for actor, person, code in (
        (personas.head, personas.other_rep, "performance.not_your_staff"),
        (personas.rep, personas.teammate, "performance.not_your_staff"),
        (personas.head, personas.head, "performance.self_record"),
    ):
        with pytest.raises(BusinessError) as error:
            record(personas, actor=actor, person=person)
        assert error.value.code == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rule": "late"}, "performance.bad_rule"),
        ({"amount": 0}, "performance.bad_amount"),
        ({"amount": "-5"}, "performance.bad_amount"),
        ({"amount": "abc"}, "performance.bad_amount"),
    ],
)
def test_dis_1_bad_input_is_refused_and_nothing_is_saved(personas, kwargs, code):
    with pytest.raises(BusinessError) as error:
        record(personas, **kwargs)
    assert error.value.code == code
    assert not Violation.objects.exists()
    assert not Instance.objects.exists()


def test_dis_1_director_post_vacant_refuses_cleanly(personas):
    from tests.approvals.conftest import vacate

    vacate(personas.director)
    with pytest.raises(BusinessError) as error:
        record(personas)
    assert error.value.code == "approvals.no_approver"
    assert not Violation.objects.exists()
