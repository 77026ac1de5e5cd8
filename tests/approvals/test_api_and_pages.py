"""APR-1 through the API (/api/v1/approvals/) and the pages (待我审批 / 我发起的 / detail)."""

from __future__ import annotations

import pytest

from tests.api.base import assert_error_format
from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_submit

from .conftest import set_absent

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(personas, expense_type):
    return approval_submit(actor=personas.rep, request_type=expense_type, subject=personas.rep, amount=100)


def _ids(response):
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return [row["id"] for row in rows]


def test_apr_1_api_inbox_and_mine(personas, api_as, request_):
    assert _ids(api_as("head").get("/api/v1/approvals/inbox/")) == [request_.pk]
    assert _ids(api_as("rep").get("/api/v1/approvals/inbox/")) == []
    assert _ids(api_as("rep").get("/api/v1/approvals/mine/")) == [request_.pk]
    assert _ids(api_as("head").get("/api/v1/approvals/mine/")) == []


def test_apr_1_api_inbox_includes_requests_as_a_delegate(personas, api_as, request_):
    set_absent(personas.head, delegate=personas.teammate)
    assert _ids(api_as("teammate").get("/api/v1/approvals/inbox/")) == [request_.pk]


def test_apr_1_api_detail_is_scoped_and_shows_the_trail(personas, api_as, request_):
    data = api_as("head").get(f"/api/v1/approvals/{request_.pk}/").json()
    assert data["status"] == "pending"
    assert [d["decision"] for d in data["decisions"]] == ["submit"]
    assert data["decisions"][0]["verified"] is True
    assert_error_format(api_as("other_rep").get(f"/api/v1/approvals/{request_.pk}/"), 404)
    assert request_.pk not in _ids(api_as("other_rep").get("/api/v1/approvals/"))


def test_apr_1_api_decide(personas, api_as, request_):
    url = f"/api/v1/approvals/{request_.pk}/decide/"
    body = assert_error_format(api_as("rep").post(url, {"decision": "approve"}, format="json"), 403)
    assert body["code"] == "approvals.not_yours"
    assert_error_format(api_as("head").post(url, {"decision": "maybe"}, format="json"), 400)
    body = assert_error_format(api_as("head").post(url, {"decision": "reject"}, format="json"), 400)
    assert body["code"] == "approvals.note_required"
    response = api_as("head").post(url, {"decision": "approve", "note": "同意", "version": 0}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    body = assert_error_format(api_as("head").post(url, {"decision": "approve"}, format="json"), 409)
    assert body["code"] == "approvals.already_decided"


def test_apr_1_api_cancel(personas, api_as, request_):
    url = f"/api/v1/approvals/{request_.pk}/cancel/"
    assert_error_format(api_as("head").post(url, {}, format="json"), 403)
    assert api_as("rep").post(url, {"note": "撤回"}, format="json").json()["status"] == "cancelled"


def test_apr_1_api_needs_login(api_client, request_):
    assert_error_format(api_client.get("/api/v1/approvals/inbox/"), 401, 403)


def test_apr_1_pages(personas, client, request_):
    client.force_login(personas.head)
    inbox = client.get("/approvals/")
    assert inbox.status_code == 200 and request_.title in inbox.content.decode()
    detail = client.get(f"/approvals/{request_.pk}/")
    assert 'data-testid="decide-form"' in detail.content.decode()
    refused = client.post(f"/approvals/{request_.pk}/decide/", {"decision": "return", "note": "", "version": 0})
    assert refused.status_code == 400
    done = client.post(f"/approvals/{request_.pk}/decide/", {"decision": "return", "note": "补充", "version": 0})
    assert done.status_code == 302
    request_.refresh_from_db()
    assert request_.status == Instance.Status.RETURNED
    client.force_login(personas.rep)
    mine = client.get("/approvals/mine/")
    assert request_.title in mine.content.decode()
    client.force_login(personas.other_rep)
    assert client.get(f"/approvals/{request_.pk}/").status_code == 404


def test_apr_1_inbox_queries_do_not_grow_with_rows(personas, api_as, expense_type):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    client = api_as("head")

    def add() -> None:
        approval_submit(actor=personas.rep, request_type=expense_type, subject=UserFactory(), amount=1)

    add()
    client.get("/api/v1/approvals/inbox/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/approvals/inbox/").status_code == 200
    for _ in range(3):
        add()
    with CaptureQueriesContext(connection) as four:
        assert len(_ids(client.get("/api/v1/approvals/inbox/"))) == 4
    assert len(four) == len(one)
