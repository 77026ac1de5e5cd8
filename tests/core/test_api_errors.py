"""The API's error format: every failure is ``{code, message[, errors]}``, 4xx, in the caller's language."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.api.base import assert_error_format
from tests.factories import DepartmentFactory
from yingxiao.org.models import Position

pytestmark = pytest.mark.django_db

ORG_ENDPOINTS = ["/api/v1/departments/", "/api/v1/positions/", "/api/v1/roles/", "/api/v1/users/"]

# (Accept-Language, the not-found message in that language)
NOT_FOUND_IN = [
    ("zh-hans", "记录不存在"),
    ("zh-hant", "記錄不存在"),
    ("en", "The record does not exist"),
    ("zh-CN,zh;q=0.9", "记录不存在"),
    ("zh-TW", "記錄不存在"),
]


@pytest.mark.parametrize(("language", "expected"), NOT_FOUND_IN)
def test_not_found_speaks_the_request_language(personas, api_as, language, expected):
    response = api_as("rep").get("/api/v1/departments/987654321/", HTTP_ACCEPT_LANGUAGE=language)
    body = assert_error_format(response, 404)
    assert body["code"] == "core.not_found"
    assert expected in body["message"]


@pytest.mark.parametrize(
    ("language", "message", "field_message"),
    [
        ("zh-hans", "输入", "必填"),
        ("zh-hant", "輸入", "必需"),
        ("en", "input is invalid", "required"),
    ],
)
def test_invalid_input_lists_field_errors_in_the_request_language(personas, api_as, language, message, field_message):
    response = api_as("admin").post("/api/v1/departments/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    body = assert_error_format(response, 400)
    assert body["code"] == "core.invalid_input"
    assert message in body["message"]
    assert field_message in body["errors"]["name"][0]


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "权限"), ("zh-hant", "權限"), ("en", "permission")])
def test_permission_denied_speaks_the_request_language(personas, api_as, language, expected):
    response = api_as("rep").post(
        "/api/v1/departments/", {"name": "x", "code": "x"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    body = assert_error_format(response, 403)
    assert body["code"] == "core.permission_denied"
    assert expected in body["message"]


def test_a_business_error_carries_its_own_code(personas, api_as):
    response = api_as("admin").patch(
        f"/api/v1/departments/{personas.domestic.pk}/", {"parent": personas.domestic.pk}, format="json"
    )
    assert assert_error_format(response, 400)["code"] == "org.department_cycle"


def test_unauthenticated_requests_are_told_to_log_in():
    body = assert_error_format(APIClient().get("/api/v1/departments/"), 401, 403)
    assert body["code"] == "core.not_authenticated"


def test_a_bad_token_is_refused_in_the_error_format():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    body = assert_error_format(client.get("/api/v1/departments/"), 401, 403)
    assert body["code"] == "core.not_authenticated"


def test_malformed_json_is_a_parse_error(personas, api_as):
    response = api_as("admin").post("/api/v1/departments/", '{"name": ', content_type="application/json")
    assert assert_error_format(response, 400)["code"] == "core.parse_error"


def test_an_unsupported_media_type_is_refused(personas, api_as):
    response = api_as("admin").post("/api/v1/departments/", "<x/>", content_type="application/xml")
    assert assert_error_format(response, 415)["code"] == "core.unsupported_media_type"


def test_a_method_the_resource_does_not_offer_is_405(personas, api_as):
    # The admin holds org.add_role, but roles are edited in the admin site, not through the API.
    response = api_as("admin").post("/api/v1/roles/", {"code": "x", "name": "x"}, format="json")
    assert assert_error_format(response, 405)["code"] == "core.method_not_allowed"


@pytest.mark.parametrize("url", ["/api/v1/nothing-here/", "/api/v2/departments/", "/api/v1/departments/abc/"])
def test_unknown_api_urls_answer_in_the_error_format(personas, api_as, url):
    assert assert_error_format(api_as("rep").get(url), 404)["code"] == "core.not_found"
    assert assert_error_format(APIClient().post(url, {}, format="json"), 401, 403, 404)


def test_a_failed_csrf_check_says_so(personas):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(personas.admin)
    response = client.post("/api/v1/departments/", {"name": "x", "code": "x"}, format="json")
    body = assert_error_format(response, 403)
    assert "CSRF" in body["message"]


@pytest.mark.parametrize(
    "query",
    [
        {"parent": "abc"},
        {"parent": "9" * 400},
        {"is_active": "perhaps"},
        {"kind": "galaxy"},
        {"ordering": "no_such_field"},
        {"page_size": "-1"},
        {"page_size": "many"},
        {"page": "0"},
        {"page": "9" * 400},
        {"department": "x" * 5000},
        {"search": "张" * 5000},
        {"status": "\x00"},
    ],
)
@pytest.mark.parametrize("url", ORG_ENDPOINTS)
def test_garbage_query_parameters_never_cause_a_500(personas, api_as, url, query):
    response = api_as("admin").get(url, query)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_error_format(response)


@pytest.mark.parametrize("url", ORG_ENDPOINTS)
@pytest.mark.parametrize("pk", ["abc", "9" * 400, "-1", "1.5", "%00", "0"])
def test_garbage_ids_are_404(personas, api_as, url, pk):
    assert_error_format(api_as("admin").get(f"{url}{pk}/"), 404)
    assert_error_format(api_as("admin").patch(f"{url}{pk}/", {"name": "x"}, format="json"), 404, 405)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=12,
)
FIELDS = ["name", "code", "kind", "parent", "sort_order", "title", "department", "role", "superior", "is_head"]
PAYLOADS = JSON | st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6)


@pytest.mark.parametrize("url", ["/api/v1/departments/", "/api/v1/positions/"])
def test_fuzzed_writes_never_cause_a_500(personas, url):
    client = APIClient()
    client.force_authenticate(personas.admin)
    target = f"{url}{Position.objects.first().pk if 'positions' in url else DepartmentFactory().pk}/"

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(payload=PAYLOADS, method=st.sampled_from(["post", "patch", "put"]))
    def check(payload, method):
        response = getattr(client, method)(
            url if method == "post" else target, json.dumps(payload), content_type="application/json"
        )
        assert response.status_code < 500, (payload, response.content[:300])
        if response.status_code >= 400:
            assert_error_format(response)

    check()
