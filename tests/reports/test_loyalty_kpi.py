"""客户忠诚度 on the dashboard (KPI, loyalty_target): of the customers who bought in the period, the repeat ones.

A customer counts when a contract of theirs was signed in the period; they are a repeat customer
when they have signed more than one contract up to the period's end. Only contracts within the
viewer's scope count (ORG-5), and the drill-down lists one row per customer adding up to the figure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory
from tests.sales.money import money_world, signed  # noqa: F401
from yingxiao.customers.models import Customer
from yingxiao.org.models import User
from yingxiao.reports import kpis
from yingxiao.reports.periods import parse_period

pytestmark = pytest.mark.django_db
Q1 = "2026-Q1"


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _figure(viewer: User, department=None, period: str = Q1) -> kpis.Figure:
    return kpis.KPIS_BY_CODE["loyalty"].figure(fresh(viewer), parse_period(period), department)


def _rows(viewer: User, department=None, segment: str = "", period: str = Q1) -> list[kpis.Row]:
    return kpis.rows(fresh(viewer), kpis.KPIS_BY_CODE["loyalty"], parse_period(period), department, segment)


@pytest.fixture
def buyers(money):
    """The rep's customer bought in 2025 and again in Q1 (repeat); the teammate's bought for the first
    time in Q1; other_rep's (国际部) bought twice within Q1 (repeat)."""
    signed(money, signed_on="2025-11-03")
    signed(money, signed_on="2026-01-05")
    first_timer = CustomerFactory(owner=money.p.teammate, department=money.p.domestic, name="丁贸易有限公司")
    signed(money, first_timer, signed_on="2026-02-10")
    signed(money, money.other_customer, signed_on="2026-02-01")
    signed(money, money.other_customer, signed_on="2026-03-20")
    # Signed after the period: it neither makes a buyer nor a repeat of Q1.
    late = CustomerFactory(owner=money.p.rep, department=money.p.domestic, name="戊重工有限公司")
    signed(money, late, signed_on="2026-04-02")
    return {"first_timer": first_timer}


@pytest.mark.parametrize(
    ("persona", "buying", "repeat", "value"),
    [
        ("director", 3, 2, Decimal("66.7")),
        ("head", 2, 1, Decimal("50.0")),
        ("rep", 1, 1, Decimal("100.0")),
        ("teammate", 1, 0, Decimal("0.0")),
        ("other_rep", 1, 1, Decimal("100.0")),
        ("admin", 0, 0, None),
    ],
)
def test_kpi_loyalty_is_the_share_of_repeat_customers_among_the_periods_buyers(
    money, buyers, persona, buying, repeat, value
) -> None:
    viewer = getattr(money.p, persona)
    figure, rows = _figure(viewer), _rows(viewer)
    assert figure.available is True
    assert (figure.total, figure.hits, figure.value) == (buying, repeat, value)
    # The drill-down is the figure's proof: one row per customer, its hits the repeat customers.
    assert len(rows) == len({row.pk for row in rows}) == figure.total
    assert sum(1 for row in rows if row.hit) == figure.hits
    # Measured against the configured target (loyalty_target, 90 % by default).
    assert figure.target == Decimal("90")


def test_kpi_loyalty_row_names_the_customer_and_its_contracts(money, buyers) -> None:
    rows = {row.pk: row for row in _rows(money.p.director)}
    mine = rows[money.customer.pk]
    assert mine.hit is True and mine.label == "甲机械有限公司"
    assert mine.url == reverse("customers:detail", args=[money.customer.pk])
    assert mine.amount == Decimal("200000.00")  # both contracts up to the period's end
    assert str(mine.when) == "2025-11-03"  # the first purchase
    assert mine.department == money.customer.department.name
    assert rows[buyers["first_timer"].pk].hit is False
    repeat = _rows(money.p.director, segment="repeat")
    first = _rows(money.p.director, segment="first")
    assert {row.pk for row in first} == {buyers["first_timer"].pk}
    assert len(repeat) + len(first) == _figure(money.p.director).total


def test_org_5_loyalty_counts_only_contracts_in_the_viewers_scope(money, buyers) -> None:
    # other_rep's customer moves to the rep: their two Q1 contracts stay other_rep's, outside the rep's scope.
    Customer.objects.filter(pk=money.other_customer.pk).update(owner=money.p.rep, department=money.p.domestic)
    rep = _figure(money.p.rep)
    assert (rep.total, rep.hits) == (1, 1)
    assert money.other_customer.pk not in {row.pk for row in _rows(money.p.rep)}
    # The department filter narrows the director's figure to 国内部's contracts.
    domestic = _figure(money.p.director, money.p.domestic)
    assert (domestic.total, domestic.hits) == (2, 1)


def test_kpi_loyalty_counts_a_purchase_in_the_period_not_one_only_before_it(money, buyers) -> None:
    # In 2025 only the rep's customer bought (once): one buyer, not a repeat yet.
    figure = _figure(money.p.director, period="2025")
    assert (figure.total, figure.hits, figure.value) == (1, 0, Decimal("0.0"))
