"""APR-1 / ORG-4: steps are routed on the org chart — superior, department head, role — around
vacant posts and absent people (delegate first, otherwise the next post up)."""

from __future__ import annotations

import pytest

from yingxiao.approvals.models import Decision, Instance
from yingxiao.approvals.selectors import pending_for
from yingxiao.approvals.services import approval_decide, approval_submit
from yingxiao.core.errors import BusinessError

from .conftest import set_absent, vacate

pytestmark = pytest.mark.django_db


def test_apr_1_superior_step_goes_to_the_direct_superior(personas, expense_type):
    instance = approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, amount=100)
    assert instance.status == Instance.Status.PENDING
    assert instance.current_approver == personas.head
    assert instance.department == personas.domestic
    assert list(pending_for(personas.head)) == [instance]
    assert not pending_for(personas.director).exists()


def test_apr_1_department_head_step(personas):
    instance = approval_submit(actor=personas.rep, request_type="data_change", subject=personas.rep)
    assert instance.current_approver == personas.head


def test_apr_1_vacant_head_goes_to_the_next_post_up(personas):
    vacate(personas.head)  # 国内部经理 暂缺
    instance = approval_submit(actor=personas.rep, request_type="data_change", subject=personas.rep)
    assert instance.current_approver == personas.director


def test_apr_1_vacant_superior_goes_to_the_next_post_up(personas, expense_type):
    vacate(personas.head)
    instance = approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, amount=1)
    assert instance.current_approver == personas.director


def test_apr_1_absent_approver_step_goes_to_their_delegate(personas, expense_type):
    set_absent(personas.head, delegate=personas.teammate)
    instance = approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, amount=1)
    # The step stays the head's; the delegate sees it in 待我审批 and decides for them.
    assert instance.current_approver == personas.head
    assert list(pending_for(personas.teammate)) == [instance]
    approval_decide(actor=personas.teammate, instance=instance, decision="approve", note="代批")
    decision = instance.decisions.get(decision=Decision.Kind.APPROVE)
    assert decision.actor == personas.teammate
    assert decision.acted_for == personas.head
    instance.refresh_from_db()
    assert instance.status == Instance.Status.APPROVED


def test_apr_1_delegate_cannot_act_once_the_approver_is_back(personas, expense_type):
    personas.head.delegate = personas.teammate
    personas.head.save(update_fields=["delegate"])
    instance = approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, amount=1)
    assert not pending_for(personas.teammate).exists()
    with pytest.raises(BusinessError) as error:
        approval_decide(actor=personas.teammate, instance=instance, decision="approve")
    assert error.value.code == "approvals.not_yours"


def test_apr_1_absent_approver_without_delegate_goes_to_their_superior(personas, expense_type):
    set_absent(personas.head)
    instance = approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, amount=1)
    assert instance.current_approver == personas.director


def test_apr_1_absent_delegate_does_not_count(personas, expense_type):
    set_absent(personas.teammate)
    set_absent(personas.head, delegate=personas.teammate)
    instance = approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, amount=1)
    assert instance.current_approver == personas.director


def test_apr_1_requester_never_approves_their_own_request(personas):
    # The head asks for a data change in their own department: it goes up to the director.
    instance = approval_submit(actor=personas.head, request_type="data_change", subject=personas.head)
    assert instance.current_approver == personas.director


def test_cus_3_blacklist_is_approved_by_the_director(personas):
    instance = approval_submit(actor=personas.rep, request_type="blacklist", subject=personas.other_rep)
    assert instance.current_approver == personas.director


def test_apr_1_requester_at_the_top_skips_their_own_step(personas):
    instance = approval_submit(actor=personas.director, request_type="blacklist", subject=personas.rep)
    assert instance.status == Instance.Status.APPROVED
    assert [d.decision for d in instance.decisions.order_by("pk")] == ["submit", "skip"]


def test_apr_1_vacant_all_the_way_up_is_refused_and_nothing_is_saved(personas):
    vacate(personas.director)
    with pytest.raises(BusinessError) as error:
        approval_submit(actor=personas.rep, request_type="blacklist", subject=personas.other_rep)
    assert error.value.code == "approvals.no_approver"
    assert not Instance.objects.exists()
    assert not Decision.objects.exists()
