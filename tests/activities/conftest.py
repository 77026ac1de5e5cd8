"""Fixtures of the contact-log tests: customers owned by the personas."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory
from tests.personas import Personas
from yingxiao.customers.models import Customer


@pytest.fixture
def rep_customer(personas: Personas) -> Customer:
    """A customer of the rep in 国内部."""
    return CustomerFactory(name="甲公司", owner=personas.rep, department=personas.domestic)


@pytest.fixture
def intl_customer(personas: Personas) -> Customer:
    """A customer of the other rep in 国际部: outside the domestic team's scope."""
    return CustomerFactory(name="丙公司", owner=personas.other_rep, department=personas.international)
