"""Contracts (CON-1, CON-2, CON-7) and the blacklist for contracts (CUS-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import CustomerFactory
from tests.sales.money import draft, money_world, pending, plan, scan, signed, standard_plan  # noqa: F401
from yingxiao.approvals.services import approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.policy.registry import run_sweep
from yingxiao.sales import services
from yingxiao.sales.models import Contract, Instalment, SealUse
from yingxiao.sales.services.contracts import year_figures

pytestmark = pytest.mark.django_db


def test_con_1_commerce_drafts_director_reviews_then_signed_and_archived(money):
    contract = draft(money)
    assert contract.status == Contract.Status.DRAFT
    assert (contract.owner, contract.department) == (money.p.rep, money.p.domestic)
    assert contract.number.startswith("HT")
    services.contract_submit(actor=money.commerce, contract=contract)
    instance = pending("contract_review")
    assert instance.current_approver == money.p.director
    approval_decide(actor=money.p.director, instance=instance, decision="approve")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.APPROVED
    services.contract_sign(actor=money.commerce, contract=contract, signed_on="2026-01-05")
    assert Instalment.objects.filter(contract=contract, is_effective=True).count() == 3
    with pytest.raises(BusinessError) as refused:
        services.contract_archive(actor=money.commerce, contract=contract, category="industrial")
    assert refused.value.code == "sales.scan_required"
    archived = services.contract_archive(actor=money.commerce, contract=contract, category="industrial", scan=scan())
    assert archived.status == Contract.Status.ARCHIVED and archived.category == "industrial"
    assert archived.signed_scan.name.endswith(".pdf")
    assert archived.history.count() >= 4  # audit trail of every step


@pytest.mark.parametrize("persona", ["rep", "head", "director", "finance", "admin"])
def test_con_1_only_the_commerce_group_drafts(money, persona):
    with pytest.raises(PermissionDenied):
        draft(money, actor=getattr(money.p, persona))
    assert not Contract.objects.exists()


def test_con_1_rejected_review_returns_the_draft_and_signing_needs_the_review(money):
    contract = draft(money)
    with pytest.raises(BusinessError) as early:
        services.contract_sign(actor=money.commerce, contract=contract, signed_on="2026-01-05")
    assert early.value.code == "sales.contract_not_approved"
    services.contract_submit(actor=money.commerce, contract=contract)
    approval_decide(actor=money.p.director, instance=pending("contract_review"), decision="reject", note="付款条件不行")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    services.contract_update(
        actor=money.commerce,
        contract=contract,
        amount="90000.00",
        instalments=plan(("prepayment", "2026-01-10", "45000.00"), ("final", "2026-05-01", "45000.00")),
    )
    assert contract.instalments.count() == 2


def test_con_2_payment_plan_must_add_up_to_the_cent(money):
    rows = plan(("prepayment", "2026-01-10", "30000.00"), ("final", "2026-06-30", "69999.99"))
    with pytest.raises(BusinessError) as refused:
        draft(money, rows=rows)
    assert refused.value.code == "sales.plan_not_summing"
    assert "99999.99" in refused.value.message and "100000.00" in refused.value.message
    with pytest.raises(BusinessError) as empty:
        draft(money, rows=[])
    assert empty.value.code == "sales.plan_empty"
    assert not Contract.objects.exists() and not Instalment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "line_amount", "code"),
    [
        ("-100.00", "-100.00", "sales.bad_amount"),
        ("0", "0", "sales.bad_amount"),
        ("十万", "100000", "sales.bad_amount"),
        ("100.001", "100.001", "sales.bad_amount"),
        ("100.00", "abc", "sales.bad_amount"),
        ("100.00", "-1", "sales.bad_amount"),
    ],
)
def test_con_2_bad_amounts_are_refused_and_nothing_is_written(money, amount, line_amount, code):
    with pytest.raises(BusinessError) as refused:
        draft(money, amount=amount, rows=plan(("prepayment", "2026-01-10", line_amount)))
    assert refused.value.code == code
    assert not Contract.objects.exists()


def test_con_2_bad_kind_or_date_in_the_plan(money):
    with pytest.raises(BusinessError) as kind:
        draft(money, amount="10.00", rows=plan(("deposit", "2026-01-10", "10.00")))
    assert kind.value.code == "sales.bad_instalment_kind"
    with pytest.raises(BusinessError) as day:
        draft(money, amount="10.00", rows=plan(("final", "2026-13-40", "10.00")))
    assert day.value.code == "sales.bad_date"


def test_con_2_cross_year_contract_collects_this_years_instalments_within_the_year(money):
    from tests.sales.money import pay

    rows = plan(
        ("prepayment", "2026-02-01", "300000.00"),
        ("progress", "2026-11-30", "400000.00"),
        ("final", "2027-06-30", "300000.01"),
    )
    contract = signed(money, amount="1000000.01", rows=rows, signed_on="2026-01-15")
    assert contract.is_cross_year
    pay(money, contract, "500000.00", on="2026-05-01")
    figures = year_figures(contract, 2026)
    assert figures == {
        "due_this_year": Decimal("700000.00"),
        "collected_this_year": Decimal("500000.00"),
        "outstanding_this_year": Decimal("200000.00"),
        "carried_forward": Decimal("300000.01"),
    }
    pay(money, contract, "200000.00", on="2026-12-20")
    assert year_figures(contract, 2026)["outstanding_this_year"] == Decimal("0.00")
    assert year_figures(contract, 2027)["due_this_year"] == Decimal("300000.01")


def test_con_2_balance_confirmation_reminded_until_recorded(money):
    from yingxiao.core.notifications import Notification

    rows = plan(("prepayment", "2026-02-01", "600.00"), ("final", "2027-03-01", "400.00"))
    contract = signed(money, amount="1000.00", rows=rows, signed_on="2026-01-15")
    as_of = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    run_sweep("CON-2r", as_of=as_of)
    assert Notification.objects.filter(recipient=money.p.rep, message__contains=contract.number).count() == 1
    run_sweep("CON-2r", as_of=as_of)  # idempotent
    assert Notification.objects.filter(recipient=money.p.rep, message__contains=contract.number).count() == 1
    with pytest.raises(BusinessError) as missing:
        services.contract_confirm_balance(
            actor=money.commerce, contract=contract, confirmed_on="2026-11-21", document=None
        )
    assert missing.value.code == "sales.balance_doc_required"
    services.contract_confirm_balance(
        actor=money.commerce, contract=contract, confirmed_on="2026-11-21", document=scan("余额确认.pdf")
    )
    contract.refresh_from_db()
    assert contract.balance_confirmed_on == dt.date(2026, 11, 21) and contract.balance_confirmation
    result = run_sweep("CON-2r", as_of=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC))
    assert Notification.objects.filter(recipient=money.p.rep, message__contains=contract.number).count() == 1
    assert result is not None


def test_con_2_balance_confirmation_only_for_cross_year_contracts(money):
    contract = signed(money)
    with pytest.raises(BusinessError) as refused:
        services.contract_confirm_balance(
            actor=money.commerce, contract=contract, confirmed_on="2026-11-21", document=scan()
        )
    assert refused.value.code == "sales.not_cross_year"


def test_cus_3_blacklisted_customer_gets_no_new_contract(money):
    blacklisted = CustomerFactory(
        owner=money.p.rep, department=money.p.domestic, is_blacklisted=True, name="黑名单公司"
    )
    with pytest.raises(BusinessError) as refused:
        draft(money, blacklisted)
    assert refused.value.code == "sales.contract_blacklisted"
    assert "黑名单公司" in refused.value.message
    assert not Contract.objects.exists()


def test_org_5_commerce_cannot_draft_for_a_customer_outside_its_department(money):
    with pytest.raises(BusinessError) as refused:
        draft(money, money.other_customer, actor=money.commerce)
    assert refused.value.code == "core.not_found"


@pytest.mark.parametrize("persona", ["rep", "head", "director", "finance"])
def test_con_7_only_the_seal_keeper_logs_uses(money, persona):
    with pytest.raises(PermissionDenied):
        services.seal_use_record(actor=getattr(money.p, persona), document="合同", purpose="签约")
    assert not SealUse.objects.exists()


def test_con_7_every_use_of_the_seal_is_logged_by_the_assistant(money):
    contract = signed(money)
    use = services.seal_use_record(
        actor=money.assistant,
        contract=contract,
        document="销售合同正本",
        purpose="合同盖章",
        used_by=money.commerce.pk,
        used_at="2026-01-05T10:30",
    )
    assert (use.recorded_by, use.used_by, use.contract) == (money.assistant, money.commerce, contract)
    with pytest.raises(BusinessError) as blank:
        services.seal_use_record(actor=money.assistant, document="", purpose="合同盖章")
    assert blank.value.code == "sales.bad_text"
    assert SealUse.objects.count() == 1


def test_con_1_contract_pages_scoped_and_rendered(money, client):
    from tests.web.csp import inline_code

    mine = signed(money)
    theirs = signed(money, money.other_customer)
    client.force_login(money.p.rep)
    assert client.get(f"/sales/contracts/{mine.pk}/").status_code == 200
    assert client.get(f"/sales/contracts/{theirs.pk}/").status_code == 404
    page = client.get("/sales/contracts/").content.decode()
    assert mine.number in page and theirs.number not in page
    client.force_login(money.p.director)
    assert client.get(f"/sales/contracts/{theirs.pk}/").status_code == 200
    client.force_login(money.commerce)
    response = client.get("/sales/contracts/new/")
    assert response.status_code == 200 and inline_code(response.content.decode()) == []


def test_con_1_contract_form_drafts_with_the_plan_and_shows_a_bad_sum(money, client):
    client.force_login(money.commerce)
    data = {
        "customer": money.customer.pk,
        "title": "合同",
        "category": "sales",
        "amount": "1000.00",
        "kind_1": "prepayment",
        "due_1": "2026-01-10",
        "amount_1": "300.00",
        "kind_2": "final",
        "due_2": "2026-05-10",
        "amount_2": "700.01",
    }
    bad = client.post("/sales/contracts/new/", data)
    assert bad.status_code == 400 and "1000.00" in bad.content.decode()
    assert not Contract.objects.exists()
    data["amount_2"] = "700.00"
    good = client.post("/sales/contracts/new/", data)
    contract = Contract.objects.get()
    assert good.status_code == 302 and contract.instalments.count() == 2
    client.post(f"/sales/contracts/{contract.pk}/submit/")
    assert Contract.objects.get().status == Contract.Status.PENDING_REVIEW


def test_con_1_api_drafts_submits_and_refuses_bad_plans(money, api_as):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(money.commerce)
    payload = {
        "customer": money.customer.pk,
        "title": "API 合同",
        "amount": "100000.00",
        "instalments": standard_plan(),
    }
    created = api.post("/api/v1/sales/contracts/", payload, format="json")
    assert created.status_code == 201, created.content
    bad = api.post("/api/v1/sales/contracts/", {**payload, "amount": "100000.01"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "sales.plan_not_summing"
    assert Contract.objects.count() == 1
    submitted = api.post(f"/api/v1/sales/contracts/{created.json()['id']}/submit/")
    assert submitted.json()["status"] == "pending_review"
    assert api_as("other_rep").get(f"/api/v1/sales/contracts/{created.json()['id']}/").status_code == 404
    assert api_as("rep").post("/api/v1/sales/contracts/", payload, format="json").status_code == 403
