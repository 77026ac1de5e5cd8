"""Fixtures of the marketing tests: the personas plus a marketing specialist (市场专员) per department.

``mkt`` works in 国内部 under its head, ``other_mkt`` in 国际部; both hold the standard
``marketing_specialist`` role (own scope), so what they see follows ORG-5 like everyone else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import AssignmentFactory, CustomerFactory, UserFactory
from tests.personas import Personas
from yingxiao.customers.models import Customer
from yingxiao.marketing import services
from yingxiao.marketing.models import Campaign
from yingxiao.org.models import Position, Role, User


def specialist(personas: Personas, username: str, name: str, department: Any) -> User:
    head_post = Position.objects.get(department=department, is_head=True)
    post = Position.objects.create(
        title="市场专员", department=department, role=Role.objects.get(code="marketing_specialist"), superior=head_post
    )
    user = UserFactory(username=username, display_name=name)
    AssignmentFactory(user=user, position=post)
    return user


@pytest.fixture
def mk(personas: Personas) -> Personas:
    """The personas with ``mkt`` (国内部) and ``other_mkt`` (国际部) marketing specialists."""
    personas.mkt = specialist(personas, "mkt", "郑晓东", personas.domestic)  # type: ignore[attr-defined]
    personas.other_mkt = specialist(personas, "other_mkt", "邓晨阳", personas.international)  # type: ignore[attr-defined]
    return personas


def photo(name: str = "现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0fake-jpeg", content_type="image/jpeg")


def customer_of(user: User, department: Any, **kwargs: Any) -> Customer:
    return CustomerFactory(owner=user, department=department, **kwargs)


PLAN = {
    "theme": "新品发布会",
    "audience": "华东区经销商",
    "content": "新款产品演示与订货",
    "place": "上海国际会展中心",
    "starts_on": dt.date(2026, 12, 10),
    "ends_on": dt.date(2026, 12, 11),
    "budget": Decimal("20000.00"),
}


def plan_campaign(actor: User, **overrides: Any) -> Campaign:
    return services.campaign_create(actor=actor, **{**PLAN, **overrides})


def executed_campaign(actor: User, **overrides: Any) -> Campaign:
    campaign = plan_campaign(actor, **overrides)
    services.campaign_prepare(actor=actor, campaign=campaign)
    return services.campaign_execute(actor=actor, campaign=campaign)
