"""CUS-1 registration, CUS-9 versioning, ORG-5 ownership transfer, and bad input that writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import UserFactory
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.customers import services
from yingxiao.customers.models import Contact, Customer, CustomerIdentity, OwnershipChange

pytestmark = pytest.mark.django_db


def register(actor, **data):
    return services.customer_create(actor=actor, data={"name": "杭州华东机械有限公司", "phone": "13912345678", **data})


def nothing_written() -> bool:
    return not (Customer.objects.exists() or Contact.objects.exists() or CustomerIdentity.objects.exists())


def test_cus_1_registration_defaults_owner_and_department_to_the_registrant(personas):
    customer = register(personas.rep, source="fair", needs="数控机床 3 台")
    assert customer.owner == personas.rep
    assert customer.department == personas.domestic
    assert customer.registered_by == personas.rep
    assert customer.registered_at is not None
    assert customer.source == "fair"


def test_cus_1_registration_with_a_first_contact(personas):
    customer = services.customer_create(
        actor=personas.rep,
        data={"name": "宁波东方", "phone": ""},
        contacts=[{"name": "王工", "title": "采购", "email": "wang@df.cn", "is_primary": True}],
    )
    assert list(customer.contacts.values_list("name", "email")) == [("王工", "wang@df.cn")]


def test_org_5_head_may_register_for_staff_in_the_department_but_a_rep_may_not(personas):
    customer = register(personas.head, owner=personas.rep.pk)
    assert (customer.owner, customer.department, customer.registered_by) == (
        personas.rep,
        personas.domestic,
        personas.head,
    )
    with pytest.raises(BusinessError) as info:
        register(personas.rep, name="别的", phone="13700000000", owner=personas.other_rep.pk)
    assert info.value.code == "customers.owner_not_allowed"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"name": "", "phone": "13912345678"}, None),
        ({"name": "   ", "phone": "13912345678"}, None),
        ({"name": "甲公司", "phone": ""}, "customers.contact_required"),
        ({"name": "甲公司", "phone": "", "email": "not-an-email"}, None),
        ({"name": "甲公司", "phone": "abc"}, "customers.invalid_phone"),
        ({"name": "甲" * 201, "phone": "13912345678"}, None),
        ({"name": "甲公司", "phone": "13912345678", "needs": "x" * 4001}, None),
        ({"name": "甲公司", "phone": "13912345678", "stage": "nonsense"}, None),
        ({"name": "甲公司", "phone": "13912345678", "owner": 999999}, "customers.unknown_owner"),
        ({"name": "甲公司", "phone": "13912345678", "owner": "abc"}, "customers.unknown_owner"),
        ({"name": "甲公司", "phone": "13912345678", "is_blacklisted": True}, "customers.unknown_field"),
    ],
)
def test_cus_1_bad_input_is_refused_with_a_message_and_nothing_is_written(personas, data, code):
    with pytest.raises((BusinessError, ValidationError)) as info:
        services.customer_create(actor=personas.rep, data=data)
    if code:
        assert isinstance(info.value, BusinessError) and info.value.code == code
        assert info.value.message
    else:
        assert isinstance(info.value, ValidationError) and info.value.messages
    assert nothing_written()


def test_cus_1_bad_contact_input_is_refused_and_nothing_is_written(personas):
    with pytest.raises(ValidationError):
        services.customer_create(
            actor=personas.rep, data={"name": "甲公司", "phone": "13912345678"}, contacts=[{"name": "", "phone": "1"}]
        )
    assert nothing_written()


def test_org_5_staff_without_the_add_permission_cannot_register(personas):
    with pytest.raises(PermissionDenied):
        register(personas.finance)
    assert nothing_written()


def test_org_5_a_rep_cannot_edit_a_customer_outside_the_scope(personas):
    customer = register(personas.rep)
    with pytest.raises(BusinessError) as info:
        services.customer_update(actor=personas.other_rep, customer=customer, data={"region": "上海"})
    assert info.value.code == "core.not_found"
    with pytest.raises(BusinessError):
        services.contact_add(actor=personas.other_rep, customer=customer, data={"name": "x", "phone": "13800000000"})


def test_cus_9_every_change_is_versioned_with_who_and_why(personas):
    customer = register(personas.rep)
    services.customer_update(actor=personas.head, customer=customer, data={"stage": "intent"}, reason="电话回访后")
    records = list(customer.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert [r.history_user for r in records] == [personas.rep, personas.head]
    assert records[-1].history_change_reason == "电话回访后"
    assert records[-1].stage == "intent" and records[0].stage == "potential"


def test_cus_9_contact_changes_are_versioned(personas):
    customer = register(personas.rep)
    contact = services.contact_add(actor=personas.rep, customer=customer, data={"name": "王工", "phone": "13800001111"})
    services.contact_update(actor=personas.rep, contact=contact, data={"title": "厂长"})
    assert [(r.history_type, r.history_user) for r in contact.history.order_by("history_date")] == [
        ("+", personas.rep),
        ("~", personas.rep),
    ]


def test_cus_9_an_edit_that_changes_nothing_writes_no_version(personas):
    customer = register(personas.rep)
    services.customer_update(actor=personas.rep, customer=customer, data={"name": "杭州华东机械有限公司"})
    assert customer.history.count() == 1


def test_cus_9_owner_changes_only_by_transfer(personas):
    customer = register(personas.rep)
    with pytest.raises(BusinessError) as info:
        services.customer_update(actor=personas.director, customer=customer, data={"owner": personas.other_rep})
    assert info.value.code == "customers.use_transfer"


def test_org_5_resource_director_transfers_ownership_with_a_logged_reason(personas, django_capture_on_commit_callbacks):
    customer = register(personas.rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.customer_transfer(
            actor=personas.resource_director,
            customer=customer,
            new_owner=personas.other_rep,
            reason="客户要求外贸部跟进",
        )
    customer.refresh_from_db()
    assert (customer.owner, customer.department) == (personas.other_rep, personas.international)
    change = OwnershipChange.objects.get()
    assert (change.old_owner, change.new_owner, change.changed_by, change.reason) == (
        personas.rep,
        personas.other_rep,
        personas.resource_director,
        "客户要求外贸部跟进",
    )
    assert (change.old_department, change.new_department) == (personas.domestic, personas.international)
    assert customer.history.latest("history_date").history_change_reason == "客户要求外贸部跟进"
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"rep", "other_rep"}


@pytest.mark.parametrize("who", ["rep", "head", "finance"])
def test_org_5_only_the_resource_director_or_director_may_transfer(personas, who):
    customer = register(personas.rep)
    with pytest.raises(BusinessError) as info:
        services.customer_transfer(
            actor=getattr(personas, who), customer=customer, new_owner=personas.teammate, reason="x"
        )
    assert info.value.code == "customers.transfer_not_allowed"
    assert not OwnershipChange.objects.exists()


def test_org_5_transfer_needs_a_reason_and_an_active_new_owner(personas):
    customer = register(personas.rep)
    with pytest.raises(BusinessError) as info:
        services.customer_transfer(actor=personas.director, customer=customer, new_owner=personas.teammate, reason=" ")
    assert info.value.code == "customers.reason_required"
    inactive = UserFactory(is_active=False)
    with pytest.raises(BusinessError) as info:
        services.customer_transfer(actor=personas.director, customer=customer, new_owner=inactive, reason="离职交接")
    assert info.value.code == "customers.unknown_owner"
    assert not OwnershipChange.objects.exists()


def test_cus_3_blacklist_flag_is_not_settable_through_registration_or_edit(personas):
    customer = register(personas.rep)
    with pytest.raises(BusinessError):
        services.customer_update(actor=personas.director, customer=customer, data={"is_blacklisted": True})
    customer.refresh_from_db()
    assert customer.is_blacklisted is False
