"""The archived PDF of a sent quote (QUO-3): weasyprint, Chinese fonts, fetching limited to static files.

The quote's HTML may only load this site's static files (its stylesheet); any other URL — a
remote host, a local file path, a data: URI — is refused, so text typed into a quote can never
make the server fetch something.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation

from .models import QuoteRevision

# A base URL that matches nothing real: relative links in the template resolve under it.
STATIC_BASE = "https://static.yingxiao.invalid/"


class StaticOnlyFetcher:
    """A weasyprint URL fetcher that serves the site's static files and refuses everything else."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        from weasyprint.urls import URLFetcherResponse

        if not url.startswith(STATIC_BASE):
            raise ValueError(f"URL fetching is limited to static files: {url[:100]}")
        name = url[len(STATIC_BASE) :].split("?", 1)[0]
        if not name or ".." in name.split("/"):
            raise ValueError("bad static path")
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                body = handle.read()
        elif staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                body = handle.read()
        else:
            raise ValueError(f"no such static file: {name}")
        mime = "text/css" if name.endswith(".css") else "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    # weasyprint calls the fetcher object itself in some code paths.
    def __call__(self, url: str, headers: Any = None) -> Any:
        return self.fetch(url, headers)


def render_quote_pdf(revision: QuoteRevision) -> bytes:
    """The PDF bytes of ``revision``, in the company's language (zh-hans)."""
    from django.conf import settings
    from weasyprint import HTML

    quote = revision.quote
    lines = list(revision.lines.select_related("product").order_by("position", "pk"))
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("sales/quote_pdf.html", {"quote": quote, "revision": revision, "lines": lines})
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()).write_pdf()
