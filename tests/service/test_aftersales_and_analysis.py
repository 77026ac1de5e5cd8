"""After-sales records and the monthly report (CMP-8); periodic analysis and recurring causes (CMP-9)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import CustomerFactory
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.performance.models import Violation
from yingxiao.policy.registry import run_sweep
from yingxiao.service import aftersales
from yingxiao.service.analysis import complaint_analysis
from yingxiao.service.models import AfterSalesRecord
from yingxiao.service.periods import parse_period, report_due

from .conftest import assign, fresh, make_complaint

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_cmp_8_after_sales_records_installation_maintenance_visit(cmp, customer, api_as):
    record = aftersales.aftersales_record(
        actor=fresh(cmp.cs), customer=customer, kind="installation", description="安装两台水泵"
    )
    assert record.department == cmp.service_dept and record.staff == cmp.cs
    with pytest.raises(BusinessError):
        aftersales.aftersales_record(actor=fresh(cmp.cs), customer=customer, kind="repaint", description="x")
    response = api_as("director").get("/api/v1/aftersales-records/")
    assert [row["id"] for row in response.json()["results"]] == [record.pk]
    assert api_as("rep").get(f"/api/v1/aftersales-records/{record.pk}/").status_code == 403  # no verb
    assert api_as("head").get(f"/api/v1/aftersales-records/{record.pk}/").status_code == 404  # another department


def test_cmp_8_monthly_report_is_generated_from_the_records_and_sent_to_the_director(
    cmp, customer, django_capture_on_commit_callbacks
):
    for kind in ("installation", "maintenance", "maintenance", "visit"):
        aftersales.aftersales_record(actor=fresh(cmp.cs), customer=customer, kind=kind, description="服务")
    month = dt.date.today().replace(day=1)
    report = aftersales.aftersales_report_generate(actor=fresh(cmp.cs_head), department=cmp.service_dept, month=month)
    assert report.summary["records"] == 4 and report.summary["by_kind"]["maintenance"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        aftersales.aftersales_report_submit(actor=fresh(cmp.cs_head), report=report)
    assert Notification.objects.filter(recipient=cmp.director).exists()
    with pytest.raises(BusinessError) as caught:
        aftersales.aftersales_report_submit(actor=fresh(cmp.cs_head), report=report)
    assert caught.value.code == "service.report_submitted"
    with pytest.raises(BusinessError):
        aftersales.aftersales_report_generate(actor=fresh(cmp.rep), department=cmp.service_dept, month=month)


def test_cmp_8_report_due_day_in_a_short_month(cmp):
    assert report_due(dt.date(2025, 1, 1), 29) == dt.date(2025, 1, 29)
    assert report_due(dt.date(2025, 2, 1), 29) == dt.date(2025, 3, 1)
    first_of_march = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
    with time_machine.travel(first_of_march, tick=False):
        assert run_sweep("CMP-8", as_of=first_of_march).applied == 1  # February's report is late
    assert Violation.objects.get(rule_id="CMP-8").breach_key.endswith("2025-02-01")


def test_cmp_8_late_report_reminder_then_violation(cmp):
    before = dt.datetime(2025, 1, 26, 10, 0, tzinfo=TZ)  # three days before the 29th
    with time_machine.travel(before, tick=False):
        assert run_sweep("CMP-8r", as_of=before).applied == 1
    assert Notification.objects.filter(recipient=cmp.cs_head, message__contains="CMP-8r").exists()
    with time_machine.travel(before - dt.timedelta(days=1), tick=False):
        assert run_sweep("CMP-8", as_of=before).found == 0  # not due yet
    late = dt.datetime(2025, 1, 29, 0, 1, tzinfo=TZ)
    with time_machine.travel(late, tick=False):
        assert run_sweep("CMP-8", as_of=late).applied == 1
        assert run_sweep("CMP-8", as_of=late + dt.timedelta(days=1)).recorded == 0
    violation = Violation.objects.get(rule_id="CMP-8")
    assert violation.person == cmp.cs_head and violation.amount == 50


def test_cmp_8_submitted_report_is_not_late(cmp):
    with time_machine.travel(dt.datetime(2025, 1, 20, 10, 0, tzinfo=TZ), tick=False):
        report = aftersales.aftersales_report_generate(
            actor=fresh(cmp.cs_head), department=cmp.service_dept, month=dt.date(2025, 1, 1)
        )
        aftersales.aftersales_report_submit(actor=fresh(cmp.cs_head), report=report)
    late = dt.datetime(2025, 1, 30, 10, 0, tzinfo=TZ)
    with time_machine.travel(late, tick=False):
        assert run_sweep("CMP-8", as_of=late).found == 0


def _complaints(cmp, customer, cause, count, when):
    with time_machine.travel(when, tick=False):
        for _ in range(count):
            assign(cmp.director, make_complaint(cmp.cs, customer, product="水泵"), cause=cause)


def test_cmp_9_analysis_counts_by_cause_product_department_and_flags_repeats(cmp, customer):
    _complaints(cmp, customer, "delivery", 3, dt.datetime(2025, 1, 6, 10, 0, tzinfo=TZ))
    _complaints(cmp, customer, "attitude", 1, dt.datetime(2025, 2, 6, 10, 0, tzinfo=TZ))
    january = complaint_analysis(fresh(cmp.director), parse_period("2025-01"))
    assert january.total == 3 and [r["cause"] for r in january.repeat_causes] == ["delivery"]
    assert january.by_product == [{"product": "水泵", "count": 3}]
    assert january.by_department == [{"department": "国内部", "count": 3}]
    quarter = complaint_analysis(fresh(cmp.director), parse_period("2025-Q1"))
    assert quarter.total == 4 and len(quarter.repeat_causes) == 1
    assert complaint_analysis(fresh(cmp.other_rep), parse_period("2025-Q1")).total == 0  # CMP-7 scope
    with pytest.raises(BusinessError):
        parse_period("2025-13")


def test_cmp_9_recurring_cause_is_sent_to_the_departments_concerned(cmp, customer):
    _complaints(cmp, customer, "delivery", 3, dt.datetime(2025, 1, 6, 10, 0, tzinfo=TZ))
    other = CustomerFactory(owner=cmp.other_rep, department=cmp.international)
    _complaints(cmp, other, "attitude", 2, dt.datetime(2025, 1, 7, 10, 0, tzinfo=TZ))
    as_of = dt.datetime(2025, 2, 1, 9, 0, tzinfo=TZ)
    with time_machine.travel(as_of, tick=False):
        run = run_sweep("CMP-9", as_of=as_of)
        assert run.applied == 1
        assert run_sweep("CMP-9", as_of=as_of).recorded == 0
    note = Notification.objects.get(recipient=cmp.head)
    assert "CMP-9" in note.message and "/service/complaints/analysis/" in note.link
    assert AfterSalesRecord.objects.count() == 0
