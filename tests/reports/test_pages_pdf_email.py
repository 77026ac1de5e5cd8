"""Dashboard pages and API (scoped, few queries), PDF reports with Chinese text, the weekly summary e-mail."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from yingxiao.reports import pdf, summary
from yingxiao.reports.models import SummaryDelivery
from yingxiao.reports.periods import parse_period

from .conftest import PERIOD, fresh

pytestmark = pytest.mark.django_db


def test_dashboard_renders_every_kpi_with_chart_data_for_director_head_and_rep(world, client) -> None:
    for persona in ("director", "head", "rep"):
        client.force_login(getattr(world, persona))
        response = client.get(reverse("reports:dashboard"), {"period": PERIOD})
        assert response.status_code == 200, persona
        body = response.content.decode()
        assert 'id="kpi-data"' in body and "reports/dashboard.js" in body
        assert "<script>" not in body  # strict CSP: data only through json_script
        assert 'data-testid="kpi-no-data-loyalty"' not in body  # every KPI has its provider


def test_director_dashboard_renders_with_few_queries(world, client, django_assert_max_num_queries) -> None:
    client.force_login(world.director)
    client.get(reverse("reports:dashboard"), {"period": PERIOD})  # warm the per-org caches
    with django_assert_max_num_queries(40):
        assert client.get(reverse("reports:dashboard"), {"period": PERIOD}).status_code == 200


def test_org_5_dashboard_department_outside_scope_is_404(world, client) -> None:
    client.force_login(world.head)
    response = client.get(reverse("reports:dashboard"), {"department": world.international.pk})
    assert response.status_code == 404
    response = client.get(reverse("reports:drilldown", args=["conversion"]), {"department": world.international.pk})
    assert response.status_code == 404
    assert client.get(reverse("reports:dashboard"), {"department": world.domestic.pk}).status_code == 200


def test_drilldown_lists_the_records_behind_the_figure_within_scope(world, client) -> None:
    client.force_login(world.head)
    response = client.get(reverse("reports:drilldown", args=["conversion"]), {"period": PERIOD})
    body = response.content.decode()
    assert response.status_code == 200
    assert "甲公司" in body and "丁公司" in body
    assert "丙公司" not in body  # 国际部
    assert client.get(reverse("reports:drilldown", args=["nope"])).status_code == 404
    assert client.get(reverse("reports:dashboard"), {"period": "2026-13"}).status_code == 400


def test_dashboard_needs_its_permission(world, client) -> None:
    client.force_login(world.finance)
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_api_kpis_and_drilldown_are_scoped(world, api_as) -> None:
    response = api_as("head").get("/api/v1/kpis/", {"period": PERIOD})
    assert response.status_code == 200
    figures = {k["code"]: k for k in response.json()["kpis"]}
    assert (figures["conversion"]["hits"], figures["conversion"]["total"]) == (2, 4)
    assert figures["collection_rate"]["available"] is True and figures["collection_rate"]["value"] is None
    assert figures["loyalty"]["available"] is True and figures["plan_achievement"]["available"] is True
    detail = api_as("head").get("/api/v1/kpis/conversion/", {"period": PERIOD}).json()
    assert detail["count"] == detail["figure"]["total"] == len(detail["rows"]) == 4
    refused = api_as("head").get("/api/v1/kpis/", {"department": world.international.pk})
    assert refused.status_code == 404
    assert refused.json()["code"] == "reports.department_out_of_scope"
    assert api_as("rep").get("/api/v1/kpis/", {"department": world.domestic.pk}).status_code == 404
    assert api_as("finance").get("/api/v1/kpis/").status_code == 403
    assert api_as("director").get("/api/v1/kpis/nope/").status_code == 404


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_weekly_and_monthly_pdf_render_chinese_text(world) -> None:
    month = pdf.render_report_pdf(fresh(world.director), "month", parse_period(PERIOD), world.domestic)
    text = _text(month)
    assert month.startswith(b"%PDF")
    assert "王总监" in text and "国内部" in text
    assert "成交率" in text  # the KPI labels in Chinese
    week = pdf.render_report_pdf(fresh(world.head), "week", parse_period("2026-W41"), None)
    assert "李经理" in _text(week)


def test_pdf_download_page_is_scoped(world, client) -> None:
    client.force_login(world.head)
    response = client.get(reverse("reports:pdf", args=["month"]), {"period": PERIOD})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(reverse("reports:pdf", args=["month"]), {"department": world.international.pk}).status_code == 404
    assert client.get(reverse("reports:index")).status_code == 200
    client.force_login(world.rep)
    assert client.get(reverse("reports:pdf", args=["week"])).status_code == 403


def test_weekly_summary_email_goes_to_heads_and_the_director_once(world) -> None:
    for user, address in ((world.director, "director@example.com"), (world.head, "head@example.com")):
        user.email = address
        user.save()
    world.rep.email = "rep@example.com"
    world.rep.save()
    from yingxiao.reports.tasks import send_weekly_summary_emails

    today = dt.date(2026, 10, 19)  # a Monday (W43): last week is 2026-W42
    assert summary.send_weekly_summaries(today) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["director@example.com", "head@example.com"]
    message = mail.outbox[0]
    assert "2026-W42" in message.subject
    assert message.attachments and message.attachments[0][2] == "application/pdf"
    assert "成交率" in message.body
    # Re-running (the scheduler firing twice) sends nothing again.
    assert summary.send_weekly_summaries(today) == 0
    assert SummaryDelivery.objects.count() == 2
    assert send_weekly_summary_emails.call() >= 0  # the scheduled task runs the same function
