"""SLA clocks on the business calendar (CMP-2, CMP-5): reminders, escalation (ORG-4), violations."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import AssignmentFactory, DepartmentFactory, UserFactory
from yingxiao.core.models import CalendarDay, Notification
from yingxiao.org.models import Department, Position, Role, User
from yingxiao.performance.models import Violation
from yingxiao.policy.registry import run_sweep
from yingxiao.service import sla
from yingxiao.service.models import Complaint, ComplaintEvent

from .conftest import assign, make_complaint

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2025, 1, 3, 10, 0, tzinfo=TZ)  # a Friday
MONDAY_CLOSE = dt.datetime(2025, 1, 6, 18, 0, tzinfo=TZ)


def _on_friday(cmp, customer):
    with time_machine.travel(FRIDAY, tick=False):
        return make_complaint(cmp.cs, customer)


def _sweep(rule_id, at):
    with time_machine.travel(at, tick=False):
        return run_sweep(rule_id, as_of=at)


def test_cmp_2_friday_complaint_is_due_at_the_end_of_monday(cmp, customer):
    complaint = _on_friday(cmp, customer)
    assert complaint.assign_due_at == MONDAY_CLOSE  # the weekend does not count


def test_cmp_2_a_holiday_monday_moves_the_deadline_to_tuesday(cmp, customer):
    CalendarDay.objects.create(date=dt.date(2025, 1, 6), kind=CalendarDay.Kind.HOLIDAY, name="假日")
    complaint = _on_friday(cmp, customer)
    assert complaint.assign_due_at == dt.datetime(2025, 1, 7, 18, 0, tzinfo=TZ)


def test_cmp_5_closing_deadline_counts_working_days_and_make_up_days(cmp, customer):
    CalendarDay.objects.create(date=dt.date(2025, 1, 4), kind=CalendarDay.Kind.WORKDAY, name="调休")
    complaint = _on_friday(cmp, customer)
    # 7 working days after Friday 3rd: Sat 4th (make-up), Mon 6th…Fri 10th, Mon 13th (without the
    # make-up day it would be Tuesday 14th).
    assert complaint.close_due_at == dt.datetime(2025, 1, 13, 18, 0, tzinfo=TZ)


def test_cmp_2_reminder_starts_the_lead_time_before_the_deadline(cmp, customer):
    complaint = _on_friday(cmp, customer)
    saturday = dt.datetime(2025, 1, 4, 12, 0, tzinfo=TZ)
    assert _sweep("CMP-2r", saturday).found == 0  # Monday 13:00 is the horizon: not yet
    assert _sweep("CMP-2r", dt.datetime(2025, 1, 6, 13, 59, tzinfo=TZ)).found == 0
    run = _sweep("CMP-2r", dt.datetime(2025, 1, 6, 14, 0, tzinfo=TZ))  # four working hours before 18:00
    assert run.applied == 1
    note = Notification.objects.get(recipient=cmp.head)
    assert "CMP-2r" in note.message and str(complaint.pk) in note.message
    assert complaint.events.filter(kind=ComplaintEvent.Kind.REMINDER).count() == 1
    assert _sweep("CMP-2r", dt.datetime(2025, 1, 6, 15, 0, tzinfo=TZ)).recorded == 0  # once per deadline


def test_cmp_2_breach_escalates_to_the_superior_and_is_a_violation_of_the_head(cmp, customer):
    complaint = _on_friday(cmp, customer)
    assert _sweep("CMP-2e", MONDAY_CLOSE).found == 0  # at the deadline itself: not yet breached
    late = MONDAY_CLOSE + dt.timedelta(minutes=1)
    assert _sweep("CMP-2e", late).applied == 1
    assert Notification.objects.filter(recipient=cmp.director, message__contains="CMP-2e").exists()
    assert _sweep("CMP-2", late).applied == 1
    violation = Violation.objects.get(person=cmp.head, rule_id="CMP-2")
    assert violation.amount == 20  # the bottom of service_complaint_fine
    assert violation.breach_key.startswith("CMP-2:complaint:") and violation.subject == complaint
    assert _sweep("CMP-2", late + dt.timedelta(hours=1)).recorded == 0  # the breach key is unique
    assert Violation.objects.filter(rule_id="CMP-2").count() == 1


def test_cmp_2_assigned_in_time_means_no_escalation(cmp, customer):
    complaint = _on_friday(cmp, customer)
    with time_machine.travel(MONDAY_CLOSE - dt.timedelta(hours=1), tick=False):
        assign(cmp.head, complaint)
    late = MONDAY_CLOSE + dt.timedelta(hours=1)
    assert _sweep("CMP-2e", late).found == 0 and _sweep("CMP-2", late).found == 0


def test_cmp_2_with_the_head_absent_the_reminder_goes_to_the_superior(cmp, customer):
    complaint = _on_friday(cmp, customer)
    User.objects.filter(pk=cmp.head.pk).update(status=User.Status.ABSENT, absent_until=dt.date(2025, 2, 1))
    with time_machine.travel(dt.datetime(2025, 1, 6, 14, 0, tzinfo=TZ), tick=False):
        run_sweep("CMP-2r")
    assert Notification.objects.filter(recipient=cmp.director, message__contains=f"#{complaint.pk}").exists()
    assert not Notification.objects.filter(recipient=cmp.head).exists()


def test_cmp_5_overdue_complaint_is_escalated_and_a_violation(cmp, customer):
    complaint = _on_friday(cmp, customer)
    with time_machine.travel(FRIDAY + dt.timedelta(hours=1), tick=False):
        assign(cmp.head, complaint)
    due = Complaint.objects.get(pk=complaint.pk).close_due_at
    assert due == dt.datetime(2025, 1, 14, 18, 0, tzinfo=TZ)
    assert _sweep("CMP-5r", dt.datetime(2025, 1, 14, 14, 0, tzinfo=TZ)).applied == 1
    late = due + dt.timedelta(seconds=1)
    assert _sweep("CMP-5e", late).applied == 1
    assert _sweep("CMP-5", late).applied == 1
    assert Violation.objects.filter(person=cmp.head, rule_id="CMP-5").count() == 1
    assert _sweep("CMP-5", late + dt.timedelta(days=1)).recorded == 0


def test_cmp_2_the_answerable_head_walks_up_past_a_vacant_post_and_skips_people_who_left(cmp, customer):
    team = DepartmentFactory(name="售后一组", parent=cmp.service_dept)  # no head post: the parent's head answers
    vacant = DepartmentFactory(name="售后二组", parent=cmp.service_dept)
    post = Position.objects.create(
        title="组长", department=vacant, role=Role.objects.get(code="department_head"), is_head=True
    )
    gone = UserFactory(username="gone", display_name="已离职", status=User.Status.LEFT)
    AssignmentFactory(user=gone, position=post)  # held only by someone who left: vacant
    second = Position.objects.create(
        title="副主管", department=cmp.service_dept, role=Role.objects.get(code="department_head"), is_head=True,
        sort_order=9,
    )  # fmt: skip
    AssignmentFactory(user=UserFactory(username="deputy"), position=second)  # after the head (post order)
    ids = [team.pk, vacant.pk, cmp.service_dept.pk, cmp.domestic.pk]
    many = sla.head_post_holders_many(ids)
    assert many[team.pk] == many[vacant.pk] == many[cmp.service_dept.pk]
    assert many[team.pk][0] == cmp.cs_head and [u.username for u in many[team.pk]] == ["cs_head", "deputy"]
    assert many[cmp.domestic.pk] == [cmp.head]
    assert sla.responsible_heads(ids) == {pk: sla.responsible_head(Department.objects.get(pk=pk)) for pk in ids}
    assert sla.acting_heads(ids) == {pk: sla.acting_head(Department.objects.get(pk=pk)) for pk in ids}
