"""PDF reports: the weekly summary and the monthly report, with Chinese fonts (weasyprint).

The same HTML-to-PDF path as the quote archive (``yingxiao.sales.pdf``): the page may only load
this site's static files, so nothing typed into a record can make the server fetch a URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from yingxiao.sales.pdf import STATIC_BASE, StaticOnlyFetcher

from .periods import Period, month_of, parse_period, week_of

if TYPE_CHECKING:
    from yingxiao.org.models import Department, User

KINDS = ("week", "month")


def period_for(kind: str, text: str | None) -> Period:
    """The report's period: a given ``YYYY-Www`` / ``YYYY-MM``, or last week / this month."""
    from .summary import last_week

    if not text:
        return last_week() if kind == "week" else parse_period("")
    period = parse_period(text)
    return week_of(period.start) if kind == "week" else month_of(period.start)


def render_report_pdf(viewer: User, kind: str, period: Period, department: Department | None) -> bytes:
    """The PDF bytes of the report for ``viewer``'s scope, in the company's language."""
    from weasyprint import HTML

    from .summary import summary_context

    with translation.override(settings.LANGUAGE_CODE):
        context = summary_context(viewer, period, department)
        context["kind"] = kind
        html = render_to_string("reports/report_pdf.html", context)
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()).write_pdf()
