"""The organisation API (ORG-1, ORG-2, ORG-5) through the standard per-persona checks.

The org chart is not customer data: every employee reads all of it; only the administrator
(who holds the ``org.*`` verbs) changes departments and positions. Roles and employees are
read-only here (roles are edited in the admin site, employees by HR).
"""

from __future__ import annotations

import itertools

import pytest

from tests.api.base import PERSONA_NAMES, ApiResourceChecks, Expect
from tests.factories import AssignmentFactory, DepartmentFactory, PositionFactory
from tests.personas import Personas
from yingxiao.org.models import Department, Position, Role, User

pytestmark = pytest.mark.django_db

READER = Expect(sees=True, sees_other=True)
WRITER = Expect(sees=True, sees_other=True, creates=True, updates=True)
ONLY_ADMIN_WRITES = {name: WRITER if name == "admin" else READER for name in PERSONA_NAMES}
EVERYONE_READS = dict.fromkeys(PERSONA_NAMES, READER)

HUGE = "部" * 10_000
GARBAGE = {
    "not_an_object": [1, 2, 3],
    "a_bare_string": '"department"',
    "malformed_json": '{"name": ',
}


class TestDepartmentApi(ApiResourceChecks):
    """ORG-1: the tree is edited through the API without code changes."""

    url = "/api/v1/departments/"
    model = Department
    expect = ONLY_ADMIN_WRITES
    bad_create = {
        **GARBAGE,
        "empty_body": "",
        "empty_name": lambda p: {"name": "", "code": "x1", "parent": p.domestic.pk},
        "huge_name": lambda p: {"name": HUGE, "code": "x1", "parent": p.domestic.pk},
        "name_is_a_list": lambda p: {"name": ["华东"], "code": "x1", "parent": p.domestic.pk},
        "name_is_null": lambda p: {"name": None, "code": "x1", "parent": p.domestic.pk},
        "code_not_a_slug": lambda p: {"name": "华东组", "code": "华东 组!", "parent": p.domestic.pk},
        "duplicate_code": lambda p: {"name": "华东组", "code": "domestic", "parent": p.domestic.pk},
        "duplicate_name_under_parent": lambda p: {"name": "国际部", "code": "x1", "parent": p.center.pk},
        "unknown_parent": {"name": "华东组", "code": "x1", "parent": 987_654_321},
        "parent_beyond_bigint": {"name": "华东组", "code": "x1", "parent": 2**70},
        "parent_not_an_id": {"name": "华东组", "code": "x1", "parent": "国内部"},
        "unknown_kind": lambda p: {"name": "华东组", "code": "x1", "parent": p.domestic.pk, "kind": "galaxy"},
        "negative_sort_order": lambda p: {"name": "华东组", "code": "x1", "parent": p.domestic.pk, "sort_order": -1},
        "huge_sort_order": lambda p: {"name": "华东组", "code": "x1", "parent": p.domestic.pk, "sort_order": 2**63},
        "sort_order_not_a_number": lambda p: {"name": "华东组", "code": "x1", "sort_order": "first"},
    }
    bad_update = {
        **GARBAGE,
        "empty_name": {"name": ""},
        "huge_name": {"name": HUGE},
        "parent_is_itself": lambda p, obj: {"parent": obj.pk},
        "unknown_parent": {"parent": 987_654_321},
        "parent_not_an_id": {"parent": {"id": 1}},
        "duplicate_code": {"code": "international"},
    }

    def in_scope(self, p: Personas) -> Department:
        return DepartmentFactory(parent=p.domestic)

    def out_of_scope(self, p: Personas) -> Department:
        return DepartmentFactory(parent=p.international)

    def create_payload(self, p: Personas) -> dict:
        return {"name": "华东组", "code": "east", "parent": p.domestic.pk, "kind": "group"}

    def update_payload(self, p: Personas, obj: Department) -> dict:
        return {"name": f"{obj.name}（更名）"}


