"""CUS-6 central allocation: unowned customers shared out evenly and auditably among chosen staff."""

from __future__ import annotations

import pytest

from tests.customers.test_pool import grant_pool_permissions
from tests.factories import AssignmentFactory, CustomerFactory, UserFactory
from yingxiao.core.errors import BusinessError
from yingxiao.customers.allocation import allocation_run
from yingxiao.customers.models import AllocationLine, Customer, OwnershipChange
from yingxiao.org.models import Position, Role


@pytest.fixture
def people(personas):
    grant_pool_permissions()
    return personas


def imported(department, count: int) -> list[Customer]:
    return [CustomerFactory(owner=None, department=department, source=Customer.Source.TELESALES) for _ in range(count)]


def test_cus_6_allocation_is_even_and_round_robin(people):
    post = Position.objects.create(title="电销", department=people.domestic, role=Role.objects.get(code="sales_rep"))
    third = AssignmentFactory(user=UserFactory(), position=post).user
    customers = imported(people.domestic, 10)
    staff = [third, people.teammate, people.rep]
    record = allocation_run(actor=people.head, customers=customers, staff=staff, note="电销名单")
    counts = {user.pk: Customer.objects.filter(owner=user).count() for user in staff}
    assert sorted(counts.values()) == [3, 3, 4]
    assert max(counts.values()) - min(counts.values()) <= 1
    ordered = sorted(staff, key=lambda user: user.pk)
    lines = list(AllocationLine.objects.filter(allocation=record).order_by("position"))
    assert [line.customer_id for line in lines] == sorted(c.pk for c in customers)
    assert [line.staff_id for line in lines] == [ordered[i % 3].pk for i in range(10)]
    assert record.customer_count == 10 and record.staff_count == 3
    changes = OwnershipChange.objects.filter(rule_id="CUS-6", changed_by=people.head)
    assert changes.count() == 10
    assert Customer.objects.get(pk=lines[0].customer_id).department_id == people.domestic.pk


def test_cus_6_owned_customers_are_refused_and_nothing_changes(people):
    customers = imported(people.domestic, 3)
    Customer.objects.filter(pk=customers[1].pk).update(owner=people.rep)
    with pytest.raises(BusinessError) as refused:
        allocation_run(actor=people.head, customers=customers, staff=[people.teammate])
    assert refused.value.code == "customers.already_owned"
    assert not Customer.objects.filter(owner=people.teammate).exists()
    assert not AllocationLine.objects.exists()


def test_cus_6_staff_outside_the_heads_departments_is_refused(people):
    customers = imported(people.domestic, 2)
    with pytest.raises(BusinessError) as refused:
        allocation_run(actor=people.head, customers=customers, staff=[people.other_rep])
    assert refused.value.code == "customers.staff_out_of_scope"


def test_cus_6_a_rep_may_not_allocate(people):
    with pytest.raises(BusinessError) as refused:
        allocation_run(actor=people.rep, customers=imported(people.domestic, 1), staff=[people.rep])
    assert refused.value.code == "customers.allocate_not_allowed"


def test_cus_6_customers_outside_the_heads_scope_are_not_found(people):
    with pytest.raises(BusinessError) as refused:
        allocation_run(actor=people.head, customers=imported(people.international, 1), staff=[people.rep])
    assert refused.value.code == "core.not_found"


def test_cus_6_allocation_page_and_api(people, client, api_as):
    customers = imported(people.domestic, 4)
    client.force_login(people.head)
    page = client.get("/customers/allocate/")
    assert page.status_code == 200 and customers[0].name in page.content.decode()
    answer = client.post(
        "/customers/allocate/",
        {"customers": [c.pk for c in customers[:2]], "staff": [people.rep.pk, people.teammate.pk]},
    )
    assert answer.status_code == 302
    assert Customer.objects.filter(owner__in=[people.rep, people.teammate]).count() == 2
    created = api_as("head").post(
        "/api/v1/allocations/", {"customers": [c.pk for c in customers[2:]], "staff": [people.rep.pk]}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert len(created.json()["lines"]) == 2
    assert (
        api_as("rep")
        .post("/api/v1/allocations/", {"customers": [customers[0].pk], "staff": [people.rep.pk]}, format="json")
        .status_code
        == 403
    )
