"""Query-count pins of the hot API paths (not timings): list, search, deep pages, duplicate check,
create — plus the correctness of what makes them cheap (cached permissions and scope, id-first
deep pages, the lean list row)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import CustomerFactory
from yingxiao.core import pagination
from yingxiao.customers import selectors, services
from yingxiao.customers.api import CustomerListSerializer
from yingxiao.customers.search import apply_search
from yingxiao.org.models import Assignment, Role

LIST = "/api/v1/customers/"
CHECK = "/api/v1/customers/check-duplicates/"


def token_client(user) -> APIClient:
    """A client that authenticates every request by token, so each request loads a fresh user."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def register(actor, **data):
    values = {"name": "杭州华东机械有限公司", "phone": "13800000000", "kind": "company"} | data
    return services.customer_create(actor=actor, data=values)


def _queries(client: APIClient, path: str, params: dict | None = None) -> tuple[int, list[str]]:
    client.get(path, params or {})  # warm the per-process caches, as in a serving worker
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", ["rep", "head", "director"])
def test_org_5_list_is_token_count_and_page_only(personas, who):
    """Warm: the token, the count and the page — permissions and scope come from the org cache."""
    register(personas.rep)
    n, sql = _queries(token_client(getattr(personas, who)), LIST)
    assert n == 3, sql


def test_org_5_search_list_is_at_most_token_count_and_page(personas):
    register(personas.rep)
    n, sql = _queries(token_client(personas.director), LIST, {"q": "hzhd"})
    assert n <= 3, sql


def test_cus_2_check_duplicates_is_token_and_lookup_when_free(personas):
    n, sql = _queries(token_client(personas.rep), CHECK, {"phone": "13900000000", "name": "无人注册"})
    assert n <= 2, sql


def test_cus_2_check_duplicates_masks_like_the_web_check(personas):
    register(personas.other_rep, name="上海申达", phone="13700000000")
    own = token_client(personas.other_rep).get(CHECK, {"phone": "137-0000-0000"}).json()["duplicates"]
    assert own[0]["visible"] is True and own[0]["customer_name"] == "上海申达" and own[0]["customer"]
    masked = token_client(personas.rep).get(CHECK, {"phone": "13700000000"}).json()["duplicates"]
    assert len(masked) == 1
    hit = masked[0]
    assert hit["visible"] is False and hit["customer"] is None
    assert hit["customer_name"] == "" and hit["value"] == ""
    assert hit["owner_name"] == str(personas.other_rep) and hit["message"]
    web = services.customer_check_duplicates(actor=personas.rep, phone="13700000000")
    assert hit["message"] == str(web[0].message)
    assert token_client(personas.rep).get(CHECK, {"name": "上海申达有限公司"}).json()["duplicates"][0]["kind"] == "name"


def test_cus_2_check_duplicates_needs_the_add_or_change_permission(personas):
    assert token_client(personas.finance).get(CHECK, {"phone": "13700000000"}).status_code == 403


def test_cus_1_create_reads_nothing_back_for_a_customer_without_contacts(personas):
    client = token_client(personas.rep)
    client.get(LIST)
    payload = {"name": "宁波甬兴贸易有限公司", "phone": "13600000001", "kind": "company"}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["contacts"] == []
    assert not [q for q in ctx.captured_queries if "customers_contact" in q["sql"] and "SELECT" in q["sql"]]


def test_cus_1_list_row_equals_the_model_serializer(personas):
    register(personas.rep)
    register(personas.other_rep, name="上海申达", phone="13700000000", email="a@example.com")
    CustomerFactory(name="无主客户", phone="13500000000")
    rows = token_client(personas.director).get(LIST).json()["results"]
    expected = CustomerListSerializer(list(selectors.customer_queryset(personas.director)), many=True).data
    assert rows == json.loads(json.dumps(expected))


def test_org_5_cached_permissions_follow_a_role_change(personas):
    client = token_client(personas.rep)
    assert client.get(LIST).status_code == 200
    role = Role.objects.get(code="sales_rep")
    role.permissions.remove(Permission.objects.get(codename="view_customer"))
    assert client.get(LIST).status_code == 403


def test_org_5_cached_scope_follows_an_assignment_change(personas):
    register(personas.other_rep, name="上海申达", phone="13700000000")
    client = token_client(personas.rep)
    assert client.get(LIST).json()["count"] == 0
    director_post = Assignment.objects.get(user=personas.director, ended_on__isnull=True).position
    Assignment.objects.create(user=personas.rep, position=director_post, is_primary=False)
    assert client.get(LIST).json()["count"] == 1


def test_deep_pages_read_ids_first_and_return_the_same_rows(personas, monkeypatch):
    for i in range(12):
        register(personas.rep, name=f"客户{i}号", phone=f"1360000{i:04d}")
    queryset = selectors.customer_list_values(personas.rep)
    plain = list(queryset[5:9])
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 1)
    with CaptureQueriesContext(connection) as ctx:
        deep = list(pagination.slice_rows(queryset, 5, 9))
    assert deep == plain
    assert len(ctx.captured_queries) == 1 and ctx.captured_queries[0]["sql"].count("SELECT") >= 2


def test_searched_list_counts_to_the_search_cap(personas, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    for i in range(5):
        register(personas.rep, name=f"华东机械{i}厂", phone=f"1360000{i:04d}")
    body = token_client(personas.rep).get(LIST, {"q": "华东机械"}).json()
    assert body["count"] == 3 and body["count_exact"] is False and len(body["results"]) == 5
    body = token_client(personas.rep).get(LIST).json()
    assert body["count"] == 5 and body["count_exact"] is True


def test_customer_search_gives_the_rows_of_apply_search(personas):
    for i, name in enumerate(["建国机械有限公司", "杭州建国贸易", "上海申达", "华东建材"]):
        register(personas.rep, name=name, phone=f"1360000{i:04d}")
    base = selectors.customer_list_values(personas.director)
    for term in ["建国", "jianguo", "hzjg", "华东", "1360000", "申达"]:
        searched, _count = selectors.customer_search(base, term, scope_level="all")
        assert [r["id"] for r in searched] == [r["id"] for r in apply_search(base, term)]
        own, _count = selectors.customer_search(selectors.customer_list_values(personas.rep), term, scope_level="own")
        assert {r["id"] for r in own} == {r["id"] for r in apply_search(base, term)}
