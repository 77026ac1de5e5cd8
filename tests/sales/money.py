"""Fixtures and helpers of the contract and receivables tests (CON-1…8, ORD-2).

The world adds, to the personas, the commerce group (商务组) and the sales assistant in 国内部 and
国际部, and a regional manager in 国内部; the standard roles carry the permissions
(``yingxiao/org/roles.py``). Contracts go through the real services and the approvals engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import AssignmentFactory, CustomerFactory, UserFactory
from tests.personas import Personas
from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_decide
from yingxiao.customers.models import Customer
from yingxiao.org.models import Position, Role, User
from yingxiao.sales import services
from yingxiao.sales.models import Contract


@dataclass
class MoneyWorld:
    p: Personas
    commerce: User
    commerce_intl: User
    assistant: User
    regional: User
    customer: Customer  # the rep's, in 国内部
    other_customer: Customer  # other_rep's, in 国际部


def _person(username: str, name: str, department, role: str) -> User:
    post = Position.objects.create(title=name, department=department, role=Role.objects.get(code=role))
    user = UserFactory(username=username, display_name=name)
    AssignmentFactory(user=user, position=post)
    return user


@pytest.fixture(name="money")
def money_world(personas: Personas) -> MoneyWorld:
    from yingxiao.policy import values

    values.invalidate()
    return MoneyWorld(
        p=personas,
        commerce=_person("commerce", "商务小周", personas.domestic, "commerce"),
        commerce_intl=_person("commerce_intl", "商务小吴", personas.international, "commerce"),
        assistant=_person("assistant", "销售助理小郑", personas.domestic, "sales_assistant"),
        regional=_person("regional", "区域经理老孙", personas.domestic, "regional_manager"),
        customer=CustomerFactory(name="甲机械有限公司", owner=personas.rep, department=personas.domestic),
        other_customer=CustomerFactory(
            name="Acme Trading", owner=personas.other_rep, department=personas.international
        ),
    )


def plan(*rows: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"kind": kind, "due_date": due, "amount": amount} for kind, due, amount in rows]


def standard_plan(year: int = 2026) -> list[dict[str, str]]:
    return plan(
        ("prepayment", f"{year}-01-10", "30000.00"),
        ("progress", f"{year}-03-15", "50000.00"),
        ("final", f"{year}-06-30", "20000.00"),
    )


def pending(request_type: str) -> Instance:
    return Instance.objects.get(request_type=request_type, status=Instance.Status.PENDING)


def draft(
    world: MoneyWorld,
    customer: Customer | None = None,
    *,
    amount: str = "100000.00",
    rows=None,
    actor: User | None = None,
) -> Contract:
    customer = customer or world.customer
    actor = actor or (world.commerce if customer.department_id == world.p.domestic.pk else world.commerce_intl)
    return services.contract_create(
        actor=actor,
        customer=customer,
        title="数控机床采购合同",
        amount=amount,
        instalments=rows if rows is not None else standard_plan(),
    )


def signed(world: MoneyWorld, customer: Customer | None = None, *, signed_on: str = "2026-01-05", **kwargs) -> Contract:
    """A contract drafted by commerce, approved by the director and signed."""
    contract = draft(world, customer, **kwargs)
    actor = contract.drafted_by
    services.contract_submit(actor=actor, contract=contract)
    approval_decide(actor=world.p.director, instance=pending("contract_review"), decision="approve")
    return services.contract_sign(actor=actor, contract=contract, signed_on=signed_on)


def scan(name: str = "signed.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 signed", content_type="application/pdf")


def pay(world: MoneyWorld, contract: Contract, amount: str, on: str = "2026-01-20", **kwargs):
    return services.receipt_confirm(actor=world.p.finance, contract=contract, amount=amount, received_on=on, **kwargs)


D = Decimal
DAY = dt.date