def _post(p: Personas, title: str) -> Position:
    return Position.objects.get(title=title, department__in=[p.center, p.domestic, p.international])


class TestPositionApi(ApiResourceChecks):
    """ORG-2: posts are opened in a department and report to a superior post."""

    url = "/api/v1/positions/"
    model = Position
    expect = ONLY_ADMIN_WRITES
    bad_create = {
        **GARBAGE,
        "no_role": lambda p: {"title": "大客户经理", "department": p.domestic.pk},
        "unknown_department": {"title": "大客户经理", "department": 987_654_321, "role": 1},
        "huge_title": lambda p: {
            "title": HUGE,
            "department": p.domestic.pk,
            "role": Role.objects.get(code="sales_rep").pk,
        },
        "is_head_not_a_boolean": lambda p: {
            "title": "大客户经理",
            "department": p.domestic.pk,
            "role": Role.objects.get(code="sales_rep").pk,
            "is_head": "perhaps",
        },
    }
    bad_update = {
        **GARBAGE,
        "reports_to_itself": lambda p, obj: {"superior": obj.pk},
        "unknown_superior": {"superior": 987_654_321},
        "superior_not_an_id": {"superior": "国内部经理"},
    }

    def in_scope(self, p: Personas) -> Position:
        return PositionFactory(department=p.domestic, superior=_post(p, "国内部经理"))

    def out_of_scope(self, p: Personas) -> Position:
        return PositionFactory(department=p.international, superior=_post(p, "国际部经理"))

    def create_payload(self, p: Personas) -> dict:
        return {
            "title": "大客户经理",
            "department": p.domestic.pk,
            "role": Role.objects.get(code="sales_rep").pk,
            "superior": _post(p, "国内部经理").pk,
        }

    def update_payload(self, p: Personas, obj: Position) -> dict:
        return {"superior": _post(p, "销售总监").pk}


_role_numbers = itertools.count()


class TestRoleApi(ApiResourceChecks):
    """ORG-5: roles are data every employee can read; they are edited in the admin site."""

    url = "/api/v1/roles/"
    model = Role
    expect = EVERYONE_READS

    def in_scope(self, p: Personas) -> Role:
        n = next(_role_numbers)
        return Role.objects.create(code=f"domestic-role-{n}", name=f"国内角色{n}")

    def out_of_scope(self, p: Personas) -> Role:
        n = next(_role_numbers)
        return Role.objects.create(code=f"intl-role-{n}", name=f"国际角色{n}")


class TestUserApi(ApiResourceChecks):
    """The employee directory: everyone reads it; it is maintained by HR outside this API."""

    url = "/api/v1/users/"
    model = User
    expect = EVERYONE_READS

    def in_scope(self, p: Personas) -> User:
        return AssignmentFactory(position=PositionFactory(department=p.domestic)).user

    def out_of_scope(self, p: Personas) -> User:
        return AssignmentFactory(position=PositionFactory(department=p.international)).user


def test_org_1_moving_a_department_moves_its_subtree(personas, api_as):
    group = DepartmentFactory(parent=personas.domestic)
    response = api_as("admin").patch(
        f"/api/v1/departments/{personas.domestic.pk}/", {"parent": personas.international.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    group.refresh_from_db()
    assert group.path.startswith(f"/{personas.center.pk}/{personas.international.pk}/{personas.domestic.pk}/")


def test_org_1_a_department_cannot_move_under_its_own_child(personas, api_as):
    group = DepartmentFactory(parent=personas.domestic)
    response = api_as("admin").patch(
        f"/api/v1/departments/{personas.domestic.pk}/", {"parent": group.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "org.department_cycle"


def test_org_2_a_post_cannot_report_to_a_post_below_it(personas, api_as):
    head_post = _post(personas, "国内部经理")
    rep_post = _post(personas, "销售代表")
    response = api_as("admin").patch(f"/api/v1/positions/{head_post.pk}/", {"superior": rep_post.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "org.position_cycle"
