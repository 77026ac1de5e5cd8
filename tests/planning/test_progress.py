"""Plan vs actual (PLN-3): actual providers, the viewer's scope, corrective actions and their sweep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.personas import Personas
from tests.sales.money import money_world, pay, signed  # noqa: F401
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.performance.models import Violation
from yingxiao.planning import targets
from yingxiao.planning.actuals import UnitScope, actual_for
from yingxiao.planning.models import CorrectiveAction, Target, TargetPlan
from yingxiao.policy.registry import run_sweep

from .conftest import at, customer_of, fresh

YEAR = 2026


def _new_customers_plan(p: Personas, rep_month_target: str = "10") -> tuple[TargetPlan, Target]:
    """A published new-customer plan: 国内部 → the rep → the rep's March target."""
    director = fresh(p.director)
    plan = targets.plan_create(actor=director, year=YEAR, metric="new_customers", department=p.domestic, amount="10")
    root = plan.targets.get()
    rep_year = targets.target_add_child(actor=director, parent=root, person=p.rep, amount="10")
    march = targets.target_add_child(
        actor=director, parent=rep_year, period_kind="month", period_index=3, amount=rep_month_target
    )
    targets.plan_publish(actor=director, plan=plan)
    return plan, march


def _customers(p: Personas, n: int, day: dt.date, owner: object = None, department: object = None) -> None:
    for _ in range(n):
        customer_of(owner or p.rep, department or p.domestic, registered_at=at(day))


def test_pln_3_new_customers_actual_per_unit_and_period(personas: Personas) -> None:
    _customers(personas, 3, dt.date(YEAR, 3, 5))
    _customers(personas, 2, dt.date(YEAR, 4, 1))  # April: not in March
    _customers(personas, 4, dt.date(YEAR, 3, 9), owner=personas.other_rep, department=personas.international)
    march = (dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31))
    rep = actual_for("new_customers", UnitScope(person_id=personas.rep.pk), march)
    assert rep.value == 3
    assert rep.records is not None and rep.records.count() == 3  # the records behind the figure
    center = actual_for("new_customers", UnitScope(department_id=personas.center.pk), march)
    assert center.value == 7


def test_pln_3_actual_counts_only_rows_in_the_viewers_scope(personas: Personas) -> None:
    _customers(personas, 3, dt.date(YEAR, 3, 5))
    _customers(personas, 4, dt.date(YEAR, 3, 9), owner=personas.other_rep, department=personas.international)
    march = (dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31))
    center = UnitScope(department_id=personas.center.pk)
    assert actual_for("new_customers", center, march, fresh(personas.director)).value == 7
    assert actual_for("new_customers", center, march, fresh(personas.head)).value == 3
    assert actual_for("new_customers", center, march, fresh(personas.other_rep)).value == 4


def test_pln_3_sales_and_collections_actuals_come_from_contracts_and_confirmed_receipts(money) -> None:
    contract = signed(money, signed_on="2026-01-05")
    pay(money, contract, "30000.00", on="2026-01-20")
    pay(money, contract, "10000.00", on="2026-02-03")
    january = (dt.date(YEAR, 1, 1), dt.date(YEAR, 1, 31))
    rep = UnitScope(person_id=money.p.rep.pk)
    assert actual_for("sales", rep, january).value == Decimal("100000.00")
    collected = actual_for("collections", rep, january)
    assert collected.value == Decimal("30000.00") and collected.records.count() == 1
    international = UnitScope(department_id=money.p.international.pk)
    assert actual_for("collections", international, january).value == Decimal("0.00")
    # out of the viewer's scope: not counted
    center = UnitScope(department_id=money.p.center.pk)
    assert actual_for("collections", center, january, fresh(money.p.other_rep)).value == Decimal("0.00")


