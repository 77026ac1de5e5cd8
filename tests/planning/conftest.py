"""Fixtures of the planning tests (PLN-1…PLN-5): the personas plus a general manager above the director."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AssignmentFactory, CustomerFactory, UserFactory
from tests.personas import Personas
from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_decide
from yingxiao.customers.models import Customer
from yingxiao.org.models import Position, Role, User
from yingxiao.planning.models import Budget, ExpenseCategory

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def pln(personas: Personas) -> Personas:
    """The personas and a general manager ``gm`` to whom the director reports."""
    director_post = Position.objects.get(department=personas.center, is_head=True)
    gm_post = Position.objects.create(
        title="总经理", department=personas.center, role=Role.objects.get(code="general_manager")
    )
    director_post.superior = gm_post
    director_post.save()
    gm = UserFactory(username="gm", display_name="周总")
    AssignmentFactory(user=gm, position=gm_post)
    personas.gm = gm  # type: ignore[attr-defined]
    return personas


def fresh(user: User) -> User:
    """The user re-read, without cached permissions or scope."""
    return User.objects.get(pk=user.pk)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


def instance_of(subject: object, request_type: str) -> Instance:
    return Instance.objects.get(request_type=request_type, object_id=subject.pk)  # type: ignore[attr-defined]


def decide(approver: User, subject: object, request_type: str, decision: str = "approve") -> Instance:
    note = "" if decision == "approve" else "不合规"
    return approval_decide(
        actor=fresh(approver), instance=instance_of(subject, request_type), decision=decision, note=note
    )


def budget(department: object, amount: str, *, category: str = ExpenseCategory.TRAVEL, year: int | None = None,
           month: int = 0) -> Budget:  # fmt: skip
    year = year or dt.date.today().year
    return Budget.objects.create(
        department=department, year=year, month=month, category=category, amount=Decimal(amount)
    )


def customer_of(owner: User, department: object, **extra: object) -> Customer:
    return CustomerFactory(owner=owner, department=department, **extra)
