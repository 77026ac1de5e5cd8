"""Plan vs actual on the dashboard (PLN-3, KPI): the viewer's targets of the period, with actuals,
adding up to the figure for every persona (ORG-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.personas import Personas
from yingxiao.planning import targets
from yingxiao.planning.actuals import UnitScope, actual_for, actuals_by_unit
from yingxiao.planning.models import TargetPlan
from yingxiao.reports import kpis
from yingxiao.reports.periods import parse_period

from .conftest import at, customer_of, fresh

pytestmark = pytest.mark.django_db
YEAR = 2026
MARCH = (dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31))
PERSONAS = ("director", "head", "rep", "teammate", "other_rep", "finance", "admin", "resource_director")


def _march_plan(p: Personas) -> TargetPlan:
    """国内部 new customers 2026: March 10, split into the rep's 6 and the teammate's 4."""
    director = fresh(p.director)
    plan = targets.plan_create(actor=director, year=YEAR, metric="new_customers", department=p.domestic, amount="10")
    root = plan.targets.get()
    march = targets.target_add_child(actor=director, parent=root, period_kind="month", period_index=3, amount="10")
    targets.target_add_child(actor=director, parent=march, person=p.rep, amount="6")
    targets.target_add_child(actor=director, parent=march, person=p.teammate, amount="4")
    targets.plan_publish(actor=director, plan=plan)
    return plan


@pytest.fixture
def world(personas: Personas) -> Personas:
    p = personas
    _march_plan(p)
    for _ in range(7):
        customer_of(p.rep, p.domestic, registered_at=at(dt.date(YEAR, 3, 5)))
    for _ in range(2):
        customer_of(p.teammate, p.domestic, registered_at=at(dt.date(YEAR, 3, 6)))
    for _ in range(3):  # 国际部, no target: never in 国内部's actuals
        customer_of(p.other_rep, p.international, registered_at=at(dt.date(YEAR, 3, 7)))
    customer_of(p.rep, p.domestic, registered_at=at(dt.date(YEAR, 4, 2)))  # April: not March's
    return p


def _figure(viewer, period: str = "2026-03", department=None) -> kpis.Figure:
    return kpis.KPIS_BY_CODE["plan_achievement"].figure(fresh(viewer), parse_period(period), department)


def _rows(viewer, period: str = "2026-03", department=None, segment: str = "") -> list[kpis.Row]:
    kpi = kpis.KPIS_BY_CODE["plan_achievement"]
    return kpis.rows(fresh(viewer), kpi, parse_period(period), department, segment)


def test_pln_3_director_sees_each_persons_target_against_the_actual(world) -> None:
    figure = _figure(world.director)
    rows = {row.owner: row for row in _rows(world.director)}
    assert figure.available is True
    # The rep: 7 new customers against 6 (reached); the teammate: 2 against 4 (behind).
    rep, teammate = rows[str(world.rep)], rows[str(world.teammate)]
    assert (rep.numerator, rep.denominator, rep.hit) == (Decimal(7), Decimal("6.00"), True)
    assert (teammate.numerator, teammate.denominator, teammate.hit) == (Decimal(2), Decimal("4.00"), False)
    # The March total of 国内部 is represented by its parts, not counted a second time.
    assert len(rows) == 2 and (figure.hits, figure.total, figure.value) == (1, 2, Decimal("50.0"))
    [segment] = figure.segments
    assert segment.key == "new_customers" and segment.total == 2 and "90.0%" in segment.label


@pytest.mark.parametrize("persona", PERSONAS)
def test_pln_3_plan_achievement_equals_its_drill_down_for_every_persona(world, persona) -> None:
    viewer = getattr(world, persona)
    figure = _figure(viewer)
    rows = _rows(viewer)
    assert figure.total == len(rows) and figure.hits == sum(1 for row in rows if row.hit)
    for segment in figure.segments:
        part = _rows(viewer, segment=segment.key)
        assert (segment.total, segment.hits) == (len(part), sum(1 for row in part if row.hit))
    assert sum(s.total for s in figure.segments) == figure.total


def test_org_5_a_rep_sees_only_their_own_target_and_actual(world) -> None:
    rows = _rows(world.rep)
    assert [(row.owner, row.numerator) for row in rows] == [(str(world.rep), Decimal(7))]
    assert _figure(world.rep).value == Decimal("100.0")
    assert _figure(world.other_rep).total == 0 and _figure(world.other_rep).value is None


def test_org_5_department_filter_keeps_the_targets_of_that_subtree(world) -> None:
    assert _figure(world.director, department=world.international).total == 0
    assert _figure(world.director, department=world.domestic).total == 2


def test_pln_3_only_targets_of_exactly_the_period_and_of_published_plans(world) -> None:
    assert _figure(world.director, "2026-04").total == 0  # no April targets
    assert _figure(world.director, "2026-Q1").total == 0  # no quarter targets
    year = _rows(world.director, "2026")
    assert [row.denominator for row in year] == [Decimal("10.00")]  # the annual target of 国内部
    assert year[0].numerator == Decimal(10)  # 9 in March and 1 in April
    draft = targets.plan_create(
        actor=fresh(world.director), year=YEAR, metric="sales", department=world.domestic, amount="100"
    )
    assert draft.is_draft and _figure(world.director, "2026").total == 1  # a draft plan is not shown


def test_pln_3_grouped_actuals_equal_the_actual_of_each_unit(world) -> None:
    scopes = [
        UnitScope(person_id=world.rep.pk),
        UnitScope(person_id=world.teammate.pk),
        UnitScope(person_id=world.other_rep.pk),
        UnitScope(department_id=world.domestic.pk),
        UnitScope(department_id=world.center.pk),
    ]
    for viewer in (None, fresh(world.director), fresh(world.head), fresh(world.rep)):
        grouped = actuals_by_unit("new_customers", scopes, MARCH, viewer)
        assert grouped == {scope: actual_for("new_customers", scope, MARCH, viewer).value for scope in scopes}
    assert actuals_by_unit("new_customers", scopes, MARCH)[UnitScope(department_id=world.center.pk)] == 12
