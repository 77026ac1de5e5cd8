"""factory-boy factories for every model the tests touch."""

from __future__ import annotations

import factory
from django.utils import timezone

from yingxiao.activities.models import Activity
from yingxiao.customers.models import Contact, Customer
from yingxiao.org.models import Assignment, Department, Position, Role, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"dept-{n}")
    parent = None

    @factory.post_generation
    def set_path(obj: Department, create: bool, extracted: object, **kwargs: object) -> None:
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
        obj.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password("pass-1234")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    title = "销售代表"
    department = factory.SubFactory(DepartmentFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(code="sales_rep"))


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    user = factory.SubFactory(UserFactory)
    position = factory.SubFactory(PositionFactory)
    is_primary = True


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer row written directly (tests of the dedup service go through ``customer_create``)."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    owner = None
    department = None
    registered_at = factory.LazyFunction(timezone.now)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    customer = factory.SubFactory(CustomerFactory)
    staff = factory.SelfAttribute("customer.owner")
    kind = Activity.Kind.CALL
    subject = "电话沟通"
    occurred_at = factory.LazyFunction(timezone.now)
