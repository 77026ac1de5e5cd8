"""The contact-log pages: the customer panel (htmx), the scoped list, and their query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActivityFactory, CustomerFactory
from yingxiao.activities.models import Activity
from yingxiao.activities.selectors import activity_list, timeline_for

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, customer, htmx=True, **overrides):
    data = {
        "kind": "visit",
        "direction": "out",
        "occurred_at": timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime(LOCAL),
        "subject": "上门拜访",
    }
    data.update(overrides)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("activities:log", args=[customer.pk]), data, headers=headers)


def test_act_1_the_panel_form_logs_and_swaps_in_the_refreshed_timeline(personas, rep_customer):
    response = _post(_client(personas.rep), rep_customer, subject="介绍新品", result="同意试用")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="activity-panel-{rep_customer.pk}"' in html
    assert "介绍新品" in html and "同意试用" in html
    assert "<html" not in html  # a partial for htmx to swap in
    assert Activity.objects.get().staff == personas.rep


def test_act_1_panel_errors_are_shown_inline_in_chinese_and_nothing_is_written(personas, rep_customer):
    future = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime(LOCAL)
    response = _post(_client(personas.rep), rep_customer, occurred_at=future)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不能" in html and "将来" in html  # activities.in_future, translated
    assert 'data-testid="field-error"' in html
    assert not Activity.objects.exists()


def test_act_1_panel_missing_subject_is_an_inline_error(personas, rep_customer):
    response = _post(_client(personas.rep), rep_customer, subject="")
    assert 'data-testid="field-error"' in response.content.decode()
    assert not Activity.objects.exists()


def test_act_6_panel_message_without_caller_is_refused_inline(personas, rep_customer):
    response = _post(_client(personas.head), rep_customer, kind="message")
    assert "留言" in response.content.decode()
    assert not Activity.objects.exists()


def test_cus_11_panel_log_on_an_out_of_scope_customer_is_404(personas, rep_customer):
    assert _post(_client(personas.other_rep), rep_customer).status_code == 404
    assert not Activity.objects.exists()


def test_act_1_panel_without_htmx_redirects_after_logging(personas, rep_customer):
    response = _post(_client(personas.rep), rep_customer, htmx=False)
    assert response.status_code == 302
    assert Activity.objects.count() == 1


def test_act_1_panel_renders_without_inline_scripts_or_styles(personas, rep_customer):
    html = _post(_client(personas.rep), rep_customer).content.decode()
    assert "<script" not in html and "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_act_1_list_page_is_scoped_and_filtered(personas, rep_customer, intl_customer):
    mine = ActivityFactory(customer=rep_customer, staff=personas.rep, subject="我的拜访", kind="visit")
    ActivityFactory(customer=rep_customer, staff=personas.rep, subject="我的短信", kind="sms")
    ActivityFactory(customer=intl_customer, staff=personas.other_rep, subject="国际部电话")
    client = _client(personas.rep)
    html = client.get(reverse("activities:list")).content.decode()
    assert "我的拜访" in html and "我的短信" in html and "国际部电话" not in html
    html = client.get(reverse("activities:list"), {"kind": "visit"}).content.decode()
    assert mine.subject in html and "我的短信" not in html
    assert "<script>" not in html and "style=" not in html


def test_act_1_list_page_query_count_does_not_grow_with_rows(personas, rep_customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(personas.head)
    ActivityFactory(customer=rep_customer, staff=personas.rep)
    client.get(reverse("activities:list"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("activities:list")).status_code == 200
    for _ in range(10):
        ActivityFactory(
            customer=CustomerFactory(owner=personas.rep, department=personas.domestic), staff=personas.teammate
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("activities:list")).status_code == 200
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_act_1_timeline_is_one_query_newest_first(personas, rep_customer, django_assert_num_queries):
    now = timezone.now()
    old = ActivityFactory(customer=rep_customer, staff=personas.rep, occurred_at=now - dt.timedelta(days=3))
    new = ActivityFactory(customer=rep_customer, staff=personas.head, occurred_at=now - dt.timedelta(days=1))
    ActivityFactory(customer=CustomerFactory(owner=personas.rep), staff=personas.rep)  # another customer
    timeline_for(personas.rep, rep_customer)  # warm the scope and permission caches
    with django_assert_num_queries(1):
        rows = timeline_for(personas.rep, rep_customer)
        # staff, contact and routed_to are joined in: reading them costs nothing more
        _ = [(a.staff.display_name, a.contact, a.routed_to) for a in rows]
    assert rows == [new, old]


def test_act_1_timeline_respects_scope_and_limit(personas, rep_customer):
    for _ in range(3):
        ActivityFactory(customer=rep_customer, staff=personas.rep)
    assert timeline_for(personas.other_rep, rep_customer) == []
    assert len(timeline_for(personas.head, rep_customer, limit=2)) == 2


def test_act_1_activity_list_selector_applies_the_shared_filters(personas, rep_customer):
    visit = ActivityFactory(customer=rep_customer, staff=personas.rep, kind="visit")
    ActivityFactory(customer=rep_customer, staff=personas.rep, kind="sms")
    assert list(activity_list(personas.rep, {"kind": ["visit"]})) == [visit]
    assert activity_list(personas.rep, {}).count() == 2
    assert activity_list(personas.other_rep, {}).count() == 0
