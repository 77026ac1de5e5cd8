"""Browser: a rep clocks in late (HR-1/HR-2), files a 5-day leave that the head and the director
approve (HR-5), submits a daily report to the head (HR-7/HR-8); the head scores and finalises the
rep's monthly evaluation (PRF-1); the director then sees the month's attendance with the lateness
(HR-2) and the grade beside it, and opens the evaluation from the sheet."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.browser.conftest import login
from tests.personas import build_personas
from yingxiao.performance.models import Evaluation, Grade
from yingxiao.workforce.models import AttendanceRecord, Leave, Tier, WorkReport

pytestmark = pytest.mark.django_db(transaction=True)

SH = ZoneInfo("Asia/Shanghai")


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login/" in url)


def _approve_leave(page, approver: str) -> None:
    login(page, approver)
    page.goto("/approvals/")
    page.get_by_test_id("approval-list").get_by_role("link", name="张三").first.click()
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-form").locator("button[type=submit]").click()
    page.get_by_test_id("approval-status").wait_for()
    _logout(page)


def _head_grades_the_rep(page, month: str) -> None:
    """rule: PRF-1 — the superior prepares the month's evaluation, scores what the system cannot
    compute (85 each) and finalises it: the grade follows the configured thresholds (80 ≤ 85 < 90)."""
    login(page, "head")
    page.goto(f"/performance/team/?month={month}")
    page.get_by_test_id("team-evaluations").locator("tr", has_text="张三").locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/performance/evaluations/" in url)
    scores = page.get_by_test_id("evaluation-items").locator("input[name^=score_]")
    assert scores.count() >= 1
    for index in range(scores.count()):
        scores.nth(index).fill("85")
    page.locator("button[name=finalise]").click()
    assert page.get_by_test_id("evaluation-grade").inner_text() == "良好"
    _logout(page)


def test_hr_1_hr_5_hr_7_prf_1_rep_late_leave_approved_report_submitted_director_sees_attendance_and_grades(
    page, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # The most recent Monday at 09:05 (a working day; recent, so the browser keeps its cookies).
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    people = build_personas()
    with time_machine.travel(dt.datetime.combine(monday, dt.time(9, 5), tzinfo=SH), tick=True):
        # The rep clocks in five minutes late: minor lateness.
        login(page, "rep")
        page.goto("/workforce/")
        page.get_by_test_id("clock-button").click()
        page.wait_for_url(lambda url: url.endswith("/workforce/"))
        record = AttendanceRecord.objects.get(person=people.rep)
        assert record.late_tier == Tier.MINOR and record.late_minutes >= 5

        # A 5-working-day leave next week, handed over to the teammate.
        start = monday + dt.timedelta(days=7)
        page.goto("/workforce/leaves/")
        page.select_option("#id_kind", "personal")
        page.fill("#id_start_date", start.isoformat())
        page.fill("#id_end_date", (start + dt.timedelta(days=4)).isoformat())
        page.select_option("#id_handover", str(people.teammate.pk))
        page.fill("#id_reason", "家中有事")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: url.endswith("/workforce/leaves/"))
        leave = Leave.objects.get(person=people.rep)
        assert leave.days == 5 and leave.status == Leave.Status.PENDING

        # The daily plan goes to the head, stamped to the minute.
        page.goto("/workforce/reports/?kind=daily_plan")
        form = page.get_by_test_id("report-form")
        form.locator("#id_content").fill("上午拜访甲公司，下午整理报价")
        page.get_by_test_id("report-submit").click()
        page.get_by_test_id("my-reports").get_by_text("日计划").wait_for()
        report = WorkReport.objects.get(person=people.rep)
        assert report.recipient == people.head and report.submitted_at.second == 0
        _logout(page)

        # Head, then director (more than three days) approve the leave; the head acknowledges the report.
        _approve_leave(page, "head")
        assert Leave.objects.get(pk=leave.pk).status == Leave.Status.PENDING
        login(page, "head")
        page.goto(f"/workforce/reports/{report.pk}/")
        page.get_by_test_id("acknowledge").click()
        page.get_by_test_id("acknowledged").get_by_text("李经理").wait_for()
        _logout(page)
        _approve_leave(page, "director")
        assert Leave.objects.get(pk=leave.pk).status == Leave.Status.APPROVED

        # The head, the rep's superior, grades the month (PRF-1).
        _head_grades_the_rep(page, f"{monday:%Y-%m}")
        evaluation = Evaluation.objects.get(person=people.rep, month=monday.replace(day=1))
        assert evaluation.status == Evaluation.Status.FINAL and evaluation.grade == Grade.GOOD

        # The director reads the month's attendance of the domestic department, with the grades.
        login(page, "director")
        page.goto(f"/workforce/sheet/?month={monday:%Y-%m}&department={people.domestic.pk}")
        sheet = page.get_by_test_id("sheet")
        row = sheet.locator("tr", has_text="张三")
        assert "[HR-2]" in row.inner_text()
        grade = row.get_by_test_id("sheet-grade")
        assert "良好" in grade.inner_text() and "85.00" in grade.inner_text()
        # The teammate has no evaluation yet: no grade shown for them.
        assert sheet.locator("tr", has_text="李四").get_by_test_id("sheet-grade").inner_text().strip() == "—"
        assert WorkReport.objects.get(pk=report.pk).acknowledged_by == people.head

        # From the grade to the evaluation itself, read-only for the director.
        grade.get_by_role("link").click()
        page.wait_for_url(lambda url: url.endswith(f"/performance/evaluations/{evaluation.pk}/"))
        assert page.get_by_test_id("evaluation-grade").inner_text() == "良好"
        assert page.locator("button[name=finalise]").count() == 0
        # And the month's evaluations of everyone the director may grade, linked from the sheet.
        page.goto(f"/workforce/sheet/?month={monday:%Y-%m}&department={people.domestic.pk}")
        page.get_by_test_id("sheet-evaluations").click()
        page.wait_for_url(lambda url: "/performance/team/" in url)
        team_row = page.get_by_test_id("team-evaluations").locator("tr", has_text="张三")
        assert "良好" in team_row.inner_text()
