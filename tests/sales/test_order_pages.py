"""The stock, deposit, order and shipment pages render for the roles that use them (Chinese by
default), with no inline script (strict CSP), and the navigation lists them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.csp import inline_code
from yingxiao.sales.services import deposits as deposit_services
from yingxiao.sales.services import shipments as shipment_services

from .deal_fixtures import deal  # noqa: F401

pytestmark = pytest.mark.django_db


def test_ord_1_every_page_renders_for_the_sales_office_and_the_director(deal, client) -> None:  # noqa: F811
    deposit = deposit_services.deposit_register(
        actor=deal.p.rep, customer=deal.customer, item=deal.item, kind="small", amount="100"
    )
    order = deal.order(effective=True)
    shipment = shipment_services.shipment_create(actor=deal.p.rep, order=order)
    pages = [
        reverse("sales:stock"),
        reverse("sales:stock_create"),
        reverse("sales:stock_move", args=[deal.other_item.pk]),
        reverse("sales:deposits"),
        reverse("sales:deposit_create"),
        reverse("sales:deposit_detail", args=[deposit.pk]),
        reverse("sales:deposit_receipt", args=[deposit.pk]),
        reverse("sales:orders"),
        reverse("sales:order_create"),
        reverse("sales:order_detail", args=[order.pk]),
        reverse("sales:production_summary"),
        reverse("sales:shipments"),
        reverse("sales:shipment_detail", args=[shipment.pk]),
        reverse("sales:spot_checks"),
    ]
    client.force_login(deal.p.director)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not inline_code(html), url
    client.force_login(deal.office)
    for url in pages[:-1]:
        if "stock/new" in url or "/move/" in url:
            continue
        assert client.get(url).status_code == 200, url
    html = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="plan-form"' in html and "订单" in html  # the sales office plans production (ORD-4)


def test_ord_3_navigation_lists_the_registers(deal, client) -> None:  # noqa: F811
    client.force_login(deal.p.rep)
    html = client.get("/").content.decode()
    for name in ("sales:deposits", "sales:orders", "sales:stock", "sales:shipments"):
        assert reverse(name) in html, name
    client.force_login(deal.p.admin)  # no sales roles: no entries
    html = client.get("/").content.decode()
    assert reverse("sales:orders") not in html
