"""A test request type ("expense"-like) with thresholds, and helpers to change the org chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from yingxiao.approvals import registry
from yingxiao.approvals.registry import StepSpec, register_request_type
from yingxiao.org.models import Assignment, User


class Calls:
    def __init__(self) -> None:
        self.approved: list[int] = []
        self.rejected: list[int] = []


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def expense_type(calls: Calls):
    """Superior always; the director from 5,000; the director again (as GM stand-in) never below 50%."""
    previous = registry.get_request_type("test_expense")
    register_request_type(
        "test_expense",
        "Test expense",
        steps=[
            StepSpec("superior", name="直属上级"),
            StepSpec("role", role_code="sales_director", name="销售总监", amount_at_least=Decimal(5000)),
        ],
        on_approved=lambda instance: calls.approved.append(instance.pk),
        on_rejected=lambda instance: calls.rejected.append(instance.pk),
    )
    yield "test_expense"
    registry._REGISTRY.pop("test_expense", None)
    if previous is not None:
        registry._REGISTRY["test_expense"] = previous


def vacate(user: User) -> None:
    Assignment.objects.filter(user=user, ended_on__isnull=True).update(ended_on=timezone.localdate())


def set_absent(user: User, delegate: User | None = None) -> None:
    user.status = User.Status.ABSENT
    user.absent_until = timezone.localdate() + dt.timedelta(days=5)
    user.delegate = delegate
    user.save(update_fields=["status", "absent_until", "delegate"])
