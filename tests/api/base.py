"""The standard API checks, generated per resource and per persona (house style 9).

A resource's test class declares *what* should happen; this base generates *the checks*:

* **list** — which personas find the in-scope object (and the out-of-scope one) in the list;
* **detail** — the same, one object at a time (200, or 403/404 — never a hint it exists);
* **out of scope** — a persona who holds the verb but not the rows gets **404** on detail and update;
* **create** / **update** — allowed personas succeed, the others get a 4xx and nothing changes;
* **bad input** — every bad payload answers 4xx with ``{"code", "message"}`` and changes no row;
* **unauthenticated** — 401/403 with the error format, for list, detail, create and update;
* **flat list queries** — listing 1 or 4 objects costs the same number of queries (no N+1).

The two objects follow the personas (tests/personas.py): ``in_scope`` belongs to ``rep`` in 国内部,
``out_of_scope`` to ``other_rep`` in 国际部. ``expect`` must name every persona, so adding a persona
forces each resource to decide what that persona may do.

Example (a test module of the customers app)::

    from tests.api.base import ApiResourceChecks, Expect
    from tests.factories import CustomerFactory
    from yingxiao.customers.models import Customer

    OWN = Expect(sees=True, creates=True, updates=True)          # the rep: own rows only
    HEAD = Expect(sees=True, creates=True, updates=True)         # 国内部 subtree, not 国际部
    ALL = Expect(sees=True, sees_other=True, creates=True, updates=True)


    class TestCustomerApi(ApiResourceChecks):
        url = "/api/v1/customers/"
        model = Customer
        expect = {
            "director": ALL, "head": HEAD, "rep": OWN, "teammate": Expect(creates=True),
            "other_rep": Expect(sees_other=True, creates=True), "finance": Expect(sees=True, sees_other=True),
            "admin": Expect(sees=True, sees_other=True), "resource_director": ALL,
        }
        bad_create = {
            "empty_name": {"name": ""},
            "huge_name": {"name": "客" * 10_000},
            "phone_not_a_string": {"name": "某公司", "phone": ["x"]},
            "malformed_json": '{"name": ',
            "unknown_owner": lambda p: {"name": "某公司", "owner": 10**12},
        }

        def in_scope(self, p):
            return CustomerFactory(owner=p.rep, department=p.domestic)

        def out_of_scope(self, p):
            return CustomerFactory(owner=p.other_rep, department=p.international)

        def create_payload(self, p):
            return {"name": "新客户有限公司", "phone": "13900000000"}

        def update_payload(self, p, obj):
            return {"name": obj.name + "（改）"}

Pytest collects ``Test*`` subclasses only, so this base is not collected on its own. Override
``create_payload``/``update_payload`` to return ``None`` for a read-only resource: the create and
update checks then assert that nobody can write (405/403, nothing changed). ``Expect.sees_other``
defaults to "no": say it explicitly for the personas whose scope reaches 国际部.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.db import connection, models
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.personas import Personas

PERSONA_NAMES = ("director", "head", "rep", "teammate", "other_rep", "finance", "admin", "resource_director")

Payload = Mapping[str, Any] | list[Any] | str | Callable[..., Any]
"""A payload: a dict or list (sent as JSON), a ``str`` (sent as the raw body: malformed JSON), or a
callable for payloads that need ids of objects made in the test: ``(personas) -> payload`` in
``bad_create``, ``(personas, obj) -> payload`` in ``bad_update`` (``obj`` is the object patched)."""


@dataclass(frozen=True)
class Expect:
    """What one persona may do with one resource."""

    sees: bool = False  # the in-scope object (rep, 国内部) is listed and its detail is 200
    sees_other: bool = False  # the out-of-scope object (other_rep, 国际部) likewise
    creates: bool = False  # POST succeeds (201)
    updates: bool = False  # PATCH on the in-scope object succeeds (200)


def assert_error_format(response: Any, *statuses: int) -> dict[str, Any]:
    """The response is one of ``statuses`` (any 4xx if none given) with a ``code`` and a non-empty ``message``."""
    if statuses:
        assert response.status_code in statuses, (response.status_code, _body(response))
    else:
        assert 400 <= response.status_code < 500, (response.status_code, _body(response))
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("code"), str), body
    assert body["code"], body
    assert isinstance(body.get("message"), str), body
    assert body["message"].strip(), body
    if "errors" in body:
        assert isinstance(body["errors"], dict | list), body
    return body


def _body(response: Any) -> Any:
    try:
        return response.json()
    except (ValueError, TypeError):
        return response.content[:500]


def _ids(response: Any) -> set[Any]:
    data = response.json()
    rows = data["results"] if isinstance(data, dict) and "results" in data else data
    return {row["id"] for row in rows}


class ApiResourceChecks:
    """Declare a resource in a ``Test…`` subclass; the standard checks come for free (see module doc)."""

    url: ClassVar[str]  # the list endpoint, e.g. "/api/v1/departments/"
    model: ClassVar[type[models.Model]]
    expect: ClassVar[dict[str, Expect]]
    bad_create: ClassVar[dict[str, Payload]] = {}  # name → payload that must be refused on create
    bad_update: ClassVar[dict[str, Payload]] = {}  # name → payload that must be refused on update
    write_as: ClassVar[str | None] = None  # persona for the bad-input checks (default: first who creates/updates)

    # --- what a resource declares ------------------------------------------------------
    def in_scope(self, p: Personas) -> models.Model:
        """An object owned by ``rep`` in 国内部."""
        raise NotImplementedError

    def out_of_scope(self, p: Personas) -> models.Model:
        """An object owned by ``other_rep`` in 国际部."""
        raise NotImplementedError

    def create_payload(self, p: Personas) -> dict[str, Any] | None:
        """A valid payload for POST, or None if the resource cannot be created through the API."""
        return None

    def update_payload(self, p: Personas, obj: models.Model) -> dict[str, Any] | None:
        """A valid PATCH payload for ``obj``, or None if the resource cannot be changed through the API."""
        return None

    # --- collection ---------------------------------------------------------------------
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        name = metafunc.function.__name__
        if "persona" in metafunc.fixturenames:
            if name == "test_out_of_scope_is_404":
                names = [n for n in PERSONA_NAMES if not self.expect[n].sees_other]
            else:
                names = list(PERSONA_NAMES)
            metafunc.parametrize("persona", names)
        if "bad_case" in metafunc.fixturenames:
            cases = self.bad_create if name == "test_bad_create_is_refused" else self.bad_update
            metafunc.parametrize("bad_case", sorted(cases))

    # --- helpers ------------------------------------------------------------------------
    def detail_url(self, obj: models.Model) -> str:
        return f"{self.url}{obj.pk}/"

    def _writer(self, kind: str) -> str:
        if self.write_as:
            return self.write_as
        for persona in PERSONA_NAMES:
            if getattr(self.expect[persona], kind):
                return persona
        pytest.skip(f"nobody {kind} this resource")

    @staticmethod
    def _send(client: APIClient, method: str, url: str, payload: Any) -> Any:
        if isinstance(payload, str):  # a raw (possibly malformed) body
            return getattr(client, method)(url, data=payload.encode(), content_type="application/json")
        return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")

    @staticmethod
    def _resolve(payload: Payload, *args: Any) -> Any:
        return payload(*args) if callable(payload) else payload

    def _snapshot(self, obj: models.Model) -> dict[str, Any]:
        return model_to_dict(type(obj)._default_manager.get(pk=obj.pk))

    def _perm(self, user: Any, verb: str) -> bool:
        meta = self.model._meta
        return bool(user.has_perm(f"{meta.app_label}.{verb}_{meta.model_name}"))

    # --- the generated checks ---------------------------------------------------------------
    def test_expectations_name_every_persona(self) -> None:
        assert set(self.expect) == set(PERSONA_NAMES), "expect must say what each persona may do"

    def test_list(self, personas: Personas, api_as: Callable[[str], APIClient], persona: str) -> None:
        mine, other = self.in_scope(personas), self.out_of_scope(personas)
        expected = self.expect[persona]
        response = api_as(persona).get(self.url, {"page_size": 200})
        if not (expected.sees or expected.sees_other) and response.status_code != 200:
            assert_error_format(response, 403)
            return
        assert response.status_code == 200, (response.status_code, _body(response))
        ids = _ids(response)
        assert (mine.pk in ids) == expected.sees, f"{persona} sees the in-scope object: {expected.sees}"
        assert (other.pk in ids) == expected.sees_other, f"{persona} sees the out-of-scope object"

    def test_detail(self, personas: Personas, api_as: Callable[[str], APIClient], persona: str) -> None:
        client = api_as(persona)
        expected = self.expect[persona]
        pairs = [(self.in_scope(personas), expected.sees), (self.out_of_scope(personas), expected.sees_other)]
        for obj, visible in pairs:
            response = client.get(self.detail_url(obj))
            if visible:
                assert response.status_code == 200, (persona, response.status_code, _body(response))
                assert response.json()["id"] == obj.pk
            else:
                assert_error_format(response, 403, 404)

    def test_out_of_scope_is_404(self, personas: Personas, api_as: Callable[[str], APIClient], persona: str) -> None:
        other = self.out_of_scope(personas)
        user = getattr(personas, persona)
        client = api_as(persona)
        response = client.get(self.detail_url(other))
        assert_error_format(response, 404 if self._perm(user, "view") else 403)
        payload = self.update_payload(personas, other)
        if payload is None:
            return
        before = self._snapshot(other)
        response = self._send(client, "patch", self.detail_url(other), payload)
        assert_error_format(response, 404 if self._perm(user, "change") else 403)
        assert self._snapshot(other) == before

    def test_create(self, personas: Personas, api_as: Callable[[str], APIClient], persona: str) -> None:
        payload = self.create_payload(personas)
        manager = self.model._default_manager
        before = manager.count()
        response = self._send(api_as(persona), "post", self.url, payload or {})
        if payload is not None and self.expect[persona].creates:
            assert response.status_code == 201, (persona, response.status_code, _body(response))
            assert manager.count() == before + 1
            assert manager.filter(pk=response.json()["id"]).exists()
        elif payload is None:
            # No generic payload (the resource's own tests create it): an empty POST is refused.
            assert_error_format(response, 400, 403, 404, 405)
            assert manager.count() == before
        else:
            assert_error_format(response, 403, 404, 405)
            assert manager.count() == before

    def test_update(self, personas: Personas, api_as: Callable[[str], APIClient], persona: str) -> None:
        obj = self.in_scope(personas)
        payload = self.update_payload(personas, obj)
        before = self._snapshot(obj)
        response = self._send(api_as(persona), "patch", self.detail_url(obj), payload or {})
        if payload is not None and self.expect[persona].updates:
            assert response.status_code == 200, (persona, response.status_code, _body(response))
            body = response.json()
            for field, value in payload.items():
                if field in body and not isinstance(value, dict | list):
                    assert body[field] == value, (field, body[field], value)
            assert self._snapshot(obj) != before
        else:
            assert_error_format(response, 403, 404, 405)
            assert self._snapshot(obj) == before

    def test_bad_create_is_refused(self, personas: Personas, api_as: Callable[[str], APIClient], bad_case: str) -> None:
        self.in_scope(personas)
        self.out_of_scope(personas)
        payload = self._resolve(self.bad_create[bad_case], personas)
        manager = self.model._default_manager
        before = manager.count()
        response = self._send(api_as(self._writer("creates")), "post", self.url, payload)
        assert_error_format(response)
        assert manager.count() == before

    def test_bad_update_is_refused(self, personas: Personas, api_as: Callable[[str], APIClient], bad_case: str) -> None:
        obj = self.in_scope(personas)
        self.out_of_scope(personas)
        payload = self._resolve(self.bad_update[bad_case], personas, obj)
        manager = self.model._default_manager
        before_count, before = manager.count(), self._snapshot(obj)
        response = self._send(api_as(self._writer("updates")), "patch", self.detail_url(obj), payload)
        assert_error_format(response)
        assert manager.count() == before_count
        assert self._snapshot(obj) == before

    def test_unauthenticated_is_refused(self, personas: Personas, api_client: APIClient) -> None:
        obj = self.in_scope(personas)
        manager = self.model._default_manager
        before_count, before = manager.count(), self._snapshot(obj)
        assert_error_format(api_client.get(self.url), 401, 403)
        assert_error_format(api_client.get(self.detail_url(obj)), 401, 403)
        assert_error_format(self._send(api_client, "post", self.url, self.create_payload(personas) or {}), 401, 403)
        update = self.update_payload(personas, obj) or {}
        assert_error_format(self._send(api_client, "patch", self.detail_url(obj), update), 401, 403)
        assert manager.count() == before_count
        assert self._snapshot(obj) == before

    def test_list_queries_do_not_grow_with_rows(self, personas: Personas, api_as: Callable[[str], APIClient]) -> None:
        reader = next((n for n in PERSONA_NAMES if self.expect[n].sees), None)
        if reader is None:
            pytest.skip("nobody sees this resource")
        client = api_as(reader)
        self.in_scope(personas)
        client.get(self.url)  # warm per-user caches (scope, permissions)
        with CaptureQueriesContext(connection) as one:
            assert client.get(self.url).status_code == 200
        for _ in range(3):
            self.in_scope(personas)
        with CaptureQueriesContext(connection) as four:
            assert client.get(self.url).status_code == 200
        assert len(four) == len(one), [q["sql"] for q in four.captured_queries]
