"""Customer pages: ORG-5 scope (404 outside), CUS-2 inline duplicate feedback, CUS-9 history, query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yingxiao.customers import services
from yingxiao.customers.models import Customer, DuplicateAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(personas):
    def make(name: str) -> Client:
        client = Client()
        client.force_login(getattr(personas, name))
        return client

    return make


def register(actor, name="杭州华东机械有限公司", phone="13912345678", **data):
    return services.customer_create(actor=actor, data={"name": name, "phone": phone, **data})


def assert_csp_clean(html: str) -> None:
    """Strict CSP: no inline script, style attribute or inline event handler."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_org_5_list_shows_each_persona_its_scope(client_as, personas):
    register(personas.rep)
    register(personas.other_rep, name="上海申达", phone="13700000000")
    expected = {
        "rep": {"杭州华东机械有限公司"},
        "teammate": set(),
        "head": {"杭州华东机械有限公司"},
        "other_rep": {"上海申达"},
        "director": {"杭州华东机械有限公司", "上海申达"},
    }
    for who, names in expected.items():
        response = client_as(who).get(reverse("customers:list"))
        assert response.status_code == 200
        shown = {c.name for c in response.context["customers"]}
        assert shown == names, who
    html = client_as("director").get(reverse("customers:list")).content.decode()
    assert "data-select-all" in html and 'name="selected"' in html and "table-responsive" in html
    assert_csp_clean(html)


def test_org_5_detail_outside_the_scope_is_404(client_as, personas):
    customer = register(personas.rep)
    url = reverse("customers:detail", args=[customer.pk])
    assert client_as("rep").get(url).status_code == 200
    assert client_as("head").get(url).status_code == 200
    assert client_as("director").get(url).status_code == 200
    assert client_as("teammate").get(url).status_code == 404
    assert client_as("other_rep").get(url).status_code == 404
    assert client_as("other_rep").get(reverse("customers:edit", args=[customer.pk])).status_code == 404
    assert client_as("finance").get(reverse("customers:edit", args=[customer.pk])).status_code == 404
    assert client_as("rep").get(reverse("customers:detail", args=[999999])).status_code == 404


def test_cus_1_list_filters_search_and_sort(client_as, personas):
    register(personas.rep, stage="intent")
    register(personas.rep, name="上海申达", phone="13700000000")
    client = client_as("rep")

    def names(**params) -> list[str]:
        return [c.name for c in client.get(reverse("customers:list"), params).context["customers"]]

    assert names(stage="intent") == ["杭州华东机械有限公司"]
    assert names(q="申达") == ["上海申达"]
    assert names(q="hzhd") == ["杭州华东机械有限公司"]
    assert names(ordering="name") == ["杭州华东机械有限公司", "上海申达"]
    assert names(ordering="-name") == ["上海申达", "杭州华东机械有限公司"]
    assert names(stage="bogus") == ["上海申达", "杭州华东机械有限公司"]  # an invalid filter is ignored


def test_cus_1_create_form_registers_and_redirects(client_as, personas):
    response = client_as("rep").post(
        reverse("customers:create"),
        {
            "name": "宁波东方",
            "kind": "company",
            "phone": "0574-8888 1234",
            "source": "visit",
            "stage": "potential",
            "credit": "unknown",
            "contact_name": "王工",
            "contact_phone": "13800001111",
        },
    )
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == reverse("customers:detail", args=[customer.pk])
    assert customer.owner == personas.rep and customer.contacts.get().name == "王工"


