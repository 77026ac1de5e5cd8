"""Browser: the director sees a target whose parts do not add up, cannot publish, explains the difference,
publishes, and opens plan vs actual, whose ECharts chart draws under the strict CSP (PLN-1, PLN-3)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login
from tests.personas import build_personas
from yingxiao.planning import targets
from yingxiao.planning.models import TargetPlan

pytestmark = pytest.mark.django_db(transaction=True)


def test_pln_1_director_explains_the_difference_publishes_and_sees_the_chart(page):
    people = build_personas()
    plan = targets.plan_create(
        actor=people.director, year=2026, metric="new_customers", department=people.center, amount="100"
    )
    root = plan.targets.get()
    targets.target_add_child(actor=people.director, parent=root, department=people.domestic, amount="60")
    page.set_default_timeout(60_000)  # a loaded shared machine: the first page can be slow
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    login(page, "director")
    page.goto(f"/planning/targets/{plan.pk}/")
    assert "-40" in page.get_by_test_id("unexplained").inner_text()
    page.get_by_test_id("publish").click()
    page.get_by_test_id("unexplained").wait_for()
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.DRAFT

    row = page.get_by_test_id(f"target-{root.pk}")
    row.locator("summary").click()
    row.locator("textarea[name=note]").fill("40 留给下半年新开的西南办事处")
    row.locator("form:has(textarea[name=note]) button").click()
    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.PUBLISHED

    page.goto(f"/planning/targets/{plan.pk}/progress/")
    page.locator("#planning-chart canvas").wait_for()
    assert page.get_by_test_id(f"progress-{root.pk}").is_visible()
    assert not [p for p in problems if "Content Security Policy" in p], problems
