"""The OpenAPI schema is valid and warning-free; the docs page works under the strict CSP."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    """A warning usually means a serializer the schema cannot describe (add type hints or extend_schema_field)."""
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("openapi: 3")
    for path in ("/api/v1/departments/", "/api/v1/positions/", "/api/v1/roles/", "/api/v1/users/"):
        assert f"  {path}:" in text


def test_the_schema_is_served_to_anyone(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_schema_describes_the_error_format_and_the_capped_count(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "count_exact" in schema["components"]["schemas"]["PaginatedDepartmentList"]["properties"]
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message"}
    create = schema["paths"]["/api/v1/departments/"]["post"]["responses"]
    assert {"201", "400", "401", "403"} <= set(create)
    assert create["400"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    assert "404" in schema["paths"]["/api/v1/departments/{id}/"]["get"]["responses"]
