"""Capped pagination: fast counts on huge tables, and next links that work past the cap."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.factories import DepartmentFactory
from yingxiao.core import pagination
from yingxiao.core.pagination import CappedPaginator, capped_count, paginate
from yingxiao.org.models import Department

MILLION = range(1_000_000)


def test_page_1000_of_a_million_rows_links_to_the_next_page():
    paginator = CappedPaginator(MILLION, 25)
    page = paginator.page(1000)
    assert list(page) == list(range(24_975, 25_000))
    assert page.has_next() and page.has_previous()
    assert page.next_page_number() == 1001
    assert page.previous_page_number() == 999
    assert (paginator.count, paginator.count_exact, paginator.count_display) == (10_000, False, "10000+")
    assert (page.start_index(), page.end_index()) == (24_976, 25_000)


def test_the_last_page_of_a_million_rows_has_no_next_and_beyond_it_is_empty():
    paginator = CappedPaginator(MILLION, 25)
    last = paginator.page(40_000)
    assert len(last) == 25
    assert not last.has_next()
    with pytest.raises(EmptyPage):
        last.next_page_number()
    with pytest.raises(EmptyPage):
        paginator.page(40_001)


@pytest.mark.parametrize(("rows", "page_number", "has_next"), [(50, 5, False), (51, 5, True), (51, 6, False)])
def test_has_next_at_the_cap_boundary_comes_from_the_extra_row(rows, page_number, has_next):
    paginator = CappedPaginator(range(rows), 10, cap=50)
    assert paginator.page(page_number).has_next() is has_next
    assert paginator.count == 50
    assert paginator.count_exact is (rows <= 50)


def test_small_lists_count_exactly():
    paginator = CappedPaginator(range(7), 25)
    page = paginator.page(1)
    assert (paginator.count, paginator.count_exact, paginator.count_display) == (7, True, "7")
    assert not page.has_next() and not page.has_previous()


def test_an_empty_list_has_an_empty_first_page():
    page = CappedPaginator([], 25).page(1)
    assert list(page) == [] and not page.has_next()
    assert (page.start_index(), page.end_index()) == (0, 0)


@pytest.mark.parametrize("number", ["abc", None, "1.5", 1.5, "1e3", ""])
def test_page_numbers_that_are_not_integers_are_refused(number):
    with pytest.raises(PageNotAnInteger):
        CappedPaginator(MILLION, 25).page(number)


@pytest.mark.parametrize("number", [0, -1, "0", 2**63, "9" * 400])
def test_page_numbers_out_of_range_are_empty(number):
    with pytest.raises(EmptyPage):
        CappedPaginator(MILLION, 25).page(number)


@pytest.mark.django_db
def test_a_queryset_is_never_counted_past_the_cap():
    for _ in range(12):
        DepartmentFactory()
    queryset = Department.objects.order_by("pk")
    assert capped_count(queryset, cap=5) == (5, False)
    assert capped_count(queryset, cap=12) == (12, True)
    with CaptureQueriesContext(connection) as queries:
        paginator = CappedPaginator(queryset, 5, cap=5)
        page = paginator.page(2)
        assert paginator.count == 5
        assert page.has_next() and page.next_page_number() == 3
        assert len(paginator.page(3)) == 2
        assert not paginator.page(3).has_next()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the count was not asked for"
    assert all("LIMIT" in sql.upper() for sql in counts), counts


@pytest.mark.django_db
def test_api_pages_past_the_cap_keep_next_links(personas, api_as, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    for _ in range(20):
        DepartmentFactory()
    total = Department.objects.count()  # 23: the personas' three plus twenty
    client = api_as("rep")
    body = client.get("/api/v1/departments/", {"page_size": 5, "page": 3}).json()
    assert (body["count"], body["count_exact"]) == (5, False)
    assert len(body["results"]) == 5
    assert "page=4" in body["next"] and "page=2" in body["previous"]
    last_page = (total + 4) // 5
    body = client.get("/api/v1/departments/", {"page_size": 5, "page": last_page}).json()
    assert body["next"] is None
    assert len(body["results"]) == total - 5 * (last_page - 1)
    for beyond in (last_page + 1, 2**63, "9" * 400, 0):
        response = client.get("/api/v1/departments/", {"page_size": 5, "page": beyond})
        assert response.status_code == 404
        assert response.json()["code"] == "core.not_found"


@pytest.mark.django_db
def test_the_browsable_api_renders_a_page_past_the_cap(personas, client, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    for _ in range(20):
        DepartmentFactory()
    client.force_login(personas.rep)
    response = client.get("/api/v1/departments/?page_size=5&page=4", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"page=5" in response.content


def _get(query: str):
    return RequestFactory().get(f"/customers/{query}")


def test_paginate_for_web_lists_keeps_filters_in_the_links():
    page = paginate(_get("?q=%E5%BC%A0&page=1000"), MILLION, 25)
    assert page.number == 1000
    assert page.paginator.count_display == "10000+"
    assert page.next_query == "?q=%E5%BC%A0&page=1001"
    assert page.previous_query == "?q=%E5%BC%A0&page=999"


def test_paginate_for_web_lists_treats_garbage_as_page_one_and_past_the_end_as_404():
    assert paginate(_get("?page=abc"), range(30), 25).number == 1
    assert paginate(_get(""), range(30), 25).next_query == "?page=2"
    with pytest.raises(Http404):
        paginate(_get("?page=3"), range(30), 25)
    with pytest.raises(Http404):
        paginate(_get("?page=-2"), range(30), 25)
