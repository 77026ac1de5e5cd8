"""Browser: a rep registers a deposit on an available unit (ORD-1), finance confirms it (ORD-2), the
head signs the order off (ORD-3), and the order ships with its documents checklist (SHP-1) and a
signed delivery receipt uploaded (SHP-2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tests.factories import CustomerFactory
from tests.personas import build_personas
from yingxiao.sales.models import Deposit, Order, PriceList, PriceListItem, Product, Shipment, StockItem

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login/" in url)


def _file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_ord_1_deposit_finance_confirms_head_signs_off_order_ships_with_signed_receipt(page):
    people = build_personas()
    product = Product.objects.create(code="CNC-100", name="数控机床", model="CNC-100A")
    price_list = PriceList.objects.create(name="价格表", effective_from=timezone.localdate(), currency="CNY")
    PriceListItem.objects.create(price_list=price_list, product=product, list_price=Decimal("10000.00"))
    unit = StockItem.objects.create(product=product, serial_no="SN-LAST")
    customer = CustomerFactory(name="甲机械有限公司", owner=people.rep, department=people.domestic)

    # The rep takes a deposit on the available unit from the stock page.
    login(page, "rep")
    page.goto("/sales/stock/")
    page.get_by_test_id("take-deposit").click()
    page.select_option("#id_customer", str(customer.pk))
    page.select_option("#id_kind", "full")
    page.fill("#id_amount", "20000")
    page.get_by_test_id("save-deposit").click()
    page.wait_for_url(lambda url: "/sales/deposits/" in url and "/new/" not in url)
    deposit = Deposit.objects.get()
    assert StockItem.objects.get(pk=unit.pk).status == StockItem.Status.RESERVED
    # The rep cannot confirm the money: a clear refusal, nothing changed (ORD-2).
    page.get_by_test_id("confirm-deposit").click()
    assert page.locator(".alert-danger").count() >= 1
    assert Deposit.objects.get(pk=deposit.pk).status == Deposit.Status.REGISTERED
    _logout(page)

    # Finance confirms it.
    login(page, "finance")
    page.goto(f"/sales/deposits/{deposit.pk}/")
    page.get_by_test_id("confirm-deposit").click()
    page.get_by_test_id("deposit-status").wait_for()
    assert Deposit.objects.get(pk=deposit.pk).status == Deposit.Status.CONFIRMED
    _logout(page)

    # The rep makes the order on the deposit and submits it.
    login(page, "rep")
    page.goto(f"/sales/deposits/{deposit.pk}/")
    page.get_by_test_id("order-from-deposit").click()
    page.select_option("#id_product_1", str(product.pk))
    page.fill("#id_quantity_1", "1")
    page.get_by_test_id("save-order").click()
    page.get_by_test_id("submit-order").click()
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING and order.deposit_id == deposit.pk
    _logout(page)

    # The department head signs it off.
    login(page, "head")
    page.goto(f"/sales/orders/{order.pk}/")
    page.get_by_test_id("approve-order").click()
    page.get_by_test_id("order-status").wait_for()
    order.refresh_from_db()
    assert order.effective_version == 1
    assert StockItem.objects.get(pk=unit.pk).status == StockItem.Status.SOLD
    _logout(page)

    # The rep ships it: the documents checklist first, then dispatch, then the signed receipt.
    login(page, "rep")
    page.goto(f"/sales/orders/{order.pk}/")
    page.fill("#id_carrier", "顺丰")
    page.get_by_test_id("create-shipment").click()
    page.get_by_test_id("checklist").wait_for()
    page.get_by_test_id("dispatch").click()  # refused: the checklist is empty
    assert page.locator(".alert-danger").count() >= 1
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
