"""Shared fixtures: personas, API clients, and database-vendor markers."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from .personas import Personas, build_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as(personas: Personas):
    """``api_as("rep")`` → an APIClient authenticated as that persona."""

    def make(name: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(getattr(personas, name))
        return client

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL)"))
