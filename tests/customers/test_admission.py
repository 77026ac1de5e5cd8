"""CUS-5 admission checklist: configurable items, ticked with evidence, required before 成交."""

from __future__ import annotations

import inspect

import pytest
from django.core.exceptions import PermissionDenied

from tests.customers import relations_support
from tests.customers.relations_support import customer_of
from yingxiao.core.errors import BusinessError
from yingxiao.customers import services
from yingxiao.customers.models import AdmissionCheck, AdmissionCriterion, Customer
from yingxiao.customers.relations import admission
from yingxiao.customers.relations.hooks import customer_changing

pytestmark = pytest.mark.django_db
people = relations_support.people  # shared fixture
HOOKED = "customer_changing" in inspect.getsource(services.customer_update)
needs_hook = pytest.mark.skipif(not HOOKED, reason="needs the hook line in customers.services.customer_update")


@pytest.fixture
def checklist(people):
    return [
        admission.criterion_create(actor=people.admin, data={"title": "资信良好", "position": 1}),
        admission.criterion_create(actor=people.admin, data={"title": "有明确采购需求", "position": 2}),
        admission.criterion_create(
            actor=people.admin, data={"title": "已实地考察", "position": 3, "requires_evidence": False}
        ),
    ]


def prospect(owner):
    return customer_of(owner, stage=Customer.Stage.INTENT)


def close(actor, customer):
    customer_changing(actor=actor, customer=customer, changes={"stage": Customer.Stage.DEAL})


def test_cus_5_prospect_cannot_close_with_an_incomplete_checklist(people, checklist):
    customer = prospect(people.rep)
    admission.admission_tick(actor=people.rep, customer=customer, criterion=checklist[0], evidence="银行资信证明")
    with pytest.raises(BusinessError) as refused:
        close(people.rep, customer)
    assert refused.value.code == "customers.admission_incomplete"
    assert "有明确采购需求" in refused.value.message and "已实地考察" in refused.value.message
    assert "资信良好" not in refused.value.message


def test_cus_5_prospect_closes_once_every_item_is_ticked(people, checklist):
    customer = prospect(people.rep)
    for criterion in checklist:
        admission.admission_tick(actor=people.rep, customer=customer, criterion=criterion, evidence="见附件")
    close(people.rep, customer)  # no error
    assert admission.admission_missing(customer) == []


def test_cus_5_a_tick_needs_evidence_when_the_item_asks_for_it(people, checklist):
    customer = prospect(people.rep)
    with pytest.raises(BusinessError) as refused:
        admission.admission_tick(actor=people.rep, customer=customer, criterion=checklist[0], evidence="  ")
    assert refused.value.code == "customers.evidence_required"
    admission.admission_tick(actor=people.rep, customer=customer, criterion=checklist[2])
    assert not AdmissionCheck.objects.filter(criterion=checklist[0]).exists()


def test_cus_5_untick_brings_the_item_back_and_is_versioned(people, checklist):
    customer = prospect(people.rep)
    check = admission.admission_tick(actor=people.rep, customer=customer, criterion=checklist[2])
    admission.admission_tick(actor=people.rep, customer=customer, criterion=checklist[2], satisfied=False)
    assert checklist[2] in admission.admission_missing(customer)
    assert check.history.count() == 2 and check.history.first().history_user == people.rep


def test_cus_5_retired_item_is_no_longer_required(people, checklist):
    customer = prospect(people.rep)
    for criterion in checklist[:2]:
        admission.admission_tick(actor=people.rep, customer=customer, criterion=criterion, evidence="ok")
    admission.criterion_update(actor=people.admin, criterion=checklist[2], data={"is_active": False})
    close(people.rep, customer)
    with pytest.raises(BusinessError) as refused:
        admission.admission_tick(actor=people.rep, customer=customer, criterion=checklist[2])
    assert refused.value.code == "customers.criterion_inactive"


def test_cus_5_empty_checklist_requires_nothing(people):
    close(people.rep, prospect(people.rep))


def test_cus_5_customer_already_closed_is_not_checked_again(people, checklist):
    customer = customer_of(people.rep, stage=Customer.Stage.DEAL)
    close(people.rep, customer)


def test_cus_5_only_the_checklist_administrator_edits_items(people):
    with pytest.raises(PermissionDenied):
        admission.criterion_create(actor=people.rep, data={"title": "x"})
    assert not AdmissionCriterion.objects.exists()


def test_cus_5_out_of_scope_customer_cannot_be_ticked(people, checklist):
    customer = prospect(people.other_rep)
    with pytest.raises(BusinessError) as refused:
        admission.admission_tick(actor=people.rep, customer=customer, criterion=checklist[2])
    assert refused.value.code == "core.not_found"


@needs_hook
def test_cus_5_archive_edit_to_deal_is_refused_with_the_missing_items(people, checklist):
    customer = prospect(people.rep)
    with pytest.raises(BusinessError) as refused:
        services.customer_update(actor=people.rep, customer=customer, data={"stage": Customer.Stage.DEAL})
    assert refused.value.code == "customers.admission_incomplete"
    customer.refresh_from_db()
    assert customer.stage == Customer.Stage.INTENT


@needs_hook
def test_cus_5_api_edit_to_deal_answers_with_the_code(people, checklist, api_as):
    customer = prospect(people.rep)
    answer = api_as("rep").patch(f"/api/v1/customers/{customer.pk}/", {"stage": "deal"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "customers.admission_incomplete"


def test_cus_5_api_ticks_and_lists(people, checklist, api_as):
    customer = prospect(people.rep)
    api = api_as("rep")
    assert api.get("/api/v1/admission-criteria/").json()["count"] == 3
    ticked = api.post(
        "/api/v1/admission-checks/",
        {"customer": customer.pk, "criterion": checklist[0].pk, "satisfied": True, "evidence": "证明"},
        format="json",
    )
    assert ticked.status_code == 201, ticked.content
    again = api.post(
        "/api/v1/admission-checks/",
        {"customer": customer.pk, "criterion": checklist[0].pk, "satisfied": False},
        format="json",
    )
    assert again.status_code == 201 and AdmissionCheck.objects.get().satisfied is False
    no_evidence = api.post(
        "/api/v1/admission-checks/", {"customer": customer.pk, "criterion": checklist[1].pk}, format="json"
    )
    assert no_evidence.json()["code"] == "customers.evidence_required"
    assert api.post("/api/v1/admission-criteria/", {"title": "x"}, format="json").status_code == 403
    assert api_as("other_rep").get(f"/api/v1/admission-checks/{ticked.json()['id']}/").status_code == 404


def test_cus_5_checklist_page_and_tick_form(people, checklist, client):
    customer = prospect(people.rep)
    client.force_login(people.admin)
    assert client.get("/customers/admission-criteria/").status_code == 200
    added = client.post("/customers/admission-criteria/", {"title": "签署保密协议", "position": 4, "is_active": "on"})
    assert added.status_code == 302 and AdmissionCriterion.objects.filter(title="签署保密协议").exists()
    client.force_login(people.rep)
    client.post(f"/customers/{customer.pk}/admission/{checklist[0].pk}/", {"satisfied": "on", "evidence": "证明"})
    assert AdmissionCheck.objects.get(criterion=checklist[0]).evidence == "证明"
    panel = client.get(f"/customers/{customer.pk}/relations/")
    assert "资信良好".encode() in panel.content
