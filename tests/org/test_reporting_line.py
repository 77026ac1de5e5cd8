"""ORG-2/3/4: positions, vacancies, concurrent holding, and escalation that skips the absent."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from yingxiao.core.errors import BusinessError
from yingxiao.org import services
from yingxiao.org.models import Assignment
from yingxiao.org.selectors import org_chart, superior_of

pytestmark = pytest.mark.django_db


def test_org_3_rep_reports_to_the_head_who_reports_to_the_director(personas):
    assert superior_of(personas.rep) == personas.head
    assert superior_of(personas.head) == personas.director


def test_org_4_vacant_head_post_escalates_to_the_next_post_up(personas):
    Assignment.objects.filter(user=personas.head).update(ended_on=timezone.localdate())
    assert superior_of(personas.rep) == personas.director


def test_org_4_absent_superior_is_skipped(personas):
    services.employee_set_absence(
        actor=personas.head, employee=personas.head, absent_until=timezone.localdate() + dt.timedelta(days=3)
    )
    assert superior_of(personas.rep) == personas.director


def test_org_4_absent_superior_with_a_delegate_routes_to_the_delegate(personas):
    deputy = UserFactory(display_name="副经理")
    services.employee_set_absence(
        actor=personas.head,
        employee=personas.head,
        absent_until=timezone.localdate() + dt.timedelta(days=3),
        delegate=deputy,
    )
    assert superior_of(personas.rep) == deputy


def test_org_2_concurrent_holding_keeps_one_primary_post(personas):
    from yingxiao.org.models import Position

    assistant_post = Position.objects.create(
        title="销售助理", department=personas.domestic, role=personas.rep.assignments.get().position.role
    )
    services.position_assign(actor=personas.admin, user=personas.head, position=assistant_post, primary=False)
    held = Assignment.objects.filter(user=personas.head, ended_on__isnull=True)
    assert held.count() == 2
    assert held.filter(is_primary=True).count() == 1


def test_org_1_moving_a_department_moves_its_subtree(personas):
    group = services.department_create(actor=personas.admin, name="华东组", code="east", parent=personas.domestic)
    services.department_update(actor=personas.admin, department=personas.domestic, parent=personas.international)
    group.refresh_from_db()
    personas.international.refresh_from_db()
    assert group.path.startswith(personas.international.path)


def test_org_1_a_department_cannot_move_under_itself(personas):
    group = services.department_create(actor=personas.admin, name="华东组", code="east", parent=personas.domestic)
    with pytest.raises(BusinessError) as exc:
        services.department_update(actor=personas.admin, department=personas.domestic, parent=group)
    assert exc.value.code == "org.department_cycle"


def test_org_1_chart_lists_vacant_posts(personas):
    Assignment.objects.filter(user=personas.head).update(ended_on=timezone.localdate())
    roots = org_chart()
    domestic = next(child for child in roots[0].children if child.department == personas.domestic)
    head_post = next(p for p in domestic.positions if p.is_head)
    assert head_post.current == []


def test_org_1_a_department_added_in_the_admin_site_gets_its_tree_path(personas, client):
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(personas.admin)
    response = client.post(
        "/admin/org/department/add/",
        {
            "name": "华南组",
            "code": "south",
            "kind": "group",
            "parent": personas.domestic.pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    from yingxiao.org.models import Department

    south = Department.objects.get(code="south")
    assert south.path == f"{personas.domestic.path}{south.pk}/"
