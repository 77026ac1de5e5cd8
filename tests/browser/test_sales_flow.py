"""Browser: the whole sales pipeline, from quote to money on the dashboard (QUO-2, ORD-1…3, CON-1, ORD-2,
SHP-1, SHP-2, CON-3).

A rep of 华东组 — a sales group with no manager of its own, so the next head up, the sales director,
approves for it — quotes with an 8% discount (beyond the 5% float: QUO-2), the director approves,
the rep sends the quote and takes the customer's full deposit (大定) on the unit (ORD-1), makes the
order at the quoted price, the director signs it off (ORD-3); the commerce group drafts the contract
from the order (pre-filled), the director reviews it, commerce signs it (CON-1). Finance then
confirms the deposit (ORD-2): it counts as received on the contract's prepayment, and 回款率 on the
director's dashboard moves (CON-3). The order ships with its documents checklist and the signed
delivery receipt (SHP-1, SHP-2).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.browser.conftest import login
from tests.factories import AssignmentFactory, CustomerFactory, DepartmentFactory, UserFactory
from tests.personas import build_personas
from yingxiao.org.models import Position, Role
from yingxiao.sales.models import (
    Contract,
    Deposit,
    Order,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    Receipt,
    Shipment,
    StockItem,
)

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login/" in url)


def _file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _dashboard_rate(page, year: int) -> str:
    page.goto(f"/reports/?period={year}")
    return page.get_by_test_id("kpi-link-collection_rate").inner_text().strip()


def test_quo_2_to_con_3_quote_approved_deposit_confirmed_order_shipped_and_the_collection_rate_moves(page):
    people = build_personas()
    director_post = Position.objects.get(department=people.center, role__code="sales_director")
    east = DepartmentFactory(name="华东组", code="east", parent=people.center)
    rep_post = Position.objects.create(
        title="销售代表", department=east, role=Role.objects.get(code="sales_rep"), superior=director_post
    )
    rep = UserFactory(username="rep_east", display_name="孙华东")
    AssignmentFactory(user=rep, position=rep_post)
    commerce_role = Role.objects.get(code="commerce")
    # The commerce group drafts contracts from orders, so it reads them (requested in org/roles.py).
    commerce_role.permissions.add(Permission.objects.get(content_type__app_label="sales", codename="view_order"))
    commerce = UserFactory(username="commerce", display_name="商务小周")
    commerce_post = Position.objects.create(title="商务", department=people.center, role=commerce_role)
    AssignmentFactory(user=commerce, position=commerce_post)
    product = Product.objects.create(code="CNC-900", name="数控机床", model="CNC-900A", unit="台")
    price_list = PriceList.objects.create(name="价格表", effective_from=timezone.localdate(), currency="CNY")
    PriceListItem.objects.create(price_list=price_list, product=product, list_price=Decimal("100000.00"))
    unit = StockItem.objects.create(product=product, serial_no="SN-900-01")
    customer = CustomerFactory(name="甲机械有限公司", owner=rep, department=east)
    year = timezone.localdate().year

    # The rep quotes with an 8% discount: beyond the float, so it waits for approval (QUO-2).
    login(page, "rep_east")
    page.goto("/sales/quotes/new/")
    page.select_option("#id_customer", str(customer.pk))
    page.get_by_test_id("quote-form").locator("button[type=submit]").click()
    page.get_by_test_id("line-form").wait_for()
    page.select_option("#id_product", str(product.pk))
    page.fill("#id_quantity", "1")
    page.fill("#id_discount_pct", "8")
    page.get_by_test_id("line-form").locator("button[type=submit]").click()
    page.get_by_test_id("quote-total").filter(has_text="92000.00").wait_for()
    page.get_by_test_id("submit-quote").click()
    page.get_by_test_id("submit-quote").wait_for(state="detached")
    quote = Quote.objects.get()
    assert quote.status == Quote.Status.PENDING_PRICE
    assert page.get_by_test_id("send-quote").count() == 0  # nothing goes out before the approval
    _logout(page)

    # The director approves the discount from the inbox (the group has no head: the next one up).
    login(page, "director")
    page.goto("/approvals/")
    page.get_by_test_id("approval-list").get_by_role("link", name=customer.name).first.click()
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Quote.objects.get().status == Quote.Status.READY
    _logout(page)

    # The rep sends the quote, then takes the customer's full deposit on the unit (ORD-1).
    login(page, "rep_east")
    page.goto(f"/sales/quotes/{quote.pk}/")
    page.get_by_test_id("send-quote").click()
    page.get_by_test_id("quote-versions").wait_for()
    assert Quote.objects.get().status == Quote.Status.SENT
    page.goto("/sales/stock/")
    page.get_by_test_id("take-deposit").click()
    page.select_option("#id_customer", str(customer.pk))
    page.select_option("#id_kind", "full")
    page.fill("#id_amount", "20000")
    page.get_by_test_id("save-deposit").click()
    page.wait_for_url(lambda url: "/sales/deposits/" in url and "/new/" not in url)
    deposit = Deposit.objects.get()
    assert deposit.status == Deposit.Status.REGISTERED
    assert StockItem.objects.get(pk=unit.pk).status == StockItem.Status.RESERVED
    # The order on the deposit, at the quoted price; submitted for sign-off (ORD-3).
    page.get_by_test_id("order-from-deposit").click()
    page.select_option("#id_product_1", str(product.pk))
    page.fill("#id_quantity_1", "1")
    page.fill("#id_unit_price_1", "92000.00")
    page.get_by_test_id("save-order").click()
    page.get_by_test_id("submit-order").click()
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING and order.deposit_id == deposit.pk
    assert order.total == Decimal("92000.00")
    _logout(page)

    # The director (the rep's superior) signs the order off.
    login(page, "director")
    page.goto(f"/sales/orders/{order.pk}/")
    page.get_by_test_id("approve-order").click()
    page.get_by_test_id("order-status").wait_for()
    assert Order.objects.get().effective_version == 1
    _logout(page)

    # Commerce drafts the contract from the order: customer, amount and the link are pre-filled.
    login(page, "commerce")
    page.goto(f"/sales/orders/{order.pk}/")
    page.get_by_test_id("draft-contract").click()
    page.get_by_test_id("contract-order").wait_for()
    assert page.input_value("#amount") == "92000.00"
    assert page.input_value("#customer") == str(customer.pk)
    for i, (kind, due, amount) in enumerate(
        [("prepayment", f"{year}-01-10", "27600.00"), ("progress", f"{year}-06-15", "46000.00"),
         ("final", f"{year}-12-20", "18400.00")],
        start=1,
    ):  # fmt: skip
        page.select_option(f"select[name=kind_{i}]", kind)
        page.fill(f"input[name=due_{i}]", due)
        page.fill(f"input[name=amount_{i}]", amount)
    page.get_by_test_id("save-contract").click()
    page.get_by_test_id("submit-contract").click()
    contract = Contract.objects.get()
    assert contract.order_id == order.pk and contract.status == Contract.Status.PENDING_REVIEW
    _logout(page)

    # The director reviews the contract (CON-1).
    login(page, "director")
    page.goto("/approvals/")
    page.get_by_test_id("approval-list").get_by_role("link", name=contract.number).click()
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Contract.objects.get().status == Contract.Status.APPROVED
    _logout(page)

    # Commerce signs it; the order page now shows its contract.
    login(page, "commerce")
    page.goto(f"/sales/contracts/{contract.pk}/")
    page.get_by_test_id("sign-contract").click()
    page.get_by_test_id("contract-status").wait_for()
    assert Contract.objects.get().status == Contract.Status.SIGNED
    page.goto(f"/sales/orders/{order.pk}/")
    assert page.get_by_test_id("order-contract").inner_text().strip() == contract.number
    _logout(page)

    # The director's dashboard before the money is confirmed: nothing collected on 92,000 due.
    login(page, "director")
    before = _dashboard_rate(page, year)
    assert before == "0.0%"
    _logout(page)

    # The rep cannot confirm the deposit (ORD-2); finance does.
    login(page, "rep_east")
    page.goto(f"/sales/deposits/{deposit.pk}/")
    page.get_by_test_id("confirm-deposit").click()
    assert page.locator(".alert-danger").count() >= 1
    assert Deposit.objects.get().status == Deposit.Status.REGISTERED and not Receipt.objects.exists()
    _logout(page)
    login(page, "finance")
    page.goto(f"/sales/deposits/{deposit.pk}/")
    page.get_by_test_id("confirm-deposit").click()
    page.get_by_test_id("deposit-status").wait_for()
    assert Deposit.objects.get().status == Deposit.Status.CONFIRMED
    # The deposit is the contract's first money received, on its prepayment instalment.
    page.goto(f"/sales/contracts/{contract.pk}/")
    assert page.get_by_test_id("deposit-receipt").count() == 1
    receipt = Receipt.objects.get()
    assert receipt.deposit_id == deposit.pk and receipt.amount == Decimal("20000.00")
    _logout(page)

    # The rep ships the order: the documents checklist, dispatch, the signed delivery receipt.
    login(page, "rep_east")
    page.goto(f"/sales/orders/{order.pk}/")
    page.fill("#id_carrier", "顺丰")
    page.get_by_test_id("create-shipment").click()
    page.get_by_test_id("checklist").wait_for()
    for kind in ("technical", "manual", "certificate", "packing_list"):
        page.select_option("#id_kind", kind)
        page.set_input_files("#id_file", _file(f"{kind}.pdf"))
        page.get_by_test_id("upload-document").click()
        page.get_by_test_id(f"review-{kind}").click()
    page.get_by_test_id("dispatch").click()
    page.get_by_test_id("receipt-form").wait_for()
    page.set_input_files("#id_file", _file("签收单.pdf"))
    page.get_by_test_id("upload-receipt").click()
    page.get_by_test_id("receipt-archived").wait_for()
    shipment = Shipment.objects.get()
    assert shipment.status == Shipment.Status.DELIVERED and shipment.receipt
    _logout(page)

    # 回款率 on the director's dashboard has moved: 20,000 of 92,000 due this year.
    login(page, "director")
    after = _dashboard_rate(page, year)
    assert after == "21.7%" and after != before
    page.get_by_test_id("kpi-link-collection_rate").click()
    assert contract.number in page.content()
