"""Browser: customer service logs a complaint from a phone call (CMP-1), the responsible head defines
responsibility and plan (CMP-2) and proposes a solution, the director approves it (CMP-3), customer
service tells the customer (CMP-4), records the verification call and survey (CMP-5) and closes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tests.factories import CustomerFactory
from tests.personas import build_personas
from tests.service.conftest import add_customer_service
from yingxiao.service.models import Complaint

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login/" in url)


def test_cmp_1_to_5_complaint_logged_assigned_approved_surveyed_and_closed(page, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    people = add_customer_service(build_personas())
    customer = CustomerFactory(name="甲机械有限公司", owner=people.rep, department=people.domestic)

    # Customer service logs the phone call; the domestic department is responsible.
    login(page, "cs")
    page.goto(f"/service/complaints/new/?customer={customer.pk}")
    page.select_option("#id_category", "service")
    page.fill("#id_complainant", "王先生")
    page.fill("#id_contact", "13900001111")
    page.fill("#id_matter", "送货迟到三天，影响开工")
    page.select_option("#id_responsible_department", str(people.domestic.pk))
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("complaint-status").wait_for()
    complaint = Complaint.objects.get(customer=customer)
    assert complaint.status == Complaint.Status.RECEIVED
    assert complaint.channel == Complaint.Channel.PHONE
    _logout(page)

    # The head of the responsible department defines responsibility and plan, then proposes a solution.
    login(page, "head")
    page.goto(f"/service/complaints/{complaint.pk}/")
    form = page.get_by_test_id("assign-form")
    form.locator("#id_cause").select_option("delivery")
    form.locator("#id_responsibility").fill("物流组未按约定时间发货")
    form.locator("#id_plan").fill("三日内补发并致歉")
    form.locator("button[type=submit]").click()
    solution = page.get_by_test_id("solution-form")
    solution.locator("#id_measures").fill("加急补发，物流组每日跟踪到货")
    solution.locator("#id_deadline").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    solution.locator("button[type=submit]").click()
    page.get_by_test_id("complaint-status").wait_for()
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.SOLUTION
    _logout(page)

    # The director approves the solution.
    login(page, "director")
    page.goto(f"/service/complaints/{complaint.pk}/")
    decide = page.get_by_test_id("decide-form")
    decide.locator("#id_decision").select_option("approve")
    decide.locator("#id_note").fill("同意")
    decide.locator("button[type=submit]").click()
    page.get_by_test_id("decide-form").wait_for(state="detached")
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.EXECUTING
    _logout(page)

    # Customer service tells the customer, makes the verification call with the survey, and closes it.
    login(page, "cs")
    page.goto(f"/service/complaints/{complaint.pk}/")
    progress = page.get_by_test_id("progress-form")
    progress.locator("#id_channel").fill("电话")
    progress.locator("#id_message").fill("补发货物已发出，预计明日到达")
    progress.locator("button[type=submit]").click()
    survey = page.get_by_test_id("survey-form")
    survey.locator("#id_satisfaction").select_option("4")
    survey.locator("#id_comments").fill("满意，下次请提前通知")
    survey.locator("button[type=submit]").click()
    page.get_by_test_id("survey").wait_for()
    close = page.get_by_test_id("close-form")
    close.locator("#id_note").fill("客户确认已解决")
    close.locator("button[type=submit]").click()
    page.get_by_test_id("close-form").wait_for(state="detached")
    assert page.get_by_test_id("complaint-status").inner_text() == "已关闭"
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "补发货物已发出" in timeline

    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert complaint.survey.satisfaction == 4
