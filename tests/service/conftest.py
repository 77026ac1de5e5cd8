"""Fixtures of the complaint and after-sales tests.

``ROLE_PERMISSIONS`` is what the standard roles need (to be added to ``yingxiao/org/roles.py``);
granted here meanwhile. Customer service (客服部, role ``aftersales``) is added to the personas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from tests.factories import AssignmentFactory, CustomerFactory, DepartmentFactory, UserFactory
from tests.personas import Personas
from yingxiao.customers.models import Customer
from yingxiao.org.models import Position, Role, User
from yingxiao.service import services
from yingxiao.service.models import Complaint

_HANDLE = ("service.view_complaint", "service.add_complaint", "service.change_complaint", "service.analyse_complaint")
_AFTERSALES = ("service.view_aftersalesrecord", "service.add_aftersalesrecord")
_REPORTS = ("service.view_aftersalesreport", "service.add_aftersalesreport")
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "general_manager": (*_HANDLE, *_AFTERSALES, "service.view_aftersalesreport"),
    "sales_director": (*_HANDLE, *_AFTERSALES, "service.view_aftersalesreport"),
    "department_head": (*_HANDLE, *_AFTERSALES, *_REPORTS),
    "aftersales": (*_HANDLE, *_AFTERSALES, *_REPORTS),
    "group_leader": ("service.view_complaint", "service.add_complaint"),
    "sales_rep": ("service.view_complaint", "service.add_complaint"),
    "regional_manager": ("service.view_complaint", "service.add_complaint"),
    "telesales": ("service.view_complaint", "service.add_complaint"),
    "sales_assistant": ("service.view_complaint", "service.add_complaint"),
}


def grant_service_permissions() -> None:
    for code, names in ROLE_PERMISSIONS.items():
        role = Role.objects.get(code=code)
        perms = [Permission.objects.get(content_type__app_label="service", codename=n.split(".")[1]) for n in names]
        role.permissions.add(*perms)


@pytest.fixture
def cmp(personas: Personas) -> Personas:
    """The personas with service permissions and customer service (客服部: head ``cs_head``, agent ``cs``)."""
    return add_customer_service(personas)


def add_customer_service(personas: Personas) -> Personas:
    grant_service_permissions()
    service_dept = DepartmentFactory(name="客服部", code="service", parent=personas.center)
    director_post = Position.objects.get(department=personas.center, is_head=True)
    head_post = Position.objects.create(
        title="客服主管",
        department=service_dept,
        role=Role.objects.get(code="department_head"),
        superior=director_post,
        is_head=True,
    )
    agent_post = Position.objects.create(
        title="客服专员", department=service_dept, role=Role.objects.get(code="aftersales"), superior=head_post
    )
    cs_head = UserFactory(username="cs_head", display_name="客服主管")
    AssignmentFactory(user=cs_head, position=head_post)
    cs = UserFactory(username="cs", display_name="客服小周")
    AssignmentFactory(user=cs, position=agent_post)
    personas.service_dept = service_dept  # type: ignore[attr-defined]
    personas.cs_head = cs_head  # type: ignore[attr-defined]
    personas.cs = cs  # type: ignore[attr-defined]
    return personas


@pytest.fixture
def customer(cmp: Personas) -> Customer:
    return CustomerFactory(name="甲公司", owner=cmp.rep, department=cmp.domestic)


@pytest.fixture
def intl_customer(cmp: Personas) -> Customer:
    return CustomerFactory(name="丙公司", owner=cmp.other_rep, department=cmp.international)


QUALITY = {
    "invoice_no": "INV-001",
    "product": "水泵",
    "spec": "QJ-50",
    "quantity": "2",
    "grade": "一等品",
    "purchase_date": dt.date(2024, 12, 1),
}


def fresh(user: User) -> User:
    """The user re-read, without cached permissions or scope."""
    return User.objects.get(pk=user.pk)


def make_complaint(actor: User, customer: Customer, *, category: str = "service", **extra: Any) -> Complaint:
    data: dict[str, Any] = {"complainant": "王先生", "contact": "13900001111", "matter": "送货迟到三天"}
    if category == "quality":
        data.update(QUALITY)
    data.update(extra)
    return services.complaint_intake(actor=fresh(actor), customer=customer, category=category, **data)


def assign(actor: User, complaint: Complaint, cause: str = "delivery") -> Complaint:
    return services.complaint_assign(
        actor=fresh(actor), complaint=complaint, cause=cause, responsibility="物流组负责", plan="三日内补发"
    )
