"""Named personas for visibility tests (ORG-5): who sees what, in one small company.

营销中心 (director, finance, admin, customer-resource director)
├── 国内部 (head) ── rep, teammate
└── 国际部 ── other_rep
"""

from __future__ import annotations

from dataclasses import dataclass

from yingxiao.org.models import Department, Position, Role, User

from .factories import AssignmentFactory, DepartmentFactory, UserFactory


@dataclass
class Personas:
    center: Department
    domestic: Department
    international: Department
    director: User
    head: User
    rep: User
    teammate: User
    other_rep: User
    finance: User
    admin: User
    resource_director: User

    def all(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in ("director", "head", "rep", "teammate", "other_rep", "finance", "admin", "resource_director")
        }


def _post(
    title: str, department: Department, role: str, superior: Position | None = None, head: bool = False
) -> Position:
    return Position.objects.create(
        title=title, department=department, role=Role.objects.get(code=role), superior=superior, is_head=head
    )


def _person(username: str, name: str, position: Position) -> User:
    user = UserFactory(username=username, display_name=name)
    AssignmentFactory(user=user, position=position)
    return user


def build_personas() -> Personas:
    center = DepartmentFactory(name="营销中心", code="center", kind=Department.Kind.CENTER)
    domestic = DepartmentFactory(name="国内部", code="domestic", parent=center)
    international = DepartmentFactory(name="国际部", code="international", parent=center)
    director_post = _post("销售总监", center, "sales_director", head=True)
    head_post = _post("国内部经理", domestic, "department_head", superior=director_post, head=True)
    rep_post = _post("销售代表", domestic, "sales_rep", superior=head_post)
    intl_head_post = _post("国际部经理", international, "department_head", superior=director_post, head=True)
    intl_rep_post = _post("外贸业务员", international, "sales_rep", superior=intl_head_post)
    return Personas(
        center=center,
        domestic=domestic,
        international=international,
        director=_person("director", "王总监", director_post),
        head=_person("head", "李经理", head_post),
        rep=_person("rep", "张三", rep_post),
        teammate=_person("teammate", "李四", rep_post),
        other_rep=_person("other_rep", "Peter 陈", intl_rep_post),
        finance=_person("finance", "赵会计", _post("会计", center, "finance")),
        admin=_person("admin", "系统管理员", _post("系统管理员", center, "admin")),
        resource_director=_person(
            "resource_director", "钱总监", _post("顾客资源总监", center, "customer_resource_director")
        ),
    )
