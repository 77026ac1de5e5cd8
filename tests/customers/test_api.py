"""Customer and contact API (/api/v1/): list, detail, create, update; ORG-5 scope (404); CUS-2 duplicates (409)."""

from __future__ import annotations

import pytest

from yingxiao.customers import services
from yingxiao.customers.models import Customer, DuplicateAttempt

pytestmark = pytest.mark.django_db

LIST = "/api/v1/customers/"
CONTACTS = "/api/v1/contacts/"


def register(actor, name="杭州华东机械有限公司", phone="13912345678", **data):
    return services.customer_create(actor=actor, data={"name": name, "phone": phone, **data})


def test_cus_1_api_create_with_contacts_and_read_back(api_as, personas):
    api = api_as("rep")
    response = api.post(
        LIST,
        {"name": "宁波东方", "phone": "0574-8888 1234", "source": "fair", "contacts": [{"name": "王工", "phone": ""}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == personas.rep.pk and body["owner_name"] == "张三" and body["department_name"] == "国内部"
    assert [c["name"] for c in body["contacts"]] == ["王工"]
    detail = api.get(f"{LIST}{body['id']}/").json()
    assert detail["source"] == "fair"


def test_cus_2_api_duplicate_is_409_with_the_code_and_is_logged(api_as, personas):
    register(personas.rep)
    response = api_as("other_rep").post(LIST, {"name": "别名", "phone": "+86 139 1234 5678"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "customers.duplicate"
    assert "张三" in body["message"] and "杭州华东机械" not in body["message"]
    assert DuplicateAttempt.objects.get().channel == "api"
    assert Customer.objects.count() == 1


def test_cus_2_api_duplicate_on_update_and_on_contacts(api_as, personas):
    register(personas.rep)
    mine = register(personas.other_rep, name="上海申达", phone="13700000000")
    api = api_as("other_rep")
    assert api.patch(f"{LIST}{mine.pk}/", {"phone": "13912345678"}, format="json").status_code == 409
    response = api.post(CONTACTS, {"customer": mine.pk, "name": "李工", "phone": "139-1234-5678"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "customers.duplicate"
    created = api.post(CONTACTS, {"customer": mine.pk, "name": "李工", "phone": "13600000000"}, format="json")
    assert created.status_code == 201
    response = api.patch(f"{CONTACTS}{created.json()['id']}/", {"phone": "13912345678"}, format="json")
    assert response.status_code == 409


def test_cus_1_api_update(api_as, personas):
    customer = register(personas.rep)
    response = api_as("rep").patch(f"{LIST}{customer.pk}/", {"stage": "intent", "region": "杭州"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "intent"
    assert customer.history.count() == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "", "phone": "13912345678"},
        {"name": "甲公司"},
        {"name": "甲公司", "email": "bad"},
        {"name": "甲" * 201, "phone": "13912345678"},
        {"name": "甲公司", "phone": "13912345678", "owner": 999999},
        {"name": "甲公司", "phone": "13912345678", "stage": "nonsense"},
    ],
)
def test_cus_1_api_bad_input_is_400_with_a_code_and_writes_nothing(api_as, personas, payload):
    response = api_as("rep").post(LIST, payload, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] in {"core.invalid_input", "customers.contact_required"}
    assert not Customer.objects.exists()


def test_org_5_api_out_of_scope_is_404(api_as, personas):
    customer = register(personas.rep)
    other = api_as("other_rep")
    assert other.get(f"{LIST}{customer.pk}/").status_code == 404
    assert other.patch(f"{LIST}{customer.pk}/", {"region": "x"}, format="json").status_code == 404
    contact = services.contact_add(actor=personas.rep, customer=customer, data={"name": "王工", "phone": "13800001111"})
    assert other.get(f"{CONTACTS}{contact.pk}/").status_code == 404
    response = other.post(CONTACTS, {"customer": customer.pk, "name": "x", "phone": "13500000000"}, format="json")
    assert response.status_code == 400  # the out-of-scope customer looks exactly like a missing one
    assert other.get(LIST).json()["results"] == []


def test_org_5_api_list_per_persona(api_as, personas):
    register(personas.rep)
    register(personas.other_rep, name="上海申达", phone="13700000000")
    names = {
        who: {row["name"] for row in api_as(who).get(LIST).json()["results"]}
        for who in ("rep", "teammate", "head", "director", "finance")
    }
    assert names["rep"] == {"杭州华东机械有限公司"}
    assert names["teammate"] == set()
    assert names["head"] == {"杭州华东机械有限公司"}
    assert names["director"] == names["finance"] == {"杭州华东机械有限公司", "上海申达"}
    assert api_as("finance").post(LIST, {"name": "x", "phone": "13500000000"}, format="json").status_code == 403


def test_cus_1_api_shares_the_list_filters(api_as, personas):
    register(personas.rep, stage="intent")
    register(personas.rep, name="上海申达", phone="13700000000")
    api = api_as("director")
    assert [r["name"] for r in api.get(LIST, {"stage": "intent"}).json()["results"]] == ["杭州华东机械有限公司"]
    assert [r["name"] for r in api.get(LIST, {"q": "hzhd"}).json()["results"]] == ["杭州华东机械有限公司"]
    assert [r["name"] for r in api.get(LIST, {"ordering": "name"}).json()["results"]] == [
        "杭州华东机械有限公司",
        "上海申达",
    ]
    assert api.get(LIST, {"owner": personas.rep.pk}).json()["count"] == 2
    assert api.get(LIST, {"stage": "bogus"}).status_code == 400


def test_cus_1_api_list_query_count_does_not_grow_with_rows(api_as, personas, django_assert_num_queries):
    api = api_as("head")
    register(personas.rep)
    api.get(LIST)  # warm the actor's scope and permission caches like any other request would
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        api.get(LIST)
    for i in range(8):
        register(personas.rep, name=f"客户{i}", phone=f"1360000{i:04d}")
    with django_assert_num_queries(len(few)):
        assert api.get(LIST).json()["count"] == 9


def test_cus_1_api_schema_includes_customers(api_as):
    response = api_as("director").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/customers/" in response.content