def test_cus_2_create_form_shows_the_masked_duplicate_message(client_as, personas):
    register(personas.rep)
    response = client_as("other_rep").post(
        reverse("customers:create"),
        {
            "name": "别名",
            "kind": "company",
            "phone": "139 1234 5678",
            "source": "visit",
            "stage": "potential",
            "credit": "unknown",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "张三" in html and "国内部" in html and "杭州华东机械" not in html
    assert Customer.objects.count() == 1 and DuplicateAttempt.objects.count() == 1


def test_cus_2_inline_duplicate_check_before_save(client_as, personas):
    customer = register(personas.rep)
    form_html = client_as("other_rep").get(reverse("customers:create")).content.decode()
    assert 'hx-get="' + reverse("customers:check_duplicates") in form_html
    assert_csp_clean(form_html)
    url = reverse("customers:check_duplicates")
    masked = client_as("other_rep").get(url, {"phone": "+86 139-1234-5678"}, headers={"HX-Request": "true"})
    assert masked.status_code == 200
    text = masked.content.decode()
    assert "张三" in text and "杭州华东机械" not in text and "duplicate-hit" in text
    shown = client_as("director").get(url, {"name": "杭州華東機械"}).content.decode()
    assert "杭州华东机械有限公司" in shown
    assert (
        "duplicate-hit"
        not in client_as("rep").get(url, {"phone": "13912345678", "exclude": customer.pk}).content.decode()
    )
    assert "duplicate-hit" not in client_as("rep").get(url, {"phone": "13500000000"}).content.decode()
    assert not DuplicateAttempt.objects.exists()


def test_cus_9_edit_form_writes_a_version_shown_on_the_detail_page(client_as, personas):
    customer = register(personas.rep)
    client = client_as("rep")
    edit = client.get(reverse("customers:edit", args=[customer.pk]))
    assert edit.status_code == 200
    data = {k: v for k, v in edit.context["form"].initial.items() if v is not None}
    data.update(region="浙江杭州", stage="intent")
    assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "浙江杭州" in html
    history = client.get(reverse("customers:detail", args=[customer.pk])).context["history"]
    assert history[0].user == personas.rep
    assert len(history[0].changes) == 2  # region and stage, with old and new values
    assert {c.new for c in history[0].changes} >= {"浙江杭州"}
    assert_csp_clean(html)


def test_cus_2_contact_add_form_refuses_a_duplicate(client_as, personas):
    register(personas.rep)
    mine = register(personas.other_rep, name="上海申达", phone="13700000000")
    client = client_as("other_rep")
    url = reverse("customers:contact_add", args=[mine.pk])
    response = client.post(url, {"name": "李工", "phone": "13912345678"})
    assert response.status_code == 200 and "张三" in response.content.decode()
    assert client.post(url, {"name": "李工", "phone": "13600000000"}).status_code == 302
    assert mine.contacts.count() == 1


def test_org_5_transfer_from_the_detail_page(client_as, personas):
    customer = register(personas.rep)
    page = client_as("resource_director").get(reverse("customers:detail", args=[customer.pk]))
    assert page.context["transfer_form"] is not None
    assert client_as("rep").get(reverse("customers:detail", args=[customer.pk])).context["transfer_form"] is None
    client_as("resource_director").post(
        reverse("customers:transfer", args=[customer.pk]), {"new_owner": personas.teammate.pk, "reason": "调岗"}
    )
    customer.refresh_from_db()
    assert customer.owner == personas.teammate
    html = client_as("director").get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "调岗" in html


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_cus_1_list_query_count_is_pinned(client_as, personas, django_assert_max_num_queries):
    client = client_as("head")
    register(personas.rep)
    url = reverse("customers:list")
    few = _queries(client, url)
    for i in range(10):
        register(personas.rep if i % 2 else personas.teammate, name=f"客户{i}", phone=f"1360000{i:04d}")
    with django_assert_max_num_queries(few):
        client.get(url)
    assert few <= 12, few


def test_cus_1_detail_query_count_is_pinned(client_as, personas, django_assert_max_num_queries):
    client = client_as("rep")
    customer = register(personas.rep)
    url = reverse("customers:detail", args=[customer.pk])
    few = _queries(client, url)
    for i in range(5):
        services.contact_add(
            actor=personas.rep, customer=customer, data={"name": f"联系人{i}", "phone": f"1380000{i:04d}"}
        )
        services.customer_update(actor=personas.rep, customer=customer, data={"region": f"地区{i}"})
    services.customer_transfer(actor=personas.director, customer=customer, new_owner=personas.teammate, reason="x")
    services.customer_transfer(actor=personas.director, customer=customer, new_owner=personas.rep, reason="y")
    with django_assert_max_num_queries(few + 2):  # user/department names for owner changes in history
        client.get(url)
    assert few <= 16, few
