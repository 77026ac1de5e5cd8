"""Every page is served with a strict CSP and carries nothing that CSP would block."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .csp import inline_code

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/", "api/", "i18n/", "logout/", "static/", "media/")


def _plain_urls(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every URL of the site that takes no argument (``/``, ``/customers/``, …)."""
    urls = []
    for pattern in resolver.url_patterns:
        route = getattr(pattern.pattern, "_route", None)
        if route is None or "<" in route:  # regex routes and routes with arguments
            continue
        if isinstance(pattern, URLResolver):
            urls += _plain_urls(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            urls.append(prefix + route)
    return sorted({u for u in urls if not u.startswith(SKIP_PREFIXES)})


PAGES = ["/" + url for url in _plain_urls(get_resolver())]


def test_the_scan_finds_inline_code():
    assert inline_code('<div style="color:red" onclick="x()"><script>alert(1)</script></div>') == [
        "<div style=…> (inline style attribute)",
        "<div onclick=…> (inline event handler)",
        "<script> without src (type text/javascript)",
    ]
    assert inline_code('<script type="application/json" id="d">{"a": 1}</script><script src="/a.js"></script>') == []


def test_the_site_has_pages_to_scan():
    assert "/" in PAGES and "/login/" in PAGES and "/org/chart/" in PAGES


@pytest.mark.parametrize("persona", ["director", "rep", "admin", "finance"])
@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_no_inline_code_and_send_the_csp_header(client, personas, persona, url):
    if url != "/login/":
        client.force_login(getattr(personas, persona))
    response = client.get(url)
    if response.status_code in (301, 302, 403, 404, 405):
        return  # not this persona's page (the error pages are scanned below)
    assert response.status_code == 200, (url, response.status_code)
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert inline_code(response.content.decode()) == [], url


@pytest.mark.parametrize("url", ["/no-such-page/", "/org/chart/?page=%00"])
def test_error_pages_carry_no_inline_code(client, personas, url):
    client.force_login(personas.rep)
    response = client.get(url)
    assert response.headers.get("Content-Security-Policy")
    assert inline_code(response.content.decode()) == []


def test_api_docs_render_under_the_strict_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.content.decode()
    assert inline_code(html) == []
    assert 'src="/api/docs/?script="' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
