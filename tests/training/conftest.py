"""Fixtures of the training tests: an HR employee (the personas have none)."""

from __future__ import annotations

import pytest

from tests.factories import AssignmentFactory, UserFactory
from yingxiao.org.models import Position, Role


@pytest.fixture
def hr(personas):
    post = Position.objects.create(title="培训专员", department=personas.center, role=Role.objects.get(code="hr"))
    user = UserFactory(username="hr", display_name="人事小刘")
    AssignmentFactory(user=user, position=post)
    return user
