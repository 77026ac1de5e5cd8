"""Build the demo organisation (ORG-1…3) through the org services, acting as the demo administrator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from yingxiao.org.models import DataScope, Department, Position, Role, User
from yingxiao.org.roles import ensure_standard_roles
from yingxiao.org.services import department_create, position_assign, position_create

from .logins import DEMO_LOGINS, DEMO_PASSWORD, DEPARTMENTS, OTHER_STAFF, POSITIONS, VACANT_POSITIONS, Login


@dataclass
class DemoOrg:
    """What the customer and activity builders need from the org chart."""

    departments: dict[str, Department]
    positions: dict[str, Position]
    users: dict[str, User]
    # username → department of the user's primary post (the owning department of their customers)
    home: dict[str, Department]


def _create_user(login: Login, *, number: int, password_hash: str) -> User:
    is_admin = login.role == "admin"
    return User.objects.create(
        username=login.username,
        display_name=login.display_name,
        email=f"{login.username}@yingxiao.example",
        employee_no=f"YX{number:04d}",
        password=password_hash,
        is_staff=is_admin,
        is_superuser=is_admin,
    )


def build_org(*, anchor: dt.date) -> DemoOrg:
    """Departments, posts, employees and their assignments; returns handles for the next builders."""
    ensure_standard_roles()
    roles = {role.code: role for role in Role.objects.all()}
    # Hash once: the demo accounts share one password, and hashing is deliberately slow.
    password_hash = make_password(DEMO_PASSWORD)
    people = [*DEMO_LOGINS, *OTHER_STAFF]

    number, admin_login = next((n, login) for n, login in enumerate(people, start=1) if login.role == "admin")
    users = {admin_login.username: _create_user(admin_login, number=number, password_hash=password_hash)}
    actor = users[admin_login.username]

    departments: dict[str, Department] = {}
    for order, spec in enumerate(DEPARTMENTS):
        departments[spec.code] = department_create(
            actor=actor,
            name=spec.name,
            code=spec.code,
            parent=departments[spec.parent] if spec.parent else None,
            kind=spec.kind,
            sort_order=order,
        )

    positions: dict[str, Position] = {}
    for order, spec in enumerate(POSITIONS):
        positions[spec.key] = position_create(
            actor=actor,
            title=spec.title,
            department=departments[spec.department],
            role=roles[spec.role],
            superior=positions[spec.superior] if spec.superior else None,
            is_head=spec.is_head,
            sort_order=order,
        )

    started_on = anchor - dt.timedelta(days=730)
    home: dict[str, Department] = {}
    for number, login in enumerate(people, start=1):
        if login.username not in users:
            users[login.username] = _create_user(login, number=number, password_hash=password_hash)
        user = users[login.username]
        for index, key in enumerate(login.positions):
            assert key not in VACANT_POSITIONS, f"{key} is meant to stay vacant"
            # rule: ORG-2 — the second and later posts are held concurrently (兼任).
            position_assign(actor=actor, user=user, position=positions[key], primary=index == 0, started_on=started_on)
        home[login.username] = positions[login.positions[0]].department
    return DemoOrg(departments=departments, positions=positions, users=users, home=home)


# The back office of seed 000 (销售办公室 with 内勤组 and 商务组) works for every sales department:
# 商务组 drafts all contracts (CON-1), the 内勤 plan every order (ORD-4). Under the standard
# department scope their posts in 销售办公室 would reach no customer at all, so the demo company
# widens these two roles to the whole centre — role scopes are company data (ORG-5).
BACK_OFFICE_ROLES = ("commerce", "sales_assistant")


def open_back_office_scope() -> None:
    for role in Role.objects.filter(code__in=BACK_OFFICE_ROLES):
        role.data_scope = DataScope.ALL
        role.save(update_fields=["data_scope"])  # the org cache version moves with the save
