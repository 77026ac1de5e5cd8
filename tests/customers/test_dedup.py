"""CUS-2 first registration wins: normalised keys, refusals on every path, masked messages, the log, the race."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingxiao.core.errors import BusinessError
from yingxiao.customers import dedup, services
from yingxiao.customers.models import Customer, CustomerIdentity, DuplicateAttempt

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TRAD = {"华": "華", "东": "東", "机": "機", "械": "械"}


def register(actor, name="杭州华东机械有限公司", phone=PHONE, **extra):
    return services.customer_create(actor=actor, data={"name": name, "phone": phone, **extra})


def refused(call) -> BusinessError:
    with pytest.raises(BusinessError) as info:
        call()
    assert info.value.code == "customers.duplicate"
    return info.value


@st.composite
def phone_variants(draw) -> str:
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=len(PHONE) - 1), max_size=4)))
    parts = [PHONE[a:b] for a, b in zip([0, *cuts], [*cuts, len(PHONE)], strict=True)]
    text = "".join(part + draw(st.sampled_from(["", " ", "-", "　", "－"])) for part in parts).strip(" -　－")
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return draw(st.sampled_from(["", "+86", "+86 ", "0086", "86", "+86-", "＋86 "])) + text


@st.composite
def name_variants(draw) -> str:
    chars = [TRAD[c] if c in TRAD and draw(st.booleans()) else c for c in "杭州华东机械"]
    text = "".join(c + draw(st.sampled_from(["", "", " ", "　"])) for c in chars)
    suffix = draw(
        st.sampled_from(["", "有限公司", "有限責任公司", "有限责任公司", "股份有限公司", " 有限公司", "集团有限公司"])
    )
    return draw(st.sampled_from(["", " ", "　"])) + text + suffix


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variant=phone_variants())
def test_cus_2_any_formatting_of_a_registered_phone_is_a_duplicate(personas, variant):
    if not Customer.objects.exists():
        register(personas.rep)
    refused(lambda: register(personas.other_rep, name="另一家贸易公司", phone=variant))
    assert Customer.objects.count() == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variant=name_variants())
def test_cus_2_any_spelling_of_a_registered_name_is_a_duplicate(personas, variant):
    if not Customer.objects.exists():
        register(personas.rep)
    refused(lambda: register(personas.other_rep, name=variant, phone="13800000000"))
    assert Customer.objects.count() == 1


def test_cus_2_email_case_and_width_are_folded(personas):
    register(personas.rep, email="Sales@HuaDong.cn")
    refused(lambda: register(personas.other_rep, name="别的公司", phone="", email="ｓａｌｅｓ@huadong.CN"))


def test_cus_2_identity_keys_follow_the_shared_contract(personas):
    customer = services.customer_create(
        actor=personas.rep,
        data={"name": "杭州華東機械 有限責任公司", "phone": "+86 139-1234-5678", "email": "A@b.cn"},
        contacts=[{"name": "王工", "phone": "138 0000 1111", "email": "wang@b.cn"}],
    )
    keys = set(CustomerIdentity.objects.filter(customer=customer).values_list("kind", "value"))
    assert keys == {
        ("phone", PHONE),
        ("name", "杭州华东机械"),
        ("email", "a@b.cn"),
        ("phone", "13800001111"),
        ("email", "wang@b.cn"),
    }
    assert customer.name_normalized == "杭州华东机械"
    assert customer.phone_normalized == PHONE
    assert (customer.name_pinyin, customer.name_initials) == (
        "hangzhouhuadongjixieyouxianzerengongsi",
        "hzhdjxyxzrgs",
    )


def test_cus_2_duplicate_of_a_contact_phone_is_refused(personas):
    services.customer_create(
        actor=personas.rep, data={"name": "甲公司", "phone": ""}, contacts=[{"name": "王工", "phone": "13800001111"}]
    )
    refused(lambda: register(personas.other_rep, name="乙公司", phone="138-0000-1111"))


def test_cus_2_duplicate_on_edit_is_refused_and_nothing_changes(personas):
    first = register(personas.rep)
    second = register(personas.other_rep, name="上海申达", phone="13700000000")
    refused(
        lambda: services.customer_update(actor=personas.other_rep, customer=second, data={"phone": "139 1234 5678"})
    )
    second.refresh_from_db()
    assert second.phone == "13700000000"
    assert set(CustomerIdentity.objects.filter(kind="phone").values_list("customer_id", "value")) == {
        (first.pk, PHONE),
        (second.pk, "13700000000"),
    }


def test_cus_2_duplicate_on_contact_add_and_contact_edit_is_refused(personas):
    register(personas.rep)
    other = register(personas.other_rep, name="上海申达", phone="13700000000")
    refused(
        lambda: services.contact_add(actor=personas.other_rep, customer=other, data={"name": "李工", "phone": PHONE})
    )
    assert not other.contacts.exists()
    contact = services.contact_add(
        actor=personas.other_rep, customer=other, data={"name": "李工", "phone": "13600000000"}
    )
    refused(
        lambda: services.contact_update(actor=personas.other_rep, contact=contact, data={"phone": "+8613912345678"})
    )
    contact.refresh_from_db()
    assert contact.phone == "13600000000"


def test_cus_2_a_customer_keeps_its_own_keys_when_edited(personas):
    customer = register(personas.rep)
    services.customer_update(actor=personas.rep, customer=customer, data={"phone": "139 1234 5678", "region": "杭州"})
    services.customer_update(actor=personas.rep, customer=customer, data={"phone": "13911112222"})
    assert set(CustomerIdentity.objects.filter(kind="phone").values_list("value", flat=True)) == {"13911112222"}
    # the released number can now be registered by someone else
    register(personas.other_rep, name="新客户", phone=PHONE)


def test_cus_2_refusal_masks_the_customer_from_a_rep_outside_the_scope(personas):
    register(personas.rep)
    error = refused(lambda: register(personas.other_rep, name="别名公司"))
    assert "张三" in error.message and "国内部" in error.message
    assert "杭州华东机械" not in error.message and PHONE not in error.message
    with translation.override("zh-hans"):
        assert error.message == "该客户已由 国内部 张三 登记。"


def test_cus_2_director_and_head_are_told_the_customer_and_owner(personas):
    register(personas.rep)
    for persona in (personas.director, personas.head):
        error = refused(lambda persona=persona: register(persona, name="别名公司"))
        assert "杭州华东机械有限公司" in error.message and "张三" in error.message


def test_cus_2_rep_is_told_less_than_the_director(personas):
    register(personas.rep)
    to_rep = refused(lambda: register(personas.other_rep, name="别名公司")).message
    to_director = refused(lambda: register(personas.director, name="别名公司")).message
    assert "杭州华东机械" in to_director and "杭州华东机械" not in to_rep


def test_cus_2_every_refused_attempt_is_logged(personas):
    existing = register(personas.rep)
    refused(lambda: register(personas.other_rep, name="别名公司", phone="+86 13912345678"))
    attempt = DuplicateAttempt.objects.get()
    assert (attempt.attempted_by, attempt.existing, attempt.kind, attempt.value, attempt.channel) == (
        personas.other_rep,
        existing,
        "phone",
        PHONE,
        "web",
    )
    assert attempt.submitted["name"] == "别名公司"


def test_cus_2_check_duplicates_gives_the_same_masked_answer_without_logging(personas):
    existing = register(personas.rep)
    [hit] = services.customer_check_duplicates(actor=personas.other_rep, phone="139-1234-5678")
    assert not hit.visible and hit.customer_name == "" and "张三" in hit.message
    [hit] = services.customer_check_duplicates(actor=personas.director, name="杭州華東機械")
    assert hit.visible and hit.customer_id == existing.pk
    assert services.customer_check_duplicates(actor=personas.rep, phone=PHONE, exclude=existing.pk) == []
    assert not DuplicateAttempt.objects.exists()


def test_cus_2_unique_constraint_turns_a_lost_race_into_a_duplicate(personas, monkeypatch):
    """Even when the pre-check sees nothing (a concurrent insert), the unique key refuses the second."""
    register(personas.rep)
    monkeypatch.setattr(dedup, "raise_if_taken", lambda keys, exclude=None: None)
    refused(lambda: register(personas.other_rep, name="别名公司"))
    assert Customer.objects.count() == 1
    assert DuplicateAttempt.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cus_2_simultaneous_registrations_of_one_phone_give_exactly_one_customer(personas, monkeypatch):
    threads_n = 4
    barrier = threading.Barrier(threads_n, timeout=20)
    original = dedup.raise_if_taken

    def checked_then_wait(keys, exclude=None):
        original(keys, exclude)
        barrier.wait()  # every thread has passed the read check before any inserts: a real race

    monkeypatch.setattr(dedup, "raise_if_taken", checked_then_wait)
    actors = [personas.rep, personas.teammate, personas.other_rep, personas.head]
    results: list[object] = [None] * threads_n

    def run(i: int) -> None:
        try:
            results[i] = register(actors[i], name=f"并发客户{i}", phone=f"+86 139 1234 567{8}")
        except BusinessError as error:
            results[i] = error.code
        except Exception as error:
            results[i] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    customers = [r for r in results if isinstance(r, Customer)]
    assert len(customers) == 1, results
    assert sorted(r for r in results if not isinstance(r, Customer)) == ["customers.duplicate"] * (threads_n - 1)
    assert Customer.objects.count() == 1
    assert DuplicateAttempt.objects.count() == threads_n - 1


def test_cus_2_two_people_with_the_same_name_are_two_customers(personas):
    from yingxiao.customers.services import customer_create

    first = customer_create(actor=personas.rep, data={"name": "张伟", "kind": "person", "phone": "13900001111"})
    second = customer_create(actor=personas.other_rep, data={"name": "张伟", "kind": "person", "phone": "13900002222"})
    assert first.pk != second.pk
