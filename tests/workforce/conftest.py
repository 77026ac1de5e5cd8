"""Fixtures of the workforce tests (HR-1…HR-5).

``ROLE_PERMISSIONS`` is what the standard roles need (to be added to ``yingxiao/org/roles.py``);
granted here meanwhile. A general manager (above the director) and HR are added to the personas.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission

from tests.factories import AssignmentFactory, UserFactory
from tests.personas import Personas
from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_decide
from yingxiao.org.models import Position, Role, User

SH = ZoneInfo("Asia/Shanghai")

STAFF = (
    "workforce.view_attendancerecord",
    "workforce.add_attendancerecord",
    "workforce.view_attendancecorrection",
    "workforce.add_attendancecorrection",
    "workforce.view_outing",
    "workforce.add_outing",
    "workforce.view_trip",
    "workforce.add_trip",
    "workforce.view_tripcheckin",
    "workforce.add_tripcheckin",
    "workforce.view_leave",
    "workforce.add_leave",
    "workforce.view_leaveentitlement",
)
HR = (*STAFF, "workforce.add_leaveentitlement", "workforce.change_leaveentitlement")
STAFF_ROLES = (
    "chairman", "general_manager", "sales_director", "department_head", "group_leader", "sales_rep",
    "regional_manager", "telesales", "marketing_specialist", "quoting_engineer", "aftersales",
    "sales_assistant", "commerce", "customer_resource_director", "finance", "admin",
)  # fmt: skip
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = dict.fromkeys(STAFF_ROLES, STAFF)
ROLE_PERMISSIONS["hr"] = HR


def grant_workforce_permissions() -> None:
    for code, names in ROLE_PERMISSIONS.items():
        role = Role.objects.get(code=code)
        codenames = [n.split(".")[1] for n in names]
        role.permissions.add(*Permission.objects.filter(content_type__app_label="workforce", codename__in=codenames))


@pytest.fixture(autouse=True)
def wf(personas: Personas) -> Personas:
    """The personas with workforce permissions, a general manager ``gm`` and ``hr`` in 营销中心."""
    grant_workforce_permissions()
    director_post = Position.objects.get(department=personas.center, is_head=True)
    gm_post = Position.objects.create(
        title="总经理", department=personas.center, role=Role.objects.get(code="general_manager")
    )
    director_post.superior = gm_post
    director_post.save()
    gm = UserFactory(username="gm", display_name="周总")
    AssignmentFactory(user=gm, position=gm_post)
    hr_post = Position.objects.create(
        title="人事专员", department=personas.center, role=Role.objects.get(code="hr"), superior=director_post
    )
    hr = UserFactory(username="hr", display_name="人事小吴")
    AssignmentFactory(user=hr, position=hr_post)
    # Everyone joined long before the dates the tests travel to (HR-7 owes reports from the day after joining).
    User.objects.update(date_joined=dt.datetime(2020, 1, 1, tzinfo=SH))
    personas.gm = gm  # type: ignore[attr-defined]
    personas.hr = hr  # type: ignore[attr-defined]
    return personas


def fresh(user: User) -> User:
    """The user re-read, without cached permissions or scope."""
    return User.objects.get(pk=user.pk)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def approve(approver: User, subject: object, request_type: str) -> Instance:
    instance = Instance.objects.get(request_type=request_type, object_id=subject.pk)  # type: ignore[attr-defined]
    return approval_decide(actor=fresh(approver), instance=instance, decision="approve")


def waiting_for(subject: object, request_type: str) -> User | None:
    instance = Instance.objects.get(request_type=request_type, object_id=subject.pk)  # type: ignore[attr-defined]
    return instance.current_approver
