"""The contact-log API per persona (ACT-1, CUS-11): list, detail, create, out of scope, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.base import ApiResourceChecks, Expect, assert_error_format
from tests.factories import ActivityFactory, ContactFactory, CustomerFactory
from yingxiao.activities.models import Activity
from yingxiao.core.models import Notification

pytestmark = pytest.mark.django_db

ALL = Expect(sees=True, sees_other=True, creates=True)


def _rep_customer(p):
    return CustomerFactory(owner=p.rep, department=p.domestic)


def _payload(customer_id: int, **overrides):
    data = {
        "customer": customer_id,
        "kind": "visit",
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "subject": "上门拜访",
    }
    data.update(overrides)
    return data


class TestActivityApi(ApiResourceChecks):
    url = "/api/v1/activities/"
    model = Activity
    expect = {
        "director": ALL,
        "head": Expect(sees=True, creates=True),
        "rep": Expect(sees=True, creates=True),
        "teammate": Expect(),  # own scope: the rep's customer is not theirs (404 on create)
        "other_rep": Expect(sees_other=True),
        "finance": Expect(),  # sees customers, not the contact log; may not log
        "admin": Expect(sees=True, sees_other=True),  # reads, never logs
        "resource_director": ALL,
    }
    bad_create = {
        "unknown_kind": lambda p: _payload(_rep_customer(p).pk, kind="fax"),
        "empty_subject": lambda p: _payload(_rep_customer(p).pk, subject=""),
        "missing_subject": lambda p: {k: v for k, v in _payload(_rep_customer(p).pk).items() if k != "subject"},
        "huge_subject": lambda p: _payload(_rep_customer(p).pk, subject="长" * 10_000),
        "in_the_future": lambda p: _payload(
            _rep_customer(p).pk, occurred_at=(timezone.now() + dt.timedelta(days=1)).isoformat()
        ),
        "not_a_time": lambda p: _payload(_rep_customer(p).pk, occurred_at="昨天"),
        "negative_duration": lambda p: _payload(_rep_customer(p).pk, duration_minutes=-5),
        "message_without_caller": lambda p: _payload(_rep_customer(p).pk, kind="message"),
        "contact_of_another_customer": lambda p: _payload(_rep_customer(p).pk, contact=ContactFactory().pk),
        "out_of_scope_customer": lambda p: _payload(CustomerFactory(owner=p.other_rep, department=p.international).pk),
        "unknown_customer": lambda p: _payload(10**12),
        "customer_not_a_number": lambda p: _payload("甲"),
        "subject_not_a_string": lambda p: _payload(_rep_customer(p).pk, subject=["x"]),
        "malformed_json": '{"customer": ',
    }
    write_as = "rep"

    def in_scope(self, p):
        return ActivityFactory(customer=_rep_customer(p), staff=p.rep)

    def out_of_scope(self, p):
        return ActivityFactory(
            customer=CustomerFactory(owner=p.other_rep, department=p.international), staff=p.other_rep
        )

    def create_payload(self, p):
        return _payload(_rep_customer(p).pk, result="约定下周报价", summary="客户关心交期")


def test_act_1_api_create_returns_the_registered_contact(personas, api_as):
    customer = CustomerFactory(owner=personas.rep, department=personas.domestic)
    response = api_as("rep").post(
        "/api/v1/activities/", _payload(customer.pk, kind="call", result="同意试用", duration_minutes=12), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["staff"] == personas.rep.pk and body["customer"] == customer.pk
    assert body["is_qualifying"] is True and body["kind_display"]
    customer.refresh_from_db()
    assert customer.last_served_at is not None


def test_cus_11_api_out_of_scope_create_is_404_and_writes_nothing(personas, api_as):
    customer = CustomerFactory(owner=personas.rep, department=personas.domestic)
    response = api_as("other_rep").post("/api/v1/activities/", _payload(customer.pk), format="json")
    body = assert_error_format(response, 404)
    assert body["code"] == "core.not_found"
    assert not Activity.objects.exists()
    assert not Notification.objects.exists()


def test_act_1_api_bad_input_answers_the_stable_code(personas, api_as):
    customer = CustomerFactory(owner=personas.rep, department=personas.domestic)
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = api_as("rep").post("/api/v1/activities/", _payload(customer.pk, occurred_at=future), format="json")
    body = assert_error_format(response, 400)
    assert body["code"] == "activities.in_future" and body["field"] == "occurred_at"


def test_act_1_api_list_filters_by_customer_kind_staff_and_dates(personas, api_as):
    a = CustomerFactory(owner=personas.rep, department=personas.domestic)
    b = CustomerFactory(owner=personas.rep, department=personas.domestic)
    now = timezone.now()
    visit = ActivityFactory(customer=a, staff=personas.rep, kind="visit", occurred_at=now - dt.timedelta(days=10))
    call = ActivityFactory(customer=a, staff=personas.head, kind="call", occurred_at=now - dt.timedelta(days=1))
    sms = ActivityFactory(customer=b, staff=personas.rep, kind="sms", occurred_at=now - dt.timedelta(days=1))
    client = api_as("head")

    def ids(**params):
        response = client.get("/api/v1/activities/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(customer=a.pk) == {visit.pk, call.pk}
    assert ids(kind=["call", "sms"]) == {call.pk, sms.pk}
    assert ids(staff=personas.rep.pk) == {visit.pk, sms.pk}
    day = timezone.localdate(now - dt.timedelta(days=1))
    assert ids(date_from=day.isoformat(), date_to=day.isoformat()) == {call.pk, sms.pk}
    assert ids(date_to=(day - dt.timedelta(days=2)).isoformat()) == {visit.pk}
    assert_error_format(client.get("/api/v1/activities/", {"date_from": "不是日期"}), 400)


def test_act_1_api_list_query_count_is_pinned(personas, api_as, django_assert_num_queries):
    for _ in range(5):
        ActivityFactory(customer=CustomerFactory(owner=personas.rep, department=personas.domestic), staff=personas.rep)
    client = api_as("rep")
    client.get("/api/v1/activities/")  # warm the per-user scope and permission caches
    # count + page (customer, staff, contact, routed_to joined in): two queries whatever the page holds.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/activities/")
    assert response.json()["count"] == 5
