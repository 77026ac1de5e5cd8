"""Receipts (ORD-2): only finance confirms money received — by service, API and page, for every
persona; allocation to instalments; reversal keeps the history; bad input changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.sales.money import money_world, pay, signed  # noqa: F401
from yingxiao.core.errors import BusinessError
from yingxiao.sales import services
from yingxiao.sales.models import Allocation, Instalment, Receipt

pytestmark = pytest.mark.django_db

NOT_FINANCE = ["director", "head", "rep", "teammate", "other_rep", "admin", "resource_director"]


def _received(contract) -> list[Decimal]:
    return list(Instalment.objects.filter(contract=contract).order_by("due_date").values_list("received", flat=True))


def test_ord_2_the_persona_lists_cover_every_persona(personas):
    assert set(personas.all()) == {*NOT_FINANCE, "finance"}


@pytest.mark.parametrize("persona", NOT_FINANCE)
def test_ord_2_only_finance_confirms_receipts_in_the_service(money, persona):
    contract = signed(money)
    with pytest.raises(BusinessError) as refused:
        services.receipt_confirm(
            actor=getattr(money.p, persona), contract=contract, amount="1000.00", received_on="2026-01-20"
        )
    assert refused.value.code == "sales.finance_only" and refused.value.status == 403
    assert not Receipt.objects.exists() and _received(contract) == [Decimal("0.00")] * 3


@pytest.mark.parametrize("persona", [*NOT_FINANCE, "finance"])
def test_ord_2_only_finance_confirms_receipts_in_the_api(money, persona):
    contract = signed(money)
    api = APIClient()
    api.force_authenticate(getattr(money.p, persona))
    payload = {"amount": "1000.00", "received_on": "2026-01-20"}
    for_contract = api.post(f"/api/v1/sales/contracts/{contract.pk}/receipts/", payload, format="json")
    direct = api.post("/api/v1/sales/receipts/", {**payload, "contract": contract.pk}, format="json")
    if persona == "finance":
        assert (for_contract.status_code, direct.status_code) == (201, 201)
        assert Receipt.objects.count() == 2
    else:
        for response in (for_contract, direct):
            assert response.status_code == 403
            assert response.json()["code"] == "sales.finance_only"
        assert not Receipt.objects.exists()


@pytest.mark.parametrize("persona", ["director", "head", "rep"])
def test_ord_2_page_refuses_non_finance_with_a_clear_message(money, client, persona):
    contract = signed(money)
    client.force_login(getattr(money.p, persona))
    response = client.post(
        f"/sales/contracts/{contract.pk}/receipts/", {"amount": "1000.00", "received_on": "2026-01-20"}, follow=True
    )
    assert response.status_code == 200
    assert "Only finance can confirm" in response.content.decode() or "只有财务" in response.content.decode()
    assert not Receipt.objects.exists()


def test_ord_2_finance_confirms_on_the_page(money, client):
    contract = signed(money)
    client.force_login(money.p.finance)
    page = client.get(f"/sales/contracts/{contract.pk}/")
    assert 'data-testid="receipt-form"' in page.content.decode()
    client.post(f"/sales/contracts/{contract.pk}/receipts/", {"amount": "1000.00", "received_on": "2026-01-20"})
    assert Receipt.objects.get().confirmed_by == money.p.finance
    client.force_login(money.p.rep)
    assert 'data-testid="receipt-form"' not in client.get(f"/sales/contracts/{contract.pk}/").content.decode()


def test_ord_2_money_goes_to_the_earliest_instalments_first(money):
    contract = signed(money)
    receipt = pay(money, contract, "45000.50")
    assert _received(contract) == [Decimal("30000.00"), Decimal("15000.50"), Decimal("0.00")]
    assert sum(a.amount for a in receipt.allocations.all()) == Decimal("45000.50")


def test_ord_2_explicit_allocations_must_add_up(money):
    contract = signed(money)
    final = contract.instalments.get(kind="final")
    with pytest.raises(BusinessError) as mismatch:
        pay(money, contract, "100.00", allocations=[{"instalment": final.pk, "amount": "99.99"}])
    assert mismatch.value.code == "sales.allocation_mismatch"
    with pytest.raises(BusinessError) as too_much:
        pay(money, contract, "20000.01", allocations=[{"instalment": final.pk, "amount": "20000.01"}])
    assert too_much.value.code == "sales.allocation_too_large"
    pay(money, contract, "100.00", allocations=[{"instalment": final.pk, "amount": "100.00"}])
    assert _received(contract) == [Decimal("0.00"), Decimal("0.00"), Decimal("100.00")]


@pytest.mark.parametrize("amount", ["-1.00", "0", "abc", "一千", "1.001", "", None, "NaN", "Infinity"])
def test_ord_2_bad_amounts_change_nothing(money, amount):
    contract = signed(money)
    with pytest.raises(BusinessError) as refused:
        pay(money, contract, amount)
    assert refused.value.code == "sales.bad_amount"
    assert not Receipt.objects.exists()


def test_ord_2_overpayment_and_unsigned_contract_refused(money):
    contract = signed(money)
    with pytest.raises(BusinessError) as over:
        pay(money, contract, "100000.01")
    assert over.value.code == "sales.overpayment"
    from tests.sales.money import draft

    unsigned = draft(money)
    with pytest.raises(BusinessError) as early:
        pay(money, unsigned, "1.00")
    assert early.value.code == "sales.contract_not_signed"
    assert not Receipt.objects.exists()


def test_ord_2_reversal_keeps_the_receipt_and_its_allocations(money):
    contract = signed(money)
    receipt = pay(money, contract, "35000.00")
    with pytest.raises(BusinessError) as by_rep:
        services.receipt_reverse(actor=money.p.rep, receipt=receipt, reason="错账")
    assert by_rep.value.code == "sales.finance_only"
    with pytest.raises(BusinessError) as no_reason:
        services.receipt_reverse(actor=money.p.finance, receipt=receipt, reason=" ")
    assert no_reason.value.code == "sales.reason_required"
    services.receipt_reverse(actor=money.p.finance, receipt=receipt, reason="银行退回")
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.REVERSED and receipt.reversed_by == money.p.finance
    assert Allocation.objects.filter(receipt=receipt).count() == 2  # kept, never deleted
    assert _received(contract) == [Decimal("0.00")] * 3
    with pytest.raises(BusinessError) as twice:
        services.receipt_reverse(actor=money.p.finance, receipt=receipt, reason="again")
    assert twice.value.code == "sales.receipt_reversed"
    assert receipt.history.count() == 2


def test_org_5_receipts_are_scoped(money, api_as):
    mine, theirs = signed(money), signed(money, money.other_customer)
    pay(money, mine, "10.00")
    other = pay(money, theirs, "20.00")
    listed = api_as("rep").get("/api/v1/sales/receipts/").json()
    assert [row["amount"] for row in listed["results"]] == ["10.00"]
    assert api_as("rep").get(f"/api/v1/sales/receipts/{other.pk}/").status_code == 404
    assert api_as("director").get(f"/api/v1/sales/receipts/{other.pk}/").status_code == 200


def test_prf_3_commission_is_the_policy_rate_of_the_months_confirmed_receipts(money):
    import datetime as dt

    from yingxiao.performance.models import PayLine
    from yingxiao.performance.pay import pay_providers

    contract = signed(money)
    kept = pay(money, contract, "30000.00", on="2026-01-20")
    reversed_ = pay(money, contract, "5000.00", on="2026-01-25")
    services.receipt_reverse(actor=money.p.finance, receipt=reversed_, reason="银行退回")
    pay(money, contract, "10000.00", on="2026-02-03")  # next month
    provider = pay_providers()["commission"]
    lines = list(provider(dt.date(2026, 1, 1), [money.p.rep.pk, money.p.teammate.pk]))
    assert len(lines) == 1
    person_id, line = lines[0]
    assert person_id == money.p.rep.pk and line.kind == PayLine.Kind.COMMISSION
    assert line.amount == Decimal("600.00")  # 2% of 30,000.00
    assert (line.source_model, line.source_ids) == ("sales.Receipt", (kept.pk,))
