"""Sales API per persona (tests/api/base.py) and pages; QUO-4 confidential fields per persona in UI and API."""

from __future__ import annotations

import pytest

from tests.api.base import ApiResourceChecks, Expect, assert_error_format
from tests.factories import CustomerFactory
from tests.web.csp import inline_code
from yingxiao.sales import services
from yingxiao.sales.models import Quote, QuoteLine

pytestmark = pytest.mark.django_db

ALL_READ = Expect(sees=True, sees_other=True)


def _quote_for(world, owner, department):
    customer = CustomerFactory(owner=owner, department=department)
    return services.quote_create(
        actor=owner, customer=customer, lines=[{"product": world.product.pk, "quantity": "1", "discount_pct": "2"}]
    )


class TestQuoteApi(ApiResourceChecks):
    url = "/api/v1/sales/quotes/"
    model = Quote
    expect = {
        "director": Expect(sees=True, sees_other=True, creates=True),
        "head": Expect(sees=True, creates=True),
        "rep": Expect(sees=True, creates=True),
        "teammate": Expect(),  # own scope: the rep's customer is not theirs (404 on create)
        "other_rep": Expect(sees_other=True),
        "finance": ALL_READ,
        "admin": Expect(),
        "resource_director": Expect(),
    }
    bad_create = {
        "blacklisted": lambda p: {
            "customer": CustomerFactory(owner=p.rep, department=p.domestic, is_blacklisted=True).pk,
        },
        "out_of_scope_customer": lambda p: {
            "customer": CustomerFactory(owner=p.other_rep, department=p.international).pk
        },
        "unknown_customer": {"customer": 10**12},
        "customer_not_a_number": {"customer": "甲"},
        "bad_currency": lambda p: {
            "customer": CustomerFactory(owner=p.rep, department=p.domestic).pk,
            "currency": "XX",
        },
        "zero_quantity": lambda p: _with_line(p, quantity="0"),
        "discount_100": lambda p: _with_line(p, discount_pct="100"),
        "non_numeric_discount": lambda p: _with_line(p, discount_pct="八折"),
        "unknown_product": lambda p: _with_line(p, product=10**9),
        "malformed_json": '{"customer": ',
    }
    write_as = "rep"

    @pytest.fixture(autouse=True)
    def _world(self, world):
        self.world = world

    def in_scope(self, p):
        return _quote_for(self.world, p.rep, p.domestic)

    def out_of_scope(self, p):
        return _quote_for(self.world, p.other_rep, p.international)

    def create_payload(self, p):
        return _with_line(p)


def _with_line(p, **line):
    from yingxiao.sales.models import Product

    customer = CustomerFactory(owner=p.rep, department=p.domestic)
    row = {"product": Product.objects.get(code="CNC-100").pk, "quantity": "2", "discount_pct": "3", **line}
    return {"customer": customer.pk, "lines": [row]}


def test_quo_2_api_submit_send_and_the_archived_version(world, api_as, rep_customer):
    client = api_as("rep")
    body = client.post(
        "/api/v1/sales/quotes/",
        {"customer": rep_customer.pk, "lines": [{"product": world.product.pk, "quantity": 1, "discount_pct": 8.5}]},
        format="json",
    ).json()
    assert body["revisions"][0]["lines"][0]["unit_price"] == "9150.00"
    url = f"/api/v1/sales/quotes/{body['id']}/"
    assert client.post(url + "submit/").json()["status"] == "pending_price"
    refused = assert_error_format(client.post(url + "send/"), 409)
    assert refused["code"] == "sales.not_ready"


def test_cus_3_api_blacklisted_customer_gets_a_clear_message(world, api_as):
    customer = CustomerFactory(name="黑名单公司", owner=world.p.rep, department=world.p.domestic, is_blacklisted=True)
    body = assert_error_format(
        api_as("rep").post("/api/v1/sales/quotes/", {"customer": customer.pk}, format="json"), 409
    )
    assert body["code"] == "sales.customer_blacklisted" and "黑名单公司" in body["message"]


# --- QUO-4: confidential fields per persona ----------------------------------------------------------
CONFIDENTIAL = {"director": True, "finance": True, "head": False, "rep": False, "other_rep": False}


@pytest.mark.parametrize(("persona", "sees"), sorted(CONFIDENTIAL.items()))
def test_quo_4_costs_and_drawings_hidden_in_the_api(world, api_as, persona, sees):
    client = api_as(persona)
    product = client.get(f"/api/v1/sales/products/{world.product.pk}/").json()
    assert ("drawing" in product) == sees
    price_list = client.get(f"/api/v1/sales/price-lists/{world.price_list.pk}/").json()
    item = price_list["items"][0]
    assert item["list_price"] == "10000.00"
    assert ("cost" in item) == sees
    raw = client.get("/api/v1/sales/price-lists/").content.decode() + str(product)
    assert ("6123.45" in raw) == sees and ("DWG-CNC-100" in raw) == sees