def test_pln_3_plan_vs_actual_rows_follow_the_viewers_scope(personas: Personas) -> None:
    plan, march = _new_customers_plan(personas)
    _customers(personas, 6, dt.date(YEAR, 3, 5))
    rep_rows = targets.plan_vs_actual(viewer=fresh(personas.rep), plan=plan, today=dt.date(YEAR, 4, 2))
    assert {r.target.pk for r in rep_rows} == {march.pk, march.parent_id}
    row = next(r for r in rep_rows if r.target.pk == march.pk)
    assert (row.actual, row.rate, row.ended) == (Decimal(6), Decimal("60.0"), True)
    assert targets.plan_vs_actual(viewer=fresh(personas.other_rep), plan=plan) == []
    assert len(targets.plan_vs_actual(viewer=fresh(personas.head), plan=plan)) == 3


@pytest.mark.parametrize(("actual", "behind"), [(9, False), (8, True)])
def test_pln_3_behind_only_beyond_the_threshold(actual: int, behind: bool) -> None:
    # The default threshold is 10 %: 9 of 10 is exactly 10 % behind (not more), 8 of 10 is.
    assert targets.is_behind(Decimal(10), Decimal(actual), Decimal(10)) is behind


def test_pln_3_behind_plan_requires_a_corrective_action_then_a_violation(personas: Personas) -> None:
    _plan, march = _new_customers_plan(personas)
    _customers(personas, 5, dt.date(YEAR, 3, 5))  # 5 of 10: 50 % behind
    before_end = at(dt.date(YEAR, 3, 30))
    assert run_sweep("PLN-3r", as_of=before_end).found == 0  # March is not over yet
    after_end = at(dt.date(YEAR, 4, 1))
    assert run_sweep("PLN-3r", as_of=after_end).applied >= 1
    action = CorrectiveAction.objects.get(target=march)
    assert (action.owner, action.planned, action.actual) == (personas.rep, Decimal("10.00"), Decimal("5.00"))
    assert action.due_date == dt.date(YEAR, 3, 31) + dt.timedelta(days=5)
    assert Notification.objects.filter(recipient=personas.rep).exists()
    assert run_sweep("PLN-3r", as_of=after_end + dt.timedelta(days=1)).applied == 0  # once per target
    # Not submitted by the deadline: a violation of the rep, recorded once.
    assert run_sweep("PLN-3", as_of=at(action.due_date)).found == 0
    late = at(action.due_date + dt.timedelta(days=1))
    assert run_sweep("PLN-3", as_of=late).applied == 1
    assert run_sweep("PLN-3", as_of=late + dt.timedelta(days=1)).recorded == 0
    violation = Violation.objects.get(rule_id="PLN-3", person=personas.rep)
    assert violation.amount == Decimal("50.00")


def test_pln_3_corrective_action_in_time_means_no_violation(personas: Personas) -> None:
    _plan, march = _new_customers_plan(personas)
    _customers(personas, 5, dt.date(YEAR, 3, 5))
    run_sweep("PLN-3r", as_of=at(dt.date(YEAR, 4, 1)))
    action = CorrectiveAction.objects.get(target=march)
    with pytest.raises(BusinessError) as excinfo:
        targets.corrective_action_submit(actor=fresh(personas.other_rep), action=action, analysis="x", measures="y")
    assert excinfo.value.code == "core.not_found"
    with pytest.raises(BusinessError) as excinfo:
        targets.corrective_action_submit(actor=fresh(personas.rep), action=action, analysis=" ", measures="加密拜访")
    assert excinfo.value.code == "planning.required"
    done = targets.corrective_action_submit(
        actor=fresh(personas.rep), action=action, analysis="展会推迟到四月", measures="四月每周加两场电话邀约"
    )
    assert done.status == CorrectiveAction.Status.SUBMITTED
    assert run_sweep("PLN-3", as_of=at(action.due_date + dt.timedelta(days=3))).found == 0
    assert not Violation.objects.filter(rule_id="PLN-3").exists()


def test_pln_3_on_plan_needs_no_corrective_action(personas: Personas) -> None:
    _plan, march = _new_customers_plan(personas)
    _customers(personas, 9, dt.date(YEAR, 3, 5))  # 9 of 10: within the 10 % threshold
    run_sweep("PLN-3r", as_of=at(dt.date(YEAR, 4, 1)))
    assert not CorrectiveAction.objects.filter(target=march).exists()
