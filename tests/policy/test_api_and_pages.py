"""Policy API (/api/v1/policy/parameters/) and pages (/policy/): read for all, change for administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yingxiao.policy.catalog import CATALOG
from yingxiao.policy.models import PolicyValue
from yingxiao.policy.values import policy_value

from .test_values import grant_policy_change

URL = "/api/v1/policy/parameters/"


@pytest.fixture
def admin(personas):
    grant_policy_change(personas.admin)
    return personas.admin


@pytest.mark.django_db
def test_every_employee_reads_the_policy(api_as, django_assert_max_num_queries) -> None:
    client = api_as("rep")
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert len(rows) == len(CATALOG)
    assert rows["service_window_days"]["value"] == 90 and rows["service_window_days"]["rule_id"] == "CUS-7"
    assert rows["invite_cutoff"]["value_display"] == "18:00"
    detail = client.get(f"{URL}service_window_days/").json()
    assert detail["history"] == [] and detail["description"]


@pytest.mark.django_db
def test_cus_7_admin_changes_the_window_through_the_api(api_as, admin) -> None:
    response = api_as("admin").post(
        f"{URL}service_window_days/change/", {"value": 60, "reason": "销售会议决定"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["previous_value"] == 90
    assert policy_value("service_window_days") == 60
    detail = api_as("rep").get(f"{URL}service_window_days/").json()
    assert detail["value"] == 60 and len(detail["history"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("service_window_days", -1, "policy.negative"),
        ("invite_cutoff", "25:00", "policy.bad_time"),
        ("bad_debt_max", "120", "policy.percent_over_100"),
        ("complaint_fine", "1500..200", "policy.range_reversed"),
    ],
)
def test_api_refuses_bad_values_with_code_and_message(api_as, admin, name, value, code) -> None:
    response = api_as("admin").post(f"{URL}{name}/change/", {"value": value, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["message"]
    assert PolicyValue.objects.count() == 0


@pytest.mark.django_db
def test_api_change_needs_the_permission_and_a_known_parameter(api_as, admin) -> None:
    response = api_as("rep").post(f"{URL}service_window_days/change/", {"value": 60, "reason": "x"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "core.permission_denied"
    assert api_as("admin").get(f"{URL}nope/").status_code == 404
    response = api_as("admin").post(f"{URL}nope/change/", {"value": 1, "reason": "x"}, format="json")
    assert response.status_code == 404
    assert PolicyValue.objects.count() == 0


@pytest.mark.django_db
def test_policy_page_groups_parameters_by_section(client, personas) -> None:
    client.force_login(personas.rep)
    response = client.get(reverse("policy:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("ORG", "CUS", "ACT", "CON", "DIS", "KPI"):
        assert f'data-testid="policy-section-{section}"' in html
    assert 'data-testid="policy-service_window_days"' in html
    detail = client.get(reverse("policy:detail", args=["service_window_days"]))
    assert detail.status_code == 200 and b"policy-change-form" not in detail.content
    assert client.post(reverse("policy:detail", args=["service_window_days"]), {"value": "1"}).status_code == 404


@pytest.mark.django_db
def test_admin_edits_a_value_in_the_form_and_sees_refusals(client, admin) -> None:
    client.force_login(admin)
    url = reverse("policy:detail", args=["invite_cutoff"])
    response = client.post(url, {"value": "25:00", "reason": "试"})
    assert response.status_code == 200 and b"field-error" in response.content
    assert PolicyValue.objects.count() == 0
    response = client.post(url, {"value": "17:30", "reason": "冬令时"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "17:30" in page and "冬令时" in page
