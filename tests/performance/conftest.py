"""Helpers for the ledger tests: an HR employee, and the director's approval of a recorded entry."""

from __future__ import annotations

import pytest

from tests.factories import AssignmentFactory, UserFactory
from yingxiao.approvals.services import approval_decide
from yingxiao.org.models import Position, Role


@pytest.fixture
def hr(personas):
    post = Position.objects.create(title="人事专员", department=personas.center, role=Role.objects.get(code="hr"))
    user = UserFactory(username="hr", display_name="人事小刘")
    AssignmentFactory(user=user, position=post)
    return user


def approve(personas, entry, decision="approve", note=""):
    """The director decides on the approval of a violation or reward."""
    entry.refresh_from_db()
    approval_decide(actor=personas.director, instance=entry.approval, decision=decision, note=note or "同意")
    entry.refresh_from_db()
    return entry
