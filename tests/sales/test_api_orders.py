"""Sales API for deposits and orders per persona (tests/api/base.py): scope (ORG-5, ORD-3), writes
through the services, bad input refused with a code and nothing changed."""

from __future__ import annotations

import itertools

import pytest

from tests.api.base import ApiResourceChecks, Expect
from tests.factories import CustomerFactory
from yingxiao.sales.models import Deposit, Order, Product, StockItem
from yingxiao.sales.services import deposits as deposit_services
from yingxiao.sales.services import orders as order_services

pytestmark = pytest.mark.django_db
_serials = itertools.count(1)


def _unit() -> StockItem:
    return StockItem.objects.create(product=Product.objects.get(code="CNC-100"), serial_no=f"API-{next(_serials)}")


def _deposit(owner, department) -> Deposit:
    customer = CustomerFactory(owner=owner, department=department)
    return deposit_services.deposit_register(actor=owner, customer=customer, item=_unit(), kind="small", amount="100")


def _deposit_payload(p, **extra):
    customer = CustomerFactory(owner=p.rep, department=p.domestic)
    return {"customer": customer.pk, "item": _unit().pk, "kind": "full", "amount": "5000.00", **extra}


class TestDepositApi(ApiResourceChecks):
    url = "/api/v1/sales/deposits/"
    model = Deposit
    expect = {
        "director": Expect(sees=True, sees_other=True, creates=True),
        "head": Expect(sees=True, creates=True),
        "rep": Expect(sees=True, creates=True),
        "teammate": Expect(),  # own scope: the rep's customer is not theirs (404 on create)
        "other_rep": Expect(sees_other=True),
        "finance": Expect(sees=True, sees_other=True),
        "admin": Expect(),
        "resource_director": Expect(),
    }
    bad_create = {
        "negative_amount": lambda p: _deposit_payload(p, amount="-5"),
        "non_numeric_amount": lambda p: _deposit_payload(p, amount="五千"),
        "too_many_decimals": lambda p: _deposit_payload(p, amount="1.005"),
        "bad_kind": lambda p: _deposit_payload(p, kind="big"),
        "bad_currency": lambda p: _deposit_payload(p, currency="XX"),
        "reserved_item": lambda p: _deposit_payload(p, item=_deposit(p.rep, p.domestic).item_id),
        "unknown_item": lambda p: _deposit_payload(p, item=10**9),
        "blacklisted": lambda p: {
            **_deposit_payload(p),
            "customer": CustomerFactory(owner=p.rep, department=p.domestic, is_blacklisted=True).pk,
        },
        "out_of_scope_customer": lambda p: {
            **_deposit_payload(p),
            "customer": CustomerFactory(owner=p.other_rep, department=p.international).pk,
        },
        "malformed_json": '{"customer": ',
    }
    write_as = "rep"

    @pytest.fixture(autouse=True)
    def _world(self, world):
        self.world = world

    def in_scope(self, p):
        return _deposit(p.rep, p.domestic)

    def out_of_scope(self, p):
        return _deposit(p.other_rep, p.international)

    def create_payload(self, p):
        return _deposit_payload(p)


def _order(owner, department) -> Order:
    customer = CustomerFactory(owner=owner, department=department)
    product = Product.objects.get(code="CNC-100")
    return order_services.order_create(actor=owner, customer=customer, lines=[{"product": product.pk, "quantity": "1"}])


def _order_payload(p, **line):
    customer = CustomerFactory(owner=p.rep, department=p.domestic)
    row = {"product": Product.objects.get(code="CNC-100").pk, "quantity": "2", **line}
    return {"customer": customer.pk, "lines": [row]}


class TestOrderApi(ApiResourceChecks):
    url = "/api/v1/sales/orders/"
    model = Order
    expect = {
        "director": Expect(sees=True, sees_other=True, creates=True),
        "head": Expect(sees=True, creates=True),
        "rep": Expect(sees=True, creates=True),
        "teammate": Expect(),  # ORD-3: reps cannot browse others' orders
        "other_rep": Expect(sees_other=True),
        "finance": Expect(sees=True, sees_other=True),
        "admin": Expect(),
        "resource_director": Expect(),
    }
    bad_create = {
        "zero_quantity": lambda p: _order_payload(p, quantity="0"),
        "non_numeric_quantity": lambda p: _order_payload(p, quantity="两台"),
        "negative_price": lambda p: _order_payload(p, unit_price="-1"),
        "unknown_product": lambda p: _order_payload(p, product=10**9),
        "no_lines": lambda p: {**_order_payload(p), "lines": []},
        "currency_without_price_list": lambda p: {**_order_payload(p), "currency": "USD"},
        "blacklisted": lambda p: {
            **_order_payload(p),
            "customer": CustomerFactory(owner=p.rep, department=p.domestic, is_blacklisted=True).pk,
        },
        "out_of_scope_customer": lambda p: {
            **_order_payload(p),
            "customer": CustomerFactory(owner=p.other_rep, department=p.international).pk,
        },
        "malformed_json": '{"customer": ',
    }
    write_as = "rep"

    @pytest.fixture(autouse=True)
    def _world(self, world):
        self.world = world

    def in_scope(self, p):
        return _order(p.rep, p.domestic)

    def out_of_scope(self, p):
        return _order(p.other_rep, p.international)

    def create_payload(self, p):
        return _order_payload(p)
