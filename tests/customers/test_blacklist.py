"""CUS-3 blacklist through approval: requested with a reason, flagged only when the director approves."""

from __future__ import annotations

import pytest

from tests.customers.test_pool import grant_pool_permissions
from tests.factories import CustomerFactory
from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.customers.blacklist import customer_blacklist_request
from yingxiao.customers.models import BlacklistRecord, Customer


@pytest.fixture
def people(personas):
    grant_pool_permissions()
    return personas


@pytest.fixture
def customer(people):
    return CustomerFactory(owner=people.rep, department=people.domestic, name="拖欠货款公司")


def test_cus_3_blacklist_request_goes_to_the_director(people, customer):
    record = customer_blacklist_request(actor=people.rep, customer=customer, reason="恶意拖欠货款")
    assert record.status == BlacklistRecord.Status.PENDING
    assert record.approval.request_type == "blacklist"
    assert record.approval.current_approver_id == people.director.pk
    assert not Customer.objects.get(pk=customer.pk).is_blacklisted


def test_cus_3_approval_flags_the_customer_with_reason_and_approver(people, customer):
    record = customer_blacklist_request(actor=people.rep, customer=customer, reason="恶意拖欠货款")
    approval_decide(actor=people.director, instance=record.approval, decision="approve")
    record.refresh_from_db()
    assert Customer.objects.get(pk=customer.pk).is_blacklisted
    assert record.status == BlacklistRecord.Status.APPROVED
    assert record.decided_by_id == people.director.pk and record.decided_at is not None
    assert Customer.history.filter(id=customer.pk, is_blacklisted=True).first().history_user_id == people.director.pk


def test_cus_3_rejection_changes_nothing(people, customer):
    record = customer_blacklist_request(actor=people.rep, customer=customer, reason="态度不好")
    approval_decide(actor=people.director, instance=record.approval, decision="reject", note="理由不足")
    record.refresh_from_db()
    assert record.status == BlacklistRecord.Status.REJECTED
    assert not Customer.objects.get(pk=customer.pk).is_blacklisted
    again = customer_blacklist_request(actor=people.rep, customer=customer, reason="再次拖欠")
    assert again.status == BlacklistRecord.Status.PENDING


def test_cus_3_refusals(people, customer):
    with pytest.raises(BusinessError) as no_reason:
        customer_blacklist_request(actor=people.rep, customer=customer, reason="  ")
    assert no_reason.value.code == "customers.blacklist_reason"
    customer_blacklist_request(actor=people.rep, customer=customer, reason="拖欠")
    with pytest.raises(BusinessError) as pending:
        customer_blacklist_request(actor=people.teammate, customer=customer, reason="拖欠")
    assert pending.value.code in ("customers.blacklist_pending", "core.not_found")
    with pytest.raises(BusinessError) as pending_same:
        customer_blacklist_request(actor=people.head, customer=customer, reason="拖欠")
    assert pending_same.value.code == "customers.blacklist_pending"
    with pytest.raises(BusinessError) as out_of_scope:
        customer_blacklist_request(actor=people.other_rep, customer=customer, reason="拖欠")
    assert out_of_scope.value.code == "core.not_found"
    assert Instance.objects.filter(request_type="blacklist").count() == 1


def test_cus_3_flag_is_shown_on_detail_list_and_api(people, customer, client, api_as):
    record = customer_blacklist_request(actor=people.rep, customer=customer, reason="恶意拖欠货款")
    client.force_login(people.rep)
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="blacklist-pending"' in detail and 'data-testid="blacklist-request"' not in detail
    approval_decide(actor=people.director, instance=record.approval, decision="approve")
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="blacklist-banner"' in detail and "恶意拖欠货款" in detail and "王总监" in detail
    assert 'data-testid="blacklist-request"' not in detail
    listing = client.get("/customers/").content.decode()
    assert "badge text-bg-dark" in listing
    assert api_as("rep").get(f"/api/v1/customers/{customer.pk}/").json()["is_blacklisted"] is True


def test_cus_3_request_from_the_detail_page_and_api(people, client, api_as):
    first = CustomerFactory(owner=people.rep, department=people.domestic)
    second = CustomerFactory(owner=people.rep, department=people.domestic)
    client.force_login(people.rep)
    assert 'data-testid="blacklist-request"' in client.get(f"/customers/{first.pk}/").content.decode()
    answer = client.post(f"/customers/{first.pk}/blacklist/", {"reason": "欺诈"})
    assert answer.status_code == 302
    assert BlacklistRecord.objects.get(customer=first).status == "pending"
    created = api_as("rep").post(
        "/api/v1/blacklist-requests/", {"customer": second.pk, "reason": "欺诈"}, format="json"
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    hidden = api_as("other_rep").post(
        "/api/v1/blacklist-requests/", {"customer": second.pk, "reason": "x"}, format="json"
    )
    assert hidden.status_code == 400
