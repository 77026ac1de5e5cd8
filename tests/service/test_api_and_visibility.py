"""CMP-7 visibility by authority (pages and API) and the complaint API (tests/api/base.py)."""

from __future__ import annotations

import pytest

from tests.api.base import ApiResourceChecks, Expect, assert_error_format
from tests.factories import CustomerFactory
from yingxiao.service.models import Complaint

from .conftest import QUALITY, grant_service_permissions, make_complaint

pytestmark = pytest.mark.django_db

SEES = {"director": True, "head": True, "rep": True, "teammate": False, "other_rep": False}
NO_PERM = ("finance", "admin", "resource_director")


@pytest.mark.parametrize("persona", [*SEES, *NO_PERM])
def test_cmp_7_detail_page_by_authority_others_get_404(cmp, customer, client, persona):
    complaint = make_complaint(cmp.cs, customer)
    client.force_login(getattr(cmp, persona))
    response = client.get(f"/service/complaints/{complaint.pk}/")
    assert response.status_code == (200 if SEES.get(persona) else 404)


def test_cmp_7_customer_service_and_responsible_head_see_it(cmp, intl_customer, client):
    complaint = make_complaint(cmp.cs, intl_customer, responsible_department=cmp.domestic)
    for user, status in ((cmp.cs, 200), (cmp.head, 200), (cmp.other_rep, 200), (cmp.rep, 404), (cmp.cs_head, 404)):
        client.force_login(user)
        assert client.get(f"/service/complaints/{complaint.pk}/").status_code == status, user


def test_cmp_7_register_lists_only_visible_complaints_and_exports_escaped(cmp, customer, intl_customer, client):
    mine = make_complaint(cmp.cs, customer, matter='=HYPERLINK("http://x")')
    other = make_complaint(cmp.cs, intl_customer)
    client.force_login(cmp.rep)
    page = client.get("/service/complaints/")
    assert page.status_code == 200
    ids = [c.pk for c in page.context["page"]]
    assert mine.pk in ids and other.pk not in ids
    # rule: ARC-2 — exporting needs its own permission: a rep may list, not export.
    assert client.get("/service/complaints/export/").status_code == 403
    client.force_login(cmp.head)
    listed = [c.pk for c in client.get("/service/complaints/").context["page"]]
    export = client.get("/service/complaints/export/")
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content) if export.streaming else export.content))
                .active.iter_rows(values_only=True))  # fmt: skip
    assert sorted(row[0] for row in rows[1:]) == sorted(listed)
    assert mine.pk in listed and other.pk not in listed
    assert next(row for row in rows[1:] if row[0] == mine.pk)[6] == '\'=HYPERLINK("http://x")'


def test_ui_pages_render_for_each_transition(cmp, customer, client):
    complaint = make_complaint(cmp.cs, customer)
    client.force_login(cmp.head)
    page = client.get(f"/service/complaints/{complaint.pk}/")
    assert b'data-testid="assign-form"' in page.content
    response = client.post(
        f"/service/complaints/{complaint.pk}/assign/",
        {"cause": "delivery", "responsibility": "物流", "plan": "补发"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "assigned"
    response = client.post(f"/service/complaints/{complaint.pk}/close/", {})
    assert response.status_code == 400  # no approved solution: the form shows the error, nothing changes
    complaint.refresh_from_db()
    assert complaint.status == "assigned"
    client.force_login(cmp.cs)
    intake = {"customer": customer.pk, "received_at": "2025-01-03T10:00", "channel": "phone"}
    intake.update({"complainant": "赵", "contact": "139", "category": "quality", "matter": "漏水"})
    response = client.post("/service/complaints/new/", intake)
    assert response.status_code == 200 and Complaint.objects.count() == 1  # quality details missing
    response = client.post("/service/complaints/new/", {**intake, **QUALITY})
    assert response.status_code == 302 and Complaint.objects.count() == 2
    client.force_login(cmp.director)
    assert client.get("/service/complaints/analysis/?period=2025-Q1").status_code == 200


class TestComplaintApi(ApiResourceChecks):
    url = "/api/v1/complaints/"
    model = Complaint
    expect = {
        "director": Expect(sees=True, sees_other=True, creates=True),
        "head": Expect(sees=True, creates=True),
        "rep": Expect(sees=True, creates=True),
        "teammate": Expect(),
        "other_rep": Expect(sees_other=True),
        "finance": Expect(),
        "admin": Expect(),
        "resource_director": Expect(),
    }
    bad_create = {
        "empty_matter": lambda p: {**_payload(p), "matter": ""},
        "bad_category": lambda p: {**_payload(p), "category": "price"},
        "quality_without_details": lambda p: {**_payload(p), "category": "quality"},
        "huge_complainant": lambda p: {**_payload(p), "complainant": "客" * 10_000},
        "unknown_customer": lambda p: {**_payload(p), "customer": 10**12},
        "malformed_json": '{"customer": ',
    }

    @pytest.fixture(autouse=True)
    def _grant(self, personas):
        grant_service_permissions()

    def in_scope(self, p):
        return make_complaint(p.director, CustomerFactory(owner=p.rep, department=p.domestic))

    def out_of_scope(self, p):
        return make_complaint(p.director, CustomerFactory(owner=p.other_rep, department=p.international))

    def create_payload(self, p):
        return _payload(p)


def _payload(p):
    customer = CustomerFactory(owner=p.rep, department=p.domestic)
    return {
        "customer": customer.pk,
        "complainant": "王先生",
        "contact": "139",
        "matter": "服务差",
        "category": "service",
    }


def test_api_lifecycle_through_actions(cmp, customer, api_as):
    cs, head, director = api_as("rep"), api_as("head"), api_as("director")
    created = cs.post("/api/v1/complaints/", {**_payload(cmp), "customer": customer.pk}, format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/v1/complaints/{created.json()['id']}/"
    assert (
        head.post(url + "assign/", {"cause": "attitude", "responsibility": "r", "plan": "p"}, format="json").status_code
        == 200
    )
    response = head.post(url + "solution/", {"measures": "道歉", "deadline": "2099-01-01"}, format="json")
    assert response.json()["status"] == "solution"
    refused = head.post(url + "close/", {}, format="json")
    assert_error_format(refused, 409)
    assert refused.json()["code"] == "service.no_approved_solution"
    assert director.post(url + "decide/", {"decision": "approve"}, format="json").json()["status"] == "executing"
    assert head.post(url + "progress/", {"message": "已致电"}, format="json").status_code == 200
    assert head.post(url + "survey/", {"satisfaction": 5}, format="json").json()["status"] == "verifying"
    body = head.post(url + "close/", {}, format="json").json()
    assert body["status"] == "closed" and [e["to_status"] for e in body["events"]][-1] == "closed"
    assert_error_format(api_as("teammate").post(url + "close/", {}, format="json"), 404)
