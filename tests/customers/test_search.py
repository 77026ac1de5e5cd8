"""Customer search (CUS-1, ORG-5 scope): Chinese, Traditional input, phone, pinyin — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from yingxiao.customers import selectors, services
from yingxiao.customers.search import apply_search, search_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(personas):
    rows = [
        ("杭州华东机械有限公司", "13912345678"),
        ("北京建国门贸易有限公司", "010-6512 3456"),
        ("上海浦东建设集团", "021-5888 0000"),
        ("ABC Machinery Co., Ltd.", "+86 137 0000 1234"),
        ("李建国", "13600001111"),
    ]
    for name, phone in rows:
        services.customer_create(actor=personas.director, data={"name": name, "phone": phone})
    return personas


def found(actor, q: str) -> set[str]:
    return set(selectors.customer_list(actor, {"q": q}).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("华东", {"杭州华东机械有限公司"}),  # two-character Chinese term
        ("建国", {"北京建国门贸易有限公司", "李建国"}),
        ("建", {"北京建国门贸易有限公司", "李建国", "上海浦东建设集团"}),  # one character
        ("华东机械", {"杭州华东机械有限公司"}),  # longer substring
        ("華東機械", {"杭州华东机械有限公司"}),  # Traditional input
        ("华东机械有限公司", {"杭州华东机械有限公司"}),  # with the company suffix
        ("浦东建设", {"上海浦东建设集团"}),
    ],
)
def test_cus_1_search_by_chinese_substring(archive, q, expected):
    assert found(archive.director, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("hzhd", {"杭州华东机械有限公司"}),  # pinyin initials
        ("HZHD", {"杭州华东机械有限公司"}),
        ("hangzhou", {"杭州华东机械有限公司"}),  # full pinyin
        ("huadongjixie", {"杭州华东机械有限公司"}),
        ("jg", {"北京建国门贸易有限公司", "李建国"}),  # two-letter initials
        ("abc", {"ABC Machinery Co., Ltd."}),
        ("machinery", {"ABC Machinery Co., Ltd."}),
    ],
)
def test_cus_1_search_by_pinyin(archive, q, expected):
    assert found(archive.director, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("1234", {"杭州华东机械有限公司", "北京建国门贸易有限公司", "ABC Machinery Co., Ltd."}),
        ("139 1234", {"杭州华东机械有限公司"}),
        ("+86 139-1234-5678", {"杭州华东机械有限公司"}),
        ("６５１２", {"北京建国门贸易有限公司"}),  # full-width digits
        ("5888", {"上海浦东建设集团"}),
    ],
)
def test_cus_1_search_by_phone_substring(archive, q, expected):
    assert found(archive.director, q) == expected


def test_cus_1_search_finds_nothing_for_an_unknown_term(archive):
    assert found(archive.director, "不存在的名字") == set()
    assert found(archive.director, "zzzz") == set()


def test_org_5_search_stays_within_the_scope(archive):
    services.customer_create(actor=archive.rep, data={"name": "杭州建国电机", "phone": "13500000000"})
    assert found(archive.rep, "建国") == {"杭州建国电机"}
    assert found(archive.other_rep, "建国") == set()
    assert "杭州建国电机" in found(archive.director, "建国")


def test_cus_1_search_tokens_hold_the_one_and_two_character_pieces():
    tokens = set(search_fields("杭州华东机械有限公司", "")["search_tokens"].split())
    assert {"华东", "东机", "华", "hz", "hzhd"[:2]} <= tokens
    assert "华东机" not in tokens


@pytest.mark.postgres
def test_cus_1_short_and_long_terms_can_use_the_search_indexes(archive):
    from yingxiao.customers.models import Customer

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for term, index in [("建国", "cust_tokens_gin"), ("华东机械", "cust_name_normalized_trgm"), ("5888", "")]:
            queryset = apply_search(Customer.objects.all(), term)
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert (index or "cust_phone_normalized_trgm") in plan, plan
        cursor.execute("SET enable_seqscan = on")
