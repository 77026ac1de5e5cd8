"""Planning API and pages: scope per persona (ORG-5), out of scope → 404, bad input → error, nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.api.base import ApiResourceChecks, Expect
from tests.personas import Personas
from yingxiao.planning.models import Budget, ExpenseClaim, Target, TargetPlan

from .conftest import budget, customer_of, fresh

TODAY = dt.date.today()
ALL = Expect(sees=True, sees_other=True)


def _person_target(p: Personas, person: Any, department: Any) -> Target:
    plan, _created = TargetPlan.objects.get_or_create(
        year=2026, metric="sales", department=p.center, defaults={"created_by": p.director}
    )
    root = plan.targets.filter(parent__isnull=True).first() or Target.objects.create(
        plan=plan, department=p.center, amount=Decimal(100)
    )
    return Target.objects.create(plan=plan, parent=root, department=department, person=person, amount=Decimal(10))


class TestTargetApi(ApiResourceChecks):
    """rule: PLN-1, PLN-2 — targets: own for staff, the department for heads, all for directors and finance."""

    url = "/api/v1/targets/"
    model = Target
    expect = {
        "director": Expect(sees=True, sees_other=True, updates=True),
        "head": Expect(sees=True, updates=True),
        "rep": Expect(sees=True),
        "teammate": Expect(),
        "other_rep": Expect(sees_other=True),
        "finance": ALL,
        "admin": Expect(),
        "resource_director": Expect(),
    }
    bad_update = {
        "negative": {"amount": "-1"},
        "not_a_number": {"amount": "abc"},
        "malformed_json": '{"amount": ',
    }

    def in_scope(self, p: Personas) -> Target:
        return _person_target(p, p.rep, p.domestic)

    def out_of_scope(self, p: Personas) -> Target:
        return _person_target(p, p.other_rep, p.international)

    def create_payload(self, p: Personas) -> None:
        return None

    def update_payload(self, p: Personas, obj: Any) -> dict[str, Any]:
        return {"amount": "123.00"}


def _claim(p: Personas, person: Any, department: Any) -> ExpenseClaim:
    pot, _created = Budget.objects.get_or_create(
        department=department, year=TODAY.year, month=0, category="travel", defaults={"amount": Decimal(1000)}
    )
    return ExpenseClaim.objects.create(
        claimant=person, department=department, budget=pot, category="travel", amount=Decimal(10),
        spent_on=TODAY, description="出租车",
    )  # fmt: skip


class TestExpenseClaimApi(ApiResourceChecks):
    """rule: PLN-4 — claims: own for staff, the department for heads, all for directors and finance."""

    url = "/api/v1/expense-claims/"
    model = ExpenseClaim
    expect = {
        "director": Expect(sees=True, sees_other=True, creates=True),
        "head": Expect(sees=True, creates=True),
        "rep": Expect(sees=True, creates=True),
        "teammate": Expect(creates=True),
        "other_rep": Expect(sees_other=True, creates=True),
        "finance": Expect(sees=True, sees_other=True, creates=True),
        "admin": Expect(creates=True),
        "resource_director": Expect(creates=True),
    }
    bad_create = {
        "negative": {"category": "travel", "amount": "-5", "spent_on": str(TODAY), "description": "x"},
        "zero": {"category": "travel", "amount": "0", "spent_on": str(TODAY), "description": "x"},
        "unknown_category": {"category": "yacht", "amount": "5", "spent_on": str(TODAY), "description": "x"},
        "future": {
            "category": "travel",
            "amount": "5",
            "spent_on": str(TODAY + dt.timedelta(days=2)),
            "description": "x",
        },
        "bad_date": {"category": "travel", "amount": "5", "spent_on": "2026-13-01", "description": "x"},
        "over_budget": {"category": "travel", "amount": "999999", "spent_on": str(TODAY), "description": "x"},
        "malformed_json": '{"amount": ',
    }

    def in_scope(self, p: Personas) -> ExpenseClaim:
        return _claim(p, p.rep, p.domestic)

    def out_of_scope(self, p: Personas) -> ExpenseClaim:
        return _claim(p, p.other_rep, p.international)

    def create_payload(self, p: Personas) -> dict[str, Any]:
        Budget.objects.get_or_create(
            department=p.center, year=TODAY.year, month=0, category="office", defaults={"amount": Decimal(100000)}
        )
        return {"category": "office", "amount": "10.00", "spent_on": str(TODAY), "description": "打印纸"}

    def update_payload(self, p: Personas, obj: Any) -> None:
        return None


def test_pln_1_api_publish_refuses_unexplained_parts(personas: Personas, api_as: Any) -> None:
    director = api_as("director")
    response = director.post(
        "/api/v1/target-plans/", {"year": 2026, "metric": "sales", "department": personas.center.pk, "amount": "100"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    root = Target.objects.get(plan_id=plan_id)
    response = director.post(
        "/api/v1/targets/", {"parent": root.pk, "department": personas.domestic.pk, "amount": "60"}, format="json"
    )
    assert response.status_code == 201, response.json()
    response = director.post(f"/api/v1/target-plans/{plan_id}/publish/")
    assert response.status_code == 409
    assert response.json()["code"] == "planning.unexplained"
    response = director.post(f"/api/v1/targets/{root.pk}/explain/", {"note": "40 留给新市场"}, format="json")
    assert response.status_code == 200
    assert director.post(f"/api/v1/target-plans/{plan_id}/publish/").status_code == 200
    # A head reads the plan's progress only for their targets; another department's head finds nothing.
    rows = api_as("head").get(f"/api/v1/target-plans/{plan_id}/progress/").json()
    assert [r["unit"] for r in rows] == ["国内部"]
    assert api_as("other_rep").get(f"/api/v1/target-plans/{plan_id}/").status_code == 404


def test_pln_1_api_bad_period_is_refused(personas: Personas, api_as: Any) -> None:
    director = api_as("director")
    plan = director.post(
        "/api/v1/target-plans/", {"year": 2026, "metric": "new_customers", "department": personas.center.pk,
                                  "amount": "100"}, format="json",
    ).json()  # fmt: skip
    root = Target.objects.get(plan_id=plan["id"])
    for payload in ({"period_kind": "month", "period_index": 13}, {"period_kind": "quarter", "period_index": 0}):
        response = director.post("/api/v1/targets/", {"parent": root.pk, "amount": "1", **payload}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "planning.bad_period"
    assert Target.objects.filter(plan_id=plan["id"]).count() == 1


@pytest.mark.parametrize(
    ("persona", "pages"),
    [
        ("director", {"targets": 200, "budgets": 200, "claims": 200, "gifts": 200}),
        ("head", {"targets": 200, "budgets": 200, "claims": 200, "gifts": 200}),
        ("rep", {"targets": 200, "budgets": 403, "claims": 200, "gifts": 200}),
        ("finance", {"targets": 200, "budgets": 200, "claims": 200, "gifts": 200}),
        ("admin", {"targets": 403, "budgets": 403, "claims": 200, "gifts": 403}),
    ],
)
def test_pln_pages_follow_the_role(personas: Personas, persona: str, pages: dict[str, int]) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    for name, status in pages.items():
        assert client.get(f"/planning/{name}/").status_code == status, name


def test_pln_3_pages_show_only_targets_in_scope(personas: Personas) -> None:
    mine = _person_target(personas, personas.rep, personas.domestic)
    theirs = _person_target(personas, personas.other_rep, personas.international)
    customer_of(personas.rep, personas.domestic)
    client = Client()
    client.force_login(personas.rep)
    page = client.get(f"/planning/targets/{mine.plan_id}/")
    assert page.status_code == 200
    assert f'data-testid="target-{mine.pk}"' in page.text
    assert f'data-testid="target-{theirs.pk}"' not in page.text
    progress = client.get(f"/planning/targets/{mine.plan_id}/progress/")
    assert progress.status_code == 200
    assert "planning/progress.js" in progress.text and "planning-chart-data" in progress.text
    assert f'data-testid="progress-{theirs.pk}"' not in progress.text
    client.force_login(fresh(personas.teammate))
    assert client.get(f"/planning/targets/{mine.plan_id}/").status_code == 404  # no target of theirs in it


def test_pln_4_claim_page_shows_the_refusal(personas: Personas) -> None:
    budget(personas.domestic, "100")
    client = Client()
    client.force_login(personas.rep)
    response = client.post(
        "/planning/claims/",
        {"category": "travel", "amount": "150", "spent_on": str(TODAY), "description": "高铁"},
    )
    assert response.status_code == 400
    assert "100.00" in response.text
    assert not ExpenseClaim.objects.exists()
