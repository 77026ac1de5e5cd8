"""The contract ↔ order link and deposits as money received (ORD-2, ORD-3, CON-1, CON-3, CUS-3).

A contract drafted from an order (``Contract.order``) collects the order's deposit once finance has
confirmed it: the deposit becomes a receipt on the contract (dated the day finance confirmed it,
referenced with the deposit number), allocated earliest-due first — the prepayment instalment —
and 回款率 counts it. Whichever comes second applies it (finance confirming the deposit, or the
contract being signed); it is never counted twice; refunding the deposit takes it back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import CustomerFactory
from tests.sales.money import money_world, pay, pending, scan  # noqa: F401
from yingxiao.approvals.services import approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import Role
from yingxiao.sales import kpis, services
from yingxiao.sales.models import Allocation, Contract, Deposit, Instalment, Receipt
from yingxiao.sales.services import deposits as deposit_services
from yingxiao.sales.services.deposit_receipts import deposit_apply, deposit_apply_to_contract

from .deal_fixtures import deal  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
YEAR = dt.date.today().year


def grant_commerce_order_view() -> None:
    """``sales.view_order`` for the commerce group: it drafts contracts from orders (requested in
    ``yingxiao/org/roles.py`` from its owner; until then the tests grant it)."""
    Role.objects.get(code="commerce").permissions.add(
        Permission.objects.get(content_type__app_label="sales", codename="view_order")
    )


def _plan() -> list[dict[str, str]]:
    return [
        {"kind": "prepayment", "due_date": f"{YEAR}-01-10", "amount": "30000.00"},
        {"kind": "progress", "due_date": f"{YEAR}-03-15", "amount": "50000.00"},
        {"kind": "final", "due_date": f"{YEAR}-06-30", "amount": "20000.00"},
    ]


def _deposit(deal, amount: str = "20000") -> Deposit:  # noqa: F811
    return deposit_services.deposit_register(
        actor=deal.p.rep, customer=deal.customer, item=deal.item, kind="full", amount=amount
    )


def _order(deal, deposit: Deposit | None, *, effective: bool = True):  # noqa: F811
    return deal.order(effective=effective, deposit=deposit.pk if deposit else None)


def _contract(money, deal, order, *, sign: bool = True) -> Contract:  # noqa: F811
    grant_commerce_order_view()
    contract = services.contract_create(
        actor=money.commerce,
        customer=deal.customer,
        title="数控机床采购合同",
        amount="100000.00",
        instalments=_plan(),
        order=order,
    )
    if sign:
        services.contract_submit(actor=money.commerce, contract=contract)
        approval_decide(actor=money.p.director, instance=pending("contract_review"), decision="approve")
        contract = services.contract_sign(actor=money.commerce, contract=contract, signed_on=f"{YEAR}-01-05")
    return contract


def _received(contract: Contract) -> list[Decimal]:
    return list(Instalment.objects.filter(contract=contract).order_by("due_date").values_list("received", flat=True))


def _rate(viewer) -> Decimal | None:
    return kpis.collection_rate(viewer, kpis.Period.year(YEAR)).value


# --- the link (ORD-3 ↔ CON-1) -----------------------------------------------------------------------
def test_con_1_contract_drafted_from_an_order_is_linked_to_it(money, deal):  # noqa: F811
    order = _order(deal, None)
    contract = _contract(money, deal, order, sign=False)
    assert contract.order_id == order.pk and list(order.contracts.all()) == [contract]


def test_con_1_contract_from_an_order_of_another_customer_is_refused_nothing_written(money, deal):  # noqa: F811
    order = _order(deal, None)
    grant_commerce_order_view()
    other = CustomerFactory(name="乙机械有限公司", owner=money.p.rep, department=money.p.domestic)
    with pytest.raises(BusinessError) as refused:
        services.contract_create(
            actor=money.commerce, customer=other, title="合同", amount="100000.00", instalments=_plan(), order=order
        )
    assert refused.value.code == "sales.contract_order_mismatch"
    assert not Contract.objects.exists()


def test_org_5_contract_from_an_order_out_of_scope_is_404(money, deal):  # noqa: F811
    order = _order(deal, None)
    grant_commerce_order_view()
    with pytest.raises(BusinessError) as refused:  # 国际部's commerce does not see 国内部's order
        services.contract_create(
            actor=money.commerce_intl,
            customer=money.other_customer,
            title="合同",
            amount="100000.00",
            instalments=_plan(),
            order=order,
        )
    assert refused.value.status == 404 and not Contract.objects.exists()


def test_cus_3_contract_from_an_order_of_a_blacklisted_customer_is_refused(money, deal):  # noqa: F811
    order = _order(deal, None)
    deal.customer.is_blacklisted = True
    deal.customer.save(update_fields=["is_blacklisted"])
    grant_commerce_order_view()
    with pytest.raises(BusinessError) as refused:
        services.contract_create(
            actor=money.commerce,
            customer=deal.customer,
            title="合同",
            amount="100000.00",
            instalments=_plan(),
            order=order,
        )
    assert refused.value.code == "sales.contract_blacklisted" and not Contract.objects.exists()


# --- the deposit counts toward collection (ORD-2, CON-3) --------------------------------------------
def test_ord_2_con_3_deposit_confirmed_by_finance_counts_on_the_signed_contracts_first_instalment(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    contract = _contract(money, deal, _order(deal, deposit))
    assert _received(contract) == [D("0.00")] * 3 and _rate(money.p.director) == D("0.00")

    deposit_services.deposit_confirm(actor=money.p.finance, deposit=deposit)

    receipt = Receipt.objects.get(contract=contract)
    assert receipt.deposit_id == deposit.pk and receipt.amount == D("20000.00")
    assert receipt.confirmed_by_id == money.p.finance.pk and receipt.reference == deposit.number
    assert _received(contract) == [D("20000.00"), D("0.00"), D("0.00")]
    assert list(Allocation.objects.filter(receipt=receipt).values_list("amount", flat=True)) == [D("20000.00")]
    # 回款率: 20,000 of the 100,000 due this year, for the director and for the owning rep.
    assert _rate(money.p.director) == D("20.00") and _rate(money.p.rep) == D("20.00")


def test_ord_2_con_3_deposit_confirmed_before_the_contract_counts_when_it_is_signed(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    deposit_services.deposit_confirm(actor=money.p.finance, deposit=deposit)
    contract = _contract(money, deal, _order(deal, deposit), sign=False)
    assert not Receipt.objects.exists()  # a draft is not a receivable yet (CON-1)
    services.contract_submit(actor=money.commerce, contract=contract)
    approval_decide(actor=money.p.director, instance=pending("contract_review"), decision="approve")
    services.contract_sign(actor=money.commerce, contract=contract, signed_on=f"{YEAR}-01-05")
    assert _received(contract) == [D("20000.00"), D("0.00"), D("0.00")]
    assert Receipt.objects.get().deposit_id == deposit.pk


def test_ord_2_a_deposit_larger_than_the_first_instalment_runs_into_the_next(money, deal):  # noqa: F811
    deposit = _deposit(deal, amount="45000.50")
    contract = _contract(money, deal, _order(deal, deposit))
    deposit_services.deposit_confirm(actor=money.p.finance, deposit=deposit)
    assert _received(contract) == [D("30000.00"), D("15000.50"), D("0.00")]


def test_ord_2_a_rep_cannot_confirm_the_deposit_so_nothing_is_collected(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    contract = _contract(money, deal, _order(deal, deposit))
    with pytest.raises(BusinessError) as refused:
        deposit_services.deposit_confirm(actor=money.p.rep, deposit=deposit)
    assert refused.value.code == "sales.finance_only"
    assert not Receipt.objects.exists() and _received(contract) == [D("0.00")] * 3


def test_ord_2_an_unconfirmed_deposit_does_not_count_when_the_contract_is_signed(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    contract = _contract(money, deal, _order(deal, deposit))
    assert not Receipt.objects.exists() and _received(contract) == [D("0.00")] * 3


def test_con_3_deposit_entered_again_by_hand_is_refused_no_double_counting(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    contract = _contract(money, deal, _order(deal, deposit))
    deposit_services.deposit_confirm(actor=money.p.finance, deposit=deposit)
    for extra in ({"deposit": deposit.pk}, {"reference": deposit.number}):
        with pytest.raises(BusinessError) as refused:
            pay(money, contract, "20000.00", on=f"{YEAR}-01-20", **extra)
        assert refused.value.code == "sales.deposit_already_received"
    assert Receipt.objects.count() == 1 and _received(contract) == [D("20000.00"), D("0.00"), D("0.00")]


def test_con_3_deposit_finance_entered_by_hand_first_is_not_applied_again(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    contract = _contract(money, deal, _order(deal, deposit))
    deposit_services.deposit_confirm(actor=money.p.finance, deposit=deposit)
    automatic = Receipt.objects.get()
    services.receipt_reverse(actor=money.p.finance, receipt=automatic, reason="按银行流水重新录入")
    manual = pay(money, contract, "20000.00", on=f"{YEAR}-01-21", reference=deposit.number)
    assert manual.deposit_id == deposit.pk
    # Signing or confirming again would re-apply: it does not, the deposit already counts.
    assert deposit_apply(deposit) is None and deposit_apply_to_contract(contract) is None
    assert _received(contract) == [D("20000.00"), D("0.00"), D("0.00")]
    assert _rate(money.p.director) == D("20.00")


def test_ord_2_a_receipt_naming_another_deposit_is_refused(money, deal):  # noqa: F811
    contract = _contract(money, deal, _order(deal, _deposit(deal)))
    stranger = deposit_services.deposit_register(
        actor=deal.p.rep, customer=deal.customer, item=deal.other_item, kind="small", amount="500"
    )
    with pytest.raises(BusinessError) as refused:
        pay(money, contract, "500.00", on=f"{YEAR}-01-20", deposit=stranger.pk)
    assert refused.value.code == "sales.deposit_not_receivable" and not Receipt.objects.exists()


def test_ord_2_only_finance_reverses_a_deposit_receipt(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    _contract(money, deal, _order(deal, deposit))
    deposit_services.deposit_confirm(actor=money.p.finance, deposit=deposit)
    with pytest.raises(BusinessError) as refused:
        services.receipt_reverse(actor=money.p.rep, receipt=Receipt.objects.get(), reason="x")
    assert refused.value.code == "sales.finance_only"
    assert Receipt.objects.get().status == Receipt.Status.CONFIRMED


def test_ord_2_refunding_the_deposit_takes_it_back_from_the_contract(money, deal):  # noqa: F811
    deposit = _deposit(deal)
    contract = _contract(money, deal, _order(deal, deposit, effective=False))
    deposit_services.deposit_confirm(actor=money.p.finance, deposit=deposit)
    assert _received(contract)[0] == D("20000.00")
    deposit_services.deposit_refund(actor=money.p.finance, deposit=deposit, reason="客户取消")
    receipt = Receipt.objects.get()
    assert receipt.status == Receipt.Status.REVERSED and receipt.reversed_by_id == money.p.finance.pk
    assert _received(contract) == [D("0.00")] * 3 and _rate(money.p.director) == D("0.00")


# --- pages ------------------------------------------------------------------------------------------
def test_con_1_order_page_offers_commerce_a_contract_prefilled_from_the_order(client, money, deal):  # noqa: F811
    deposit = _deposit(deal)
    order = _order(deal, deposit)
    grant_commerce_order_view()
    client.force_login(money.commerce)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert f"{reverse('sales:contract_create')}?order={order.pk}" in page
    form = client.get(reverse("sales:contract_create"), {"order": order.pk})
    assert form.status_code == 200
    assert form.context["data"]["amount"] == f"{order.total:.2f}"
    assert form.context["data"]["customer"] == str(deal.customer.pk) and order.number in form.content.decode()
    posted = {
        "order": order.pk,
        "customer": deal.customer.pk,
        "title": "合同",
        "amount": "100000.00",
        **{f"{key}_{i}": row[name] for i, row in enumerate(_plan(), 1) for key, name in (
            ("kind", "kind"), ("due", "due_date"), ("amount", "amount"))},
    }  # fmt: skip
    response = client.post(reverse("sales:contract_create"), posted)
    contract = Contract.objects.get()
    assert response.status_code == 302 and contract.order_id == order.pk
    detail = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    assert reverse("sales:order_detail", args=[order.pk]) in detail


def test_con_1_a_rep_gets_no_draft_contract_action_and_no_form(client, money, deal):  # noqa: F811
    order = _order(deal, None)
    client.force_login(money.p.rep)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="draft-contract"' not in page
    assert client.get(reverse("sales:contract_create"), {"order": order.pk}).status_code == 403


def test_org_5_contract_form_for_an_order_out_of_scope_is_404(client, money, deal):  # noqa: F811
    order = _order(deal, None)
    grant_commerce_order_view()
    client.force_login(money.commerce_intl)
    assert client.get(reverse("sales:contract_create"), {"order": order.pk}).status_code == 404