@pytest.mark.parametrize(("persona", "sees"), sorted(CONFIDENTIAL.items()))
def test_quo_4_costs_and_drawings_hidden_in_the_pages(world, client, persona, sees):
    client.force_login(getattr(world.p, persona))
    for url in ("/sales/products/", f"/sales/price-lists/{world.price_list.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert ("6123.45" in html) == sees, url
        assert ('data-testid="cost-column"' in html) == sees
    assert ("DWG-CNC-100" in client.get("/sales/products/").content.decode()) == sees


def test_quo_4_quoting_engineer_sees_costs(world, client):
    client.force_login(world.quoter)
    assert "6123.45" in client.get("/sales/products/").content.decode()


# --- pages --------------------------------------------------------------------------------------------
def test_quote_pages_create_add_lines_by_htmx_submit_and_send(world, client, rep_customer):
    client.force_login(world.p.rep)
    response = client.post("/sales/quotes/new/", {"customer": rep_customer.pk, "currency": "CNY"})
    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sales/quotes/{quote.pk}/"
    response = client.post(
        f"/sales/quotes/{quote.pk}/lines/",
        {"product": world.product.pk, "quantity": "2", "discount_pct": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "19200.00" in response.content.decode()
    bad = client.post(
        f"/sales/quotes/{quote.pk}/lines/", {"product": world.product.pk, "quantity": "-1"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="field-error"' in bad.content.decode()
    assert QuoteLine.objects.count() == 1
    client.post(f"/sales/quotes/{quote.pk}/submit/")
    client.post(f"/sales/quotes/{quote.pk}/send/")
    page = client.get(f"/sales/quotes/{quote.pk}/")
    html = page.content.decode()
    assert "v1.pdf" in html and inline_code(html) == []
    pdf = client.get(f"/sales/quotes/{quote.pk}/v1.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get("/sales/quotes/").status_code == 200


def test_cus_3_page_shows_the_blacklist_message(world, client):
    customer = CustomerFactory(name="黑名单公司", owner=world.p.rep, department=world.p.domestic, is_blacklisted=True)
    client.force_login(world.p.rep)
    response = client.post("/sales/quotes/new/", {"customer": customer.pk, "currency": "CNY"})
    assert response.status_code == 200
    assert "黑名单公司" in response.content.decode() and not Quote.objects.exists()


def test_org_5_quote_pages_are_scoped(world, client):
    theirs = _quote_for(world, world.p.other_rep, world.p.international)
    client.force_login(world.p.rep)
    assert client.get(f"/sales/quotes/{theirs.pk}/").status_code == 404
    assert theirs.number not in client.get("/sales/quotes/").content.decode()
    client.force_login(world.p.director)
    assert theirs.number in client.get("/sales/quotes/").content.decode()


def test_quo_1_queue_page_shows_the_due_time_to_the_quoter(world, client, rep_customer):
    request = services.quote_request_create(
        actor=world.p.rep, customer=rep_customer, product=world.product.pk, quantity="1", configuration="特殊电压"
    )
    client.force_login(world.quoter)
    html = client.get("/sales/requests/").content.decode()
    assert "特殊电压" in html and 'data-testid="quoting-queue"' in html and inline_code(html) == []
    response = client.post(f"/sales/requests/{request.pk}/answer/", {"unit_price": "12345.67"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert not request.is_open and request.quote.owner == world.p.rep


@pytest.mark.parametrize(
    "url", ["/sales/quotes/", "/sales/quotes/new/", "/sales/products/", "/sales/price-lists/", "/sales/requests/",
            "/sales/requests/new/"],
)  # fmt: skip
@pytest.mark.parametrize("persona", ["director", "rep", "admin", "finance"])
def test_sales_pages_render_under_the_strict_csp(world, client, url, persona):
    client.force_login(getattr(world.p, persona))
    response = client.get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    if response.status_code == 200:
        assert inline_code(response.content.decode()) == []


def test_price_list_management_only_for_permitted_roles(world, client):
    import datetime as dt

    from django.utils import timezone

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    client.force_login(world.p.rep)
    assert (
        client.post("/sales/price-lists/", {"name": "x", "effective_from": tomorrow, "currency": "CNY"}).status_code
        == 403
    )
    client.force_login(world.p.director)
    response = client.post(
        "/sales/price-lists/",
        {"name": "下季度", "effective_from": tomorrow, "currency": "CNY", "copy_from": world.price_list.pk},
    )
    assert response.status_code == 302
    from yingxiao.sales.models import PriceList

    new = PriceList.objects.get(name="下季度")
    assert new.items.get().list_price == world.item.list_price
    client.post(f"/sales/price-lists/{new.pk}/", {"product": world.product.pk, "list_price": "11000", "cost": "7000"})
    assert new.items.get().list_price == 11000
    frozen = client.post(f"/sales/price-lists/{world.price_list.pk}/", {"product": world.product.pk, "list_price": "1"})
    assert frozen.status_code == 200
    world.item.refresh_from_db()
    assert world.item.list_price == 10000
