"""Shared set-up of the CUS-4/5/8/10/13 tests: the relation permissions, customers, policy tweaks.

The permissions come from the standard roles (yingxiao/org/roles.py), as in production.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.factories import CustomerFactory
from yingxiao.customers.models import Customer
from yingxiao.org.models import User
from yingxiao.org.selectors import primary_department
from yingxiao.policy import catalog, values
from yingxiao.policy.models import PolicyParameter, PolicyValue

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(personas):
    """The personas as fresh user objects (no stale permission caches); the standard roles carry the
    CUS-4/5/8/10/13 permissions (yingxiao/org/roles.py)."""
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
