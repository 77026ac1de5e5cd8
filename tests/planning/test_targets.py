"""Targets (PLN-1, PLN-2): decomposition, roll-up consistency, explanations, publishing, reallocation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import DepartmentFactory
from tests.personas import Personas
from yingxiao.core.errors import BusinessError
from yingxiao.planning import targets
from yingxiao.planning.models import Reallocation, Target, TargetPlan

from .conftest import fresh

YEAR = 2026


def _plan(p: Personas, amount: str = "1200", metric: str = "sales", department: object = None) -> TargetPlan:
    return targets.plan_create(
        actor=fresh(p.director), year=YEAR, metric=metric, department=department or p.center, amount=amount
    )


def _root(plan: TargetPlan) -> Target:
    return plan.targets.get(parent__isnull=True)


def _code(excinfo: pytest.ExceptionInfo[BusinessError]) -> str:
    return excinfo.value.code


def _quarters(p: Personas, parent: Target, amounts: list[str]) -> list[Target]:
    return [
        targets.target_add_child(
            actor=fresh(p.director), parent=parent, period_kind="quarter", period_index=i, amount=amount
        )
        for i, amount in enumerate(amounts, start=1)
    ]


def test_pln_1_parts_that_do_not_add_up_block_publishing(personas: Personas) -> None:
    plan = _plan(personas)
    _quarters(personas, _root(plan), ["300", "300", "300", "200"])  # 1100 of 1200
    with pytest.raises(BusinessError) as excinfo:
        targets.plan_publish(actor=fresh(personas.director), plan=plan)
    assert _code(excinfo) == "planning.unexplained"
    assert "-100" in excinfo.value.message  # the difference is shown
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.DRAFT


def test_pln_1_explained_difference_allows_publishing_until_it_changes(personas: Personas) -> None:
    plan = _plan(personas)
    root = _root(plan)
    quarters = _quarters(personas, root, ["300", "300", "300", "200"])
    targets.target_explain(actor=fresh(personas.director), target=root, note="Q4 留 100 万机动，年中分配")
    root.refresh_from_db()
    assert root.explained_difference == Decimal("-100.00")
    # The explanation covers that exact difference: a different one needs explaining again.
    targets.target_set_amount(actor=fresh(personas.director), target=quarters[3], amount="150")
    with pytest.raises(BusinessError) as excinfo:
        targets.plan_publish(actor=fresh(personas.director), plan=plan)
    assert _code(excinfo) == "planning.unexplained"
    targets.target_set_amount(actor=fresh(personas.director), target=quarters[3], amount="200")
    published = targets.plan_publish(actor=fresh(personas.director), plan=plan)
    assert published.status == TargetPlan.Status.PUBLISHED


def test_pln_1_nothing_to_explain_when_parts_add_up(personas: Personas) -> None:
    plan = _plan(personas)
    root = _root(plan)
    _quarters(personas, root, ["300", "300", "300", "300"])
    with pytest.raises(BusinessError) as excinfo:
        targets.target_explain(actor=fresh(personas.director), target=root, note="无")
    assert _code(excinfo) == "planning.nothing_to_explain"
    assert targets.unexplained(plan) == []


def test_pln_1_year_decomposes_to_quarters_and_months_consistently(personas: Personas) -> None:
    plan = _plan(personas)
    q1 = _quarters(personas, _root(plan), ["300", "300", "300", "300"])[0]
    months = [
        targets.target_add_child(
            actor=fresh(personas.director), parent=q1, period_kind="month", period_index=m, amount="100"
        )
        for m in (1, 2, 3)
    ]
    assert [m.period_label for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert targets.roll_up([q1])[q1.pk].difference == 0
    # A month outside the quarter, a second Q1, a coarser period: all refused, nothing added.
    for kind, index, code in (
        ("month", 4, "planning.bad_child_period"),
        ("month", 13, "planning.bad_period"),
        ("quarter", 1, "planning.bad_child_period"),
        ("week", 1, "planning.bad_period"),
    ):
        with pytest.raises(BusinessError) as excinfo:
            targets.target_add_child(
                actor=fresh(personas.director), parent=q1, period_kind=kind, period_index=index, amount="1"
            )
        assert _code(excinfo) == code
    with pytest.raises(BusinessError) as excinfo:
        targets.target_add_child(
            actor=fresh(personas.director), parent=q1, period_kind="month", period_index=1, amount="1"
        )
    assert _code(excinfo) == "planning.duplicate_child"
    assert q1.children.count() == 3


def test_pln_2_targets_per_department_office_and_person(personas: Personas) -> None:
    office = DepartmentFactory(name="上海办事处", code="sh-office", parent=personas.domestic, kind="office")
    plan = _plan(personas)
    root = _root(plan)
    director = fresh(personas.director)
    domestic = targets.target_add_child(actor=director, parent=root, department=personas.domestic, amount="800")
    targets.target_add_child(actor=director, parent=root, department=personas.international, amount="400")
    # The head decomposes their own department: an office and a person.
    head = fresh(personas.head)
    targets.target_add_child(actor=head, parent=domestic, department=office, amount="300")
    rep_target = targets.target_add_child(actor=head, parent=domestic, person=personas.rep, amount="500")
    assert rep_target.department == personas.domestic
    assert targets.unexplained(plan) == []
    # A person of another department, or a period split next to a unit split: refused.
    with pytest.raises(BusinessError) as excinfo:
        targets.target_add_child(actor=director, parent=domestic, person=personas.other_rep, amount="1")
    assert _code(excinfo) == "planning.bad_child_unit"
    with pytest.raises(BusinessError) as excinfo:
        targets.target_add_child(actor=director, parent=domestic, period_kind="quarter", period_index=1, amount="1")
    assert _code(excinfo) == "planning.mixed_split"
    # A person's target splits by month, never by unit.
    with pytest.raises(BusinessError) as excinfo:
        targets.target_add_child(actor=director, parent=rep_target, department=personas.domestic, amount="1")
    assert _code(excinfo) == "planning.bad_child_unit"


def test_pln_2_head_cannot_touch_another_departments_target(personas: Personas) -> None:
    plan = _plan(personas)
    root = _root(plan)
    intl = targets.target_add_child(
        actor=fresh(personas.director), parent=root, department=personas.international, amount="400"
    )
    for parent in (root, intl):
        with pytest.raises(BusinessError) as excinfo:
            targets.target_add_child(actor=fresh(personas.head), parent=parent, person=personas.rep, amount="1")
        assert _code(excinfo) == "core.not_found"
    with pytest.raises(BusinessError) as excinfo:
        targets.target_add_child(actor=fresh(personas.rep), parent=root, person=personas.rep, amount="1")
    assert _code(excinfo) == "planning.no_permission"


def _published(p: Personas) -> tuple[TargetPlan, Target, Target]:
    plan = _plan(p)
    root = _root(plan)
    director = fresh(p.director)
    domestic = targets.target_add_child(actor=director, parent=root, department=p.domestic, amount="800")
    intl = targets.target_add_child(actor=director, parent=root, department=p.international, amount="400")
    targets.plan_publish(actor=director, plan=plan)
    return plan, domestic, intl


def test_pln_1_reallocation_is_audited(personas: Personas) -> None:
    _, domestic, intl = _published(personas)
    records = targets.target_reallocate(
        actor=fresh(personas.director),
        changes={domestic: "700", intl: "500"},
        reason="国际部新增中东大单",
    )
    assert len(records) == 2
    rows = {r.target_id: r for r in Reallocation.objects.all()}
    assert (rows[domestic.pk].old_amount, rows[domestic.pk].new_amount) == (Decimal("800.00"), Decimal("700.00"))
    assert (rows[intl.pk].old_amount, rows[intl.pk].new_amount) == (Decimal("400.00"), Decimal("500.00"))
    assert {r.actor_id for r in rows.values()} == {personas.director.pk}
    assert {r.reason for r in rows.values()} == {"国际部新增中东大单"}
    assert len({r.batch for r in rows.values()}) == 1
    assert domestic.history.count() == 2  # created, reallocated
    assert domestic.history.first().amount == Decimal("700.00")


def test_pln_1_reallocation_that_breaks_the_sums_is_refused(personas: Personas) -> None:
    _, domestic, intl = _published(personas)
    with pytest.raises(BusinessError) as excinfo:
        targets.target_reallocate(actor=fresh(personas.director), changes={domestic: "900"}, reason="调整")
    assert _code(excinfo) == "planning.unexplained"
    with pytest.raises(BusinessError) as excinfo:
        targets.target_reallocate(actor=fresh(personas.director), changes={domestic: "700", intl: "500"}, reason=" ")
    assert _code(excinfo) == "planning.reason_required"
    domestic.refresh_from_db()
    assert domestic.amount == Decimal("800.00")
    assert not Reallocation.objects.exists()


def test_pln_1_published_plan_is_changed_only_by_reallocation(personas: Personas) -> None:
    _, domestic, _intl = _published(personas)
    with pytest.raises(BusinessError) as excinfo:
        targets.target_set_amount(actor=fresh(personas.director), target=domestic, amount="1")
    assert _code(excinfo) == "planning.not_draft"
    with pytest.raises(BusinessError) as excinfo:
        targets.target_add_child(actor=fresh(personas.head), parent=domestic, person=personas.rep, amount="1")
    assert _code(excinfo) == "planning.not_draft"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("amount", "-1", "planning.bad_amount"),
        ("amount", "abc", "planning.bad_amount"),
        ("amount", "NaN", "planning.bad_amount"),
        ("year", 1999, "planning.bad_year"),
        ("year", "二〇二六", "planning.bad_year"),
        ("metric", "revenue", "planning.bad_metric"),
    ],
)
def test_pln_1_bad_plan_input_changes_nothing(personas: Personas, field: str, value: object, code: str) -> None:
    data: dict[str, object] = {"year": YEAR, "metric": "sales", "department": personas.center, "amount": "100"}
    data[field] = value
    with pytest.raises(BusinessError) as excinfo:
        targets.plan_create(actor=fresh(personas.director), **data)  # type: ignore[arg-type]
    assert _code(excinfo) == code
    assert not TargetPlan.objects.exists()


def test_pln_1_negative_part_refused(personas: Personas) -> None:
    plan = _plan(personas)
    with pytest.raises(BusinessError) as excinfo:
        targets.target_add_child(
            actor=fresh(personas.director), parent=_root(plan), period_kind="quarter", period_index=1, amount="-5"
        )
    assert _code(excinfo) == "planning.bad_amount"
    assert plan.targets.count() == 1


def test_pln_1_one_plan_per_metric_year_and_department(personas: Personas) -> None:
    _plan(personas)
    with pytest.raises(BusinessError) as excinfo:
        _plan(personas)
    assert _code(excinfo) == "planning.duplicate_plan"
