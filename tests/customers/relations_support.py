"""Shared set-up of the CUS-4/5/8/10/13 tests: the relation permissions, customers, policy tweaks.

``RELATION_PERMISSIONS`` is exactly what the standard roles need (requested for org/roles.py);
granting it here keeps these tests independent of when that lands (granting twice is harmless).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q

from tests.factories import CustomerFactory
from yingxiao.customers.models import Customer
from yingxiao.org.models import Role, User
from yingxiao.org.selectors import primary_department
from yingxiao.policy import catalog, values
from yingxiao.policy.models import PolicyParameter, PolicyValue

TZ = ZoneInfo("Asia/Shanghai")

WORK = [
    "customers.view_gradereview",
    "customers.add_gradereview",
    "customers.view_admissioncriterion",
    "customers.view_admissioncheck",
    "customers.add_admissioncheck",
    "customers.change_admissioncheck",
    "customers.view_invitation",
    "customers.add_invitation",
    "customers.change_invitation",
    "customers.view_trackingsheet",
    "customers.add_trackingsheet",
    "customers.change_trackingsheet",
    "customers.view_referral",
    "customers.add_referral",
    "customers.change_referral",
    "customers.view_referralreward",
]
SUPERVISE = ["customers.review_trackingsheet"]
COORDINATE = ["customers.resolve_invitation"]
CHECKLIST_ADMIN = [
    "customers.view_admissioncriterion",
    "customers.add_admissioncriterion",
    "customers.change_admissioncriterion",
]
RELATION_PERMISSIONS: dict[str, list[str]] = {
    "sales_rep": WORK,
    "department_head": [*WORK, *SUPERVISE],
    "group_leader": [*WORK, *SUPERVISE],
    "sales_director": [*WORK, *SUPERVISE, *COORDINATE, *CHECKLIST_ADMIN],
    "general_manager": [*WORK, *SUPERVISE, *COORDINATE, *CHECKLIST_ADMIN],
    "sales_assistant": [*WORK, *COORDINATE],
    "admin": CHECKLIST_ADMIN,
}


def grant_relation_permissions() -> None:
    for code, perms in RELATION_PERMISSIONS.items():
        role = Role.objects.filter(code=code).first()
        if role is None:
            continue
        condition = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".")
            condition |= Q(content_type__app_label=app_label, codename=codename)
        role.permissions.add(*Permission.objects.filter(condition))


@pytest.fixture
def people(personas):
    """The personas, with the relation permissions on their roles (fresh user objects: no stale caches)."""
    grant_relation_permissions()
    for name, user in personas.all().items():
        setattr(personas, name, User.objects.get(pk=user.pk))
    return personas


def customer_of(owner: User | None, **fields: Any) -> Customer:
    department = primary_department(owner) if owner else None
    return CustomerFactory(owner=owner, department=department, **fields)


def at(*args: int) -> dt.datetime:
    """An aware Asia/Shanghai datetime: ``at(2026, 3, 2, 18, 0)``."""
    return dt.datetime(*args, tzinfo=TZ)


def set_policy(name: str, value: Any, since: dt.datetime) -> None:
    """A policy version in force from ``since`` (tests may backdate; the service may not)."""
    spec = catalog.BY_NAME[name]
    PolicyValue.objects.create(
        parameter=PolicyParameter.objects.get(name=name),
        value=value,
        previous_value=spec.default,
        effective_from=since,
        reason="test",
    )
    values.invalidate()


@pytest.fixture
def downgrade_fine(monkeypatch, db):
    """The CUS-4 fine parameter (requested for the policy catalog); added here if it is not there yet."""
    name = "vip_downgrade_fine"
    if name not in catalog.BY_NAME:
        spec = catalog.ParamSpec(name, "CUS-4", "decimal", "100", catalog.Unit.YUAN, "Fine for a late VIP downgrade.")
        monkeypatch.setitem(catalog.BY_NAME, name, spec)
    values.invalidate()
    yield name
    values.invalidate()
