"""Fixtures of the sales tests: the sales permissions of the standard roles, the market department with
its quoting engineer, a general manager, products and a price list in force.

``SALES_ROLE_PERMISSIONS`` is what ``yingxiao/org/roles.py`` should grant (requested from the org
owner); until then the fixture grants it to the roles the personas hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import AssignmentFactory, CustomerFactory, DepartmentFactory, UserFactory
from tests.personas import Personas
from yingxiao.org.models import Department, Position, Role, User
from yingxiao.sales.models import PriceList, PriceListItem, Product

_QUOTE_WORK = (
    "sales.view_product",
    "sales.view_pricelist",
    "sales.view_quote",
    "sales.add_quote",
    "sales.change_quote",
    "sales.view_quoterequest",
    "sales.add_quoterequest",
)
_PRICE_ADMIN = (
    "sales.add_product",
    "sales.change_product",
    "sales.add_pricelist",
    "sales.change_pricelist",
    "sales.view_confidential_price",
)
SALES_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "general_manager": (*_QUOTE_WORK, *_PRICE_ADMIN),
    "sales_director": (*_QUOTE_WORK, *_PRICE_ADMIN),
    "chairman": ("sales.view_product", "sales.view_pricelist", "sales.view_quote", "sales.view_confidential_price"),
    "department_head": _QUOTE_WORK,
    "group_leader": _QUOTE_WORK,
    "sales_rep": _QUOTE_WORK,
    "regional_manager": _QUOTE_WORK,
    "sales_assistant": _QUOTE_WORK,
    "quoting_engineer": (
        "sales.view_product",
        "sales.view_pricelist",
        "sales.view_quoterequest",
        "sales.answer_quoterequest",
        "sales.add_product",
        "sales.change_product",
        "sales.view_confidential_price",
    ),
    "finance": ("sales.view_product", "sales.view_pricelist", "sales.view_quote", "sales.view_confidential_price"),
}


def grant_sales_permissions() -> None:
    for code, perms in SALES_ROLE_PERMISSIONS.items():
        role = Role.objects.get(code=code)
        role.permissions.add(
            *Permission.objects.filter(content_type__app_label="sales", codename__in=[p.split(".")[1] for p in perms])
        )


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """Policy values are cached per process: never let one test's numbers leak into the next."""
    from yingxiao.policy import values

    values.invalidate()
    yield
    values.invalidate()


@dataclass
class SalesWorld:
    p: Personas
    market: Department
    market_head: User
    quoter: User
    gm: User
    product: Product
    price_list: PriceList
    item: PriceListItem


@pytest.fixture
def world(personas: Personas) -> SalesWorld:
    grant_sales_permissions()
    director_post = Position.objects.get(department=personas.center, role__code="sales_director")
    gm_post = Position.objects.create(
        title="总经理", department=personas.center, role=Role.objects.get(code="general_manager")
    )
    director_post.superior = gm_post
    director_post.save(update_fields=["superior"])
    market = DepartmentFactory(name="市场部", code="marketing", parent=personas.center)
    head_post = Position.objects.create(
        title="市场部主管",
        department=market,
        role=Role.objects.get(code="department_head"),
        superior=director_post,
        is_head=True,
    )
    quote_post = Position.objects.create(
        title="技术报价", department=market, role=Role.objects.get(code="quoting_engineer"), superior=head_post
    )
    gm = UserFactory(username="gm", display_name="陈总经理")
    AssignmentFactory(user=gm, position=gm_post)
    market_head = UserFactory(username="market_head", display_name="袁主管")
    AssignmentFactory(user=market_head, position=head_post)
    quoter = UserFactory(username="quoter", display_name="冯工")
    AssignmentFactory(user=quoter, position=quote_post)
    product = Product.objects.create(
        code="CNC-100", name="数控机床", model="CNC-100A", unit="台", category="机床", drawing="DWG-CNC-100-绝密"
    )
    price_list = PriceList.objects.create(name="2025 价格表", effective_from=timezone.localdate(), currency="CNY")
    item = PriceListItem.objects.create(
        price_list=price_list, product=product, list_price=Decimal("10000.00"), cost=Decimal("6123.45")
    )
    return SalesWorld(personas, market, market_head, quoter, gm, product, price_list, item)


@pytest.fixture
def rep_customer(world: SalesWorld):
    return CustomerFactory(name="甲机械有限公司", owner=world.p.rep, department=world.p.domestic)


@pytest.fixture
def intl_customer(world: SalesWorld):
    return CustomerFactory(name="Acme Trading", owner=world.p.other_rep, department=world.p.international)
