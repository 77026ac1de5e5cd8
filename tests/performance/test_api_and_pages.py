"""DIS-1/DIS-3 through the API and the pages: scoped lists, finance-only payment, the ledger."""

from __future__ import annotations

import pytest

from tests.api.base import assert_error_format
from yingxiao.performance.models import Violation
from yingxiao.performance.services import violation_record

from .conftest import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def fines(personas):
    mine = approve(
        personas,
        violation_record(actor_or_system=None, person=personas.rep, rule_id="HR-7", evidence="迟交", amount=50),
    )
    other = approve(
        personas,
        violation_record(actor_or_system=None, person=personas.other_rep, rule_id="HR-7", evidence="迟交", amount=30),
    )
    return mine, other


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_dis_1_api_lists_are_scoped(personas, api_as, fines):
    mine, other = fines
    assert _ids(api_as("rep").get("/api/v1/performance/violations/")) == {mine.pk}
    head_sees = _ids(api_as("head").get("/api/v1/performance/violations/"))
    assert mine.pk in head_sees and other.pk not in head_sees
    assert {mine.pk, other.pk} <= _ids(api_as("director").get("/api/v1/performance/violations/"))
    assert_error_format(api_as("rep").get(f"/api/v1/performance/violations/{other.pk}/"), 404)


def test_dis_1_api_mark_paid_is_finance_only(personas, api_as, fines):
    mine, _other = fines
    url = f"/api/v1/performance/violations/{mine.pk}/mark_paid/"
    body = assert_error_format(api_as("director").post(url), 403)
    assert body["code"] == "performance.finance_only"
    response = api_as("finance").post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "paid"
    assert_error_format(api_as("finance").post(url), 409)


def test_dis_3_api_ledger(personas, api_as, fines):
    month = fines[0].booked_on.strftime("%Y-%m")
    data = api_as("head").get("/api/v1/performance/ledger/", {"month": month}).json()
    assert data["month"] == month
    names = {row["name"]: row for row in data["by_person"]}
    assert set(names) == {"张三", "李经理"}
    assert names["李经理"]["fines"] == "100.00"
    assert [row["name"] for row in data["by_department"]] == ["国内部"]
    assert_error_format(api_as("head").get("/api/v1/performance/ledger/", {"month": "13-2025"}), 400)


def test_dis_3_ledger_page_and_violation_page(personas, client, fines):
    client.force_login(personas.head)
    page = client.get("/performance/", {"month": fines[0].booked_on.strftime("%Y-%m")})
    assert page.status_code == 200
    assert "张三" in page.content.decode() and "Peter" not in page.content.decode()
    assert client.get("/performance/violations/").status_code == 200


def test_dis_1_pages_record_and_pay(personas, client, fines):
    client.force_login(personas.head)
    response = client.post(
        "/performance/violations/new/",
        {"person": personas.teammate.pk, "rule_id": "HR-10", "amount": "50", "evidence": "午休空岗"},
    )
    assert response.status_code == 302
    assert Violation.objects.filter(person=personas.teammate, rule_id="HR-10").exists()
    mine = fines[0]
    client.post(f"/performance/violations/{mine.pk}/paid/")
    mine.refresh_from_db()
    assert mine.status == Violation.Status.APPROVED  # the head is not finance
    client.force_login(personas.finance)
    client.post(f"/performance/violations/{mine.pk}/paid/")
    mine.refresh_from_db()
    assert mine.status == Violation.Status.PAID


def test_dis_3_violation_list_queries_do_not_grow_with_rows(personas, api_as, fines):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as("director")
    client.get("/api/v1/performance/violations/")
    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/performance/violations/")
    for n in range(3):
        violation_record(actor_or_system=None, person=personas.teammate, rule_id="HR-7", evidence=f"{n}", amount=5)
    with CaptureQueriesContext(connection) as after:
        client.get("/api/v1/performance/violations/")
    assert len(after) == len(before)
