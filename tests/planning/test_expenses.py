"""Budgets and expense claims (PLN-4): refused beyond the budget, approval by amount, race-safe charging."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections

from tests.personas import Personas
from yingxiao.approvals.models import Instance
from yingxiao.core.errors import BusinessError
from yingxiao.planning import expenses
from yingxiao.planning.approval_types import EXPENSE_REQUEST
from yingxiao.planning.models import Budget, ExpenseClaim

from .conftest import budget, decide, fresh, instance_of

TODAY = dt.date.today()


def _claim(user: object, amount: str = "100", **extra: object) -> ExpenseClaim:
    data: dict[str, object] = {
        "category": "travel",
        "amount": amount,
        "spent_on": TODAY,
        "description": "出差上海拜访客户",
    }
    data.update(extra)
    return expenses.expense_claim_submit(actor=fresh(user), **data)  # type: ignore[arg-type]


def test_pln_4_claim_beyond_the_remaining_budget_is_refused(personas: Personas) -> None:
    travel = budget(personas.domestic, "1000")
    first = _claim(personas.rep, "600")
    assert first.budget == travel
    with pytest.raises(BusinessError) as excinfo:
        _claim(personas.teammate, "400.01")
    assert excinfo.value.code == "planning.over_budget"
    assert "400.00" in excinfo.value.message  # what is left is said
    travel.refresh_from_db()
    assert travel.committed == Decimal("600.00")
    assert ExpenseClaim.objects.count() == 1
    assert Instance.objects.filter(request_type=EXPENSE_REQUEST).count() == 1
    _claim(personas.teammate, "400")  # exactly the rest fits
    travel.refresh_from_db()
    assert travel.remaining == 0


def test_pln_4_rejected_claim_gives_the_budget_back(personas: Personas) -> None:
    travel = budget(personas.domestic, "1000")
    claim = _claim(personas.rep, "800")
    decide(personas.head, claim, EXPENSE_REQUEST, "reject")
    claim.refresh_from_db()
    travel.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.REJECTED
    assert (travel.committed, travel.spent) == (Decimal("0.00"), Decimal("0.00"))
    _claim(personas.rep, "1000")


def test_pln_4_no_budget_means_no_claim(personas: Personas) -> None:
    budget(personas.domestic, "1000", category="entertainment")
    with pytest.raises(BusinessError) as excinfo:
        _claim(personas.rep, "10")  # travel: none
    assert excinfo.value.code == "planning.no_budget"
    assert not ExpenseClaim.objects.exists()


def test_pln_4_month_budget_first_then_the_year_then_up_the_tree(personas: Personas) -> None:
    center_year = budget(personas.center, "5000")
    assert _claim(personas.rep, "10").budget == center_year
    domestic_year = budget(personas.domestic, "3000")
    assert _claim(personas.rep, "10").budget == domestic_year
    domestic_month = budget(personas.domestic, "100", month=TODAY.month)
    assert _claim(personas.rep, "10").budget == domestic_month


@pytest.mark.parametrize(
    ("amount", "approvers"),
    [
        ("4999.99", ["head"]),
        ("5000", ["head", "director"]),
        ("19999.99", ["head", "director"]),
        ("20000", ["head", "director", "gm"]),
    ],
)
def test_pln_4_approval_authority_by_amount_at_the_boundaries(
    personas: Personas, amount: str, approvers: list[str]
) -> None:
    travel = budget(personas.domestic, "100000")
    claim = _claim(personas.rep, amount)
    for name in approvers:
        approver = getattr(personas, name)
        assert instance_of(claim, EXPENSE_REQUEST).current_approver == approver
        decide(approver, claim, EXPENSE_REQUEST)
    claim.refresh_from_db()
    travel.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.APPROVED
    assert travel.spent == Decimal(amount)


def test_pln_4_budget_cannot_drop_below_what_is_claimed(personas: Personas) -> None:
    travel = budget(personas.domestic, "1000")
    _claim(personas.rep, "700")
    with pytest.raises(BusinessError) as excinfo:
        expenses.budget_set(
            actor=fresh(personas.finance), department=personas.domestic, year=TODAY.year, category="travel",
            amount="699.99",
        )  # fmt: skip
    assert excinfo.value.code == "planning.budget_below_committed"
    changed = expenses.budget_set(
        actor=fresh(personas.finance), department=personas.domestic, year=TODAY.year, category="travel", amount="1500"
    )
    assert changed.pk == travel.pk and changed.amount == Decimal("1500.00")
    assert changed.history.count() >= 2


def test_pln_4_only_finance_and_directors_set_budgets(personas: Personas) -> None:
    for name in ("head", "rep"):
        with pytest.raises(BusinessError) as excinfo:
            expenses.budget_set(
                actor=fresh(getattr(personas, name)), department=personas.domestic, year=TODAY.year,
                category="travel", amount="1",
            )  # fmt: skip
        assert excinfo.value.code == "planning.no_permission"
    assert not Budget.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("amount", "-100", "planning.bad_amount"),
        ("amount", "0", "planning.not_positive"),
        ("amount", "1e30", "planning.bad_amount"),
        ("category", "yacht", "planning.bad_value"),
        ("spent_on", TODAY + dt.timedelta(days=1), "planning.bad_date"),
        ("spent_on", "2026-02-30", "planning.bad_date"),
        ("description", "  ", "planning.required"),
    ],
)
def test_pln_4_bad_claim_input_changes_nothing(personas: Personas, field: str, value: object, code: str) -> None:
    travel = budget(personas.domestic, "1000")
    with pytest.raises(BusinessError) as excinfo:
        _claim(personas.rep, **{"amount": "100", field: value})
    assert excinfo.value.code == code
    travel.refresh_from_db()
    assert travel.committed == 0
    assert not ExpenseClaim.objects.exists()


def test_pln_4_bad_budget_input(personas: Personas) -> None:
    for data, code in (
        ({"month": 13}, "planning.bad_period"),
        ({"amount": "-1"}, "planning.bad_amount"),
        ({"year": 19}, "planning.bad_year"),
    ):
        args: dict[str, object] = {
            "department": personas.domestic,
            "year": TODAY.year,
            "category": "travel",
            "amount": "1",
        }
        args.update(data)
        with pytest.raises(BusinessError) as excinfo:
            expenses.budget_set(actor=fresh(personas.finance), **args)  # type: ignore[arg-type]
        assert excinfo.value.code == code
    assert not Budget.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pln_4_concurrent_claims_cannot_overspend(personas: Personas) -> None:
    """Two claims at the same moment, room for one: exactly one is charged (PostgreSQL, real transactions)."""
    travel = budget(personas.domestic, "1000")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(user: object) -> None:
        try:
            barrier.wait(timeout=10)
            _claim(user, "700")
            outcomes.append("ok")
        except BusinessError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (personas.rep, personas.teammate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "planning.over_budget"]
    travel.refresh_from_db()
    assert travel.committed == Decimal("700.00")
    assert ExpenseClaim.objects.count() == 1
