"""Fixtures of the deposit / order / shipment tests (ORD-*, SHP-*): the sales office, stock units, a customer.

Import the fixtures by name in a test module (``from .deal_fixtures import deal  # noqa: F401``);
they build on ``world`` of ``tests/sales/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import AssignmentFactory, CustomerFactory, UserFactory
from tests.personas import Personas
from yingxiao.customers.models import Customer
from yingxiao.org.models import Position, Role, User
from yingxiao.sales.models import Order, StockItem
from yingxiao.sales.services import orders as order_services

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Deal:
    p: Personas
    world: object
    office: User  # 销售内勤 of 国内部 (sales_assistant)
    customer: Customer  # the rep's customer in 国内部
    item: StockItem  # an available unit of the world's product
    other_item: StockItem

    def unit(self, serial: str, **extra: object) -> StockItem:
        return StockItem.objects.create(product=self.world.product, serial_no=serial, **extra)  # type: ignore[attr-defined]

    def line(self, quantity: str = "2", **extra: object) -> dict[str, object]:
        return {"product": self.world.product.pk, "quantity": quantity, **extra}  # type: ignore[attr-defined]

    def order(self, *, effective: bool = False, lines: list | None = None, **extra: object) -> Order:
        order = order_services.order_create(
            actor=self.p.rep, customer=self.customer, lines=lines or [self.line()], **extra
        )
        if effective:
            order_services.order_submit(actor=self.p.rep, order=order)
            order = order_services.order_signoff(actor=self.p.head, order=order, approve=True)
        return order


@pytest.fixture
def deal(world) -> Deal:
    p = world.p
    post = Position.objects.create(
        title="销售内勤",
        department=p.domestic,
        role=Role.objects.get(code="sales_assistant"),
        superior=Position.objects.get(department=p.domestic, is_head=True),
    )
    office = UserFactory(username="office", display_name="周内勤")
    AssignmentFactory(user=office, position=post)
    customer = CustomerFactory(name="甲机械有限公司", owner=p.rep, department=p.domestic)
    item = StockItem.objects.create(product=world.product, serial_no="SN-0001")
    other = StockItem.objects.create(product=world.product, serial_no="SN-0002")
    return Deal(p, world, office, customer, item, other)


MONEY = Decimal
