"""ORG-5: data scope per role — own, department subtree, all."""

import pytest

from tests.factories import CustomerFactory
from yingxiao.customers.models import Customer

pytestmark = pytest.mark.django_db


def _visible(user) -> set[str]:
    return set(Customer.objects.restrict(user, "view").values_list("name", flat=True))


def test_org_5_staff_see_only_their_own_customers(personas):
    CustomerFactory(name="甲", owner=personas.rep, department=personas.domestic)
    CustomerFactory(name="乙", owner=personas.teammate, department=personas.domestic)
    assert _visible(personas.rep) == {"甲"}
    assert _visible(personas.teammate) == {"乙"}


def test_org_5_head_sees_the_department_subtree(personas):
    CustomerFactory(name="甲", owner=personas.rep, department=personas.domestic)
    CustomerFactory(name="丙", owner=personas.other_rep, department=personas.international)
    assert _visible(personas.head) == {"甲"}


def test_org_5_director_sees_all(personas):
    CustomerFactory(name="甲", owner=personas.rep, department=personas.domestic)
    CustomerFactory(name="丙", owner=personas.other_rep, department=personas.international)
    assert _visible(personas.director) == {"甲", "丙"}


def test_org_5_a_role_without_the_view_permission_sees_nothing(personas):
    CustomerFactory(name="甲", owner=personas.rep, department=personas.domestic)
    from tests.factories import UserFactory

    assert _visible(UserFactory()) == set()


def test_org_5_change_scope_follows_the_change_permission(personas):
    CustomerFactory(name="甲", owner=personas.rep, department=personas.domestic)
    assert set(Customer.objects.restrict(personas.finance, "view").values_list("name", flat=True)) == {"甲"}
    assert not Customer.objects.restrict(personas.finance, "change").exists()


def test_org_5_standard_roles_gain_new_catalog_permissions_but_keep_removals(personas):
    from django.contrib.auth.models import Permission

    from yingxiao.org.models import Role
    from yingxiao.org.roles import ensure_standard_roles

    rep = Role.objects.get(code="sales_rep")
    removed = Permission.objects.get(content_type__app_label="customers", codename="add_customer")
    rep.permissions.remove(removed)
    rep.catalog_granted = [code for code in rep.catalog_granted if code != "customers.view_contact"]
    rep.save(update_fields=["catalog_granted"])
    rep.permissions.remove(Permission.objects.get(content_type__app_label="customers", codename="view_contact"))

    ensure_standard_roles()

    codes = {f"{p.content_type.app_label}.{p.codename}" for p in rep.permissions.select_related("content_type")}
    assert "customers.view_contact" in codes  # new in the catalog since the last run: granted
    assert "customers.add_customer" not in codes  # removed by an administrator: stays removed
