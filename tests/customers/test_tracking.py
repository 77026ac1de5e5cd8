"""CUS-10 tracking sheets of A/B customers, reviewed by the supervisor every tracking_review_days."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

import yingxiao.customers.rules_relations  # noqa: F401 — registers CUS-4/10/13 until customers.rules imports it
from tests.customers import relations_support
from tests.customers.relations_support import at, customer_of
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.customers.models import Customer, TrackingReview, TrackingSheet
from yingxiao.customers.relations import tracking
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import run_sweep

pytestmark = pytest.mark.django_db
people = relations_support.people  # shared fixture
WRITTEN = at(2026, 3, 2, 10, 0)


def hot(owner, intent=Customer.Intent.A):
    return customer_of(owner, intent=intent, registered_at=at(2026, 1, 5, 9, 0))


def write(actor, customer, when=WRITTEN):
    with time_machine.travel(when, tick=False):
        return tracking.tracking_sheet_create(
            actor=actor,
            customer=customer,
            goal="三月内签下首单",
            steps=[
                {"planned_on": "2026-03-05", "action": "上门演示"},
                {"planned_on": dt.date(2026, 3, 12), "action": "报价"},
            ],
        )


def test_cus_10_owner_writes_a_sheet_with_steps(people):
    sheet = write(people.rep, hot(people.rep))
    assert [s.action for s in sheet.steps.all()] == ["上门演示", "报价"]
    assert sheet.history.first().history_user == people.rep


def test_cus_10_only_a_and_b_customers_need_a_sheet(people):
    with pytest.raises(BusinessError) as refused:
        write(people.rep, hot(people.rep, intent=Customer.Intent.C))
    assert refused.value.code == "customers.tracking_not_needed"


def test_cus_10_one_sheet_per_customer(people):
    customer = hot(people.rep)
    write(people.rep, customer)
    with pytest.raises(BusinessError) as refused:
        write(people.rep, customer)
    assert refused.value.code == "customers.tracking_exists"


def test_cus_10_a_step_without_a_date_writes_nothing(people):
    with pytest.raises(Exception):  # noqa: B017 — a ValidationError naming the step
        tracking.tracking_sheet_create(
            actor=people.rep, customer=hot(people.rep), goal="x", steps=[{"planned_on": "", "action": "a"}]
        )
    assert not TrackingSheet.objects.exists()


def test_cus_10_the_owner_does_not_review_their_own_sheet(people):
    sheet = write(people.rep, hot(people.rep))
    with pytest.raises(Exception):  # noqa: B017 — reps lack the supervisor's permission
        tracking.tracking_sheet_review(actor=people.rep, sheet=sheet, comment="ok")
    customer = hot(people.head)
    own = write(people.head, customer)
    with pytest.raises(BusinessError) as refused:
        tracking.tracking_sheet_review(actor=people.head, sheet=own, comment="ok")
    assert refused.value.code == "customers.tracking_self_review"


def test_cus_10_missing_sheet_reminds_the_owner_once_a_week(people):
    customer = hot(people.rep)
    hot(people.rep, intent=Customer.Intent.C)
    preview = run_sweep("CUS-10", as_of=at(2026, 3, 2, 9, 0), dry_run=True)
    assert preview.found == 1 and not RuleResult.objects.exists() and not Notification.objects.exists()
    run_sweep("CUS-10", as_of=at(2026, 3, 2, 9, 0))
    run_sweep("CUS-10", as_of=at(2026, 3, 4, 9, 0))  # same ISO week: no second reminder
    assert RuleResult.objects.filter(rule_id="CUS-10").count() == 1
    assert Notification.objects.filter(recipient=people.rep, message__contains=customer.name).count() == 1
    run_sweep("CUS-10", as_of=at(2026, 3, 9, 9, 0))  # next week
    assert RuleResult.objects.filter(rule_id="CUS-10").count() == 2


def test_cus_10_review_overdue_after_tracking_review_days_reminds_the_supervisor(people):
    customer = hot(people.rep)
    write(people.rep, customer)
    run_sweep("CUS-10", as_of=WRITTEN + dt.timedelta(days=7, seconds=-1))
    assert not RuleResult.objects.exists()
    run_sweep("CUS-10", as_of=WRITTEN + dt.timedelta(days=7))
    result = RuleResult.objects.get(rule_id="CUS-10")
    assert result.person == people.head and result.breach_key == f"{customer.pk}:review:2026-03-09"
    assert Notification.objects.filter(recipient=people.head, message__contains="CUS-10").exists()


def test_cus_10_a_review_moves_the_next_due_date(people):
    customer = hot(people.rep)
    sheet = write(people.rep, customer)
    with time_machine.travel(WRITTEN + dt.timedelta(days=6), tick=False):
        review = tracking.tracking_sheet_review(actor=people.head, sheet=sheet, comment="跟进到位")
    assert TrackingReview.objects.get() == review
    sheet.refresh_from_db()
    assert sheet.last_reviewed_by == people.head
    assert tracking.review_due_at(sheet) == WRITTEN + dt.timedelta(days=13)
    assert run_sweep("CUS-10", as_of=WRITTEN + dt.timedelta(days=12), dry_run=True).found == 0
    assert run_sweep("CUS-10", as_of=WRITTEN + dt.timedelta(days=13), dry_run=True).found == 1


def test_cus_10_no_reminder_once_the_sheet_exists(people):
    customer = hot(people.rep)
    found = run_sweep("CUS-10", as_of=at(2026, 3, 2, 9, 0), dry_run=True)
    assert found.found == 1
    write(people.rep, customer)
    run_sweep("CUS-10", as_of=at(2026, 3, 2, 11, 0))  # the sheet exists now: nothing to remind of
    assert not Notification.objects.filter(recipient=people.rep).exists()


def test_cus_10_steps_are_added_and_done(people):
    sheet = write(people.rep, hot(people.rep))
    step = tracking.tracking_step_add(actor=people.rep, sheet=sheet, planned_on="2026-03-20", action="回访")
    done = tracking.tracking_step_done(actor=people.rep, step=step, result="客户确认预算")
    assert done.done_on is not None and done.result == "客户确认预算"
    with pytest.raises(BusinessError) as refused:
        tracking.tracking_step_add(actor=people.other_rep, sheet=sheet, planned_on="2026-03-20", action="x")
    assert refused.value.code == "core.not_found"


def test_cus_10_api_creates_reviews_and_scopes(people, api_as):
    customer = hot(people.rep)
    created = api_as("rep").post(
        "/api/v1/tracking-sheets/",
        {"customer": customer.pk, "goal": "首单", "steps": [{"planned_on": "2026-03-05", "action": "演示"}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    sheet_id = created.json()["id"]
    reviewed = api_as("head").post(f"/api/v1/tracking-sheets/{sheet_id}/review/", {"comment": "好"}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["last_reviewed_by"] == people.head.pk
    assert api_as("other_rep").get(f"/api/v1/tracking-sheets/{sheet_id}/").status_code == 404
    not_needed = api_as("rep").post(
        "/api/v1/tracking-sheets/", {"customer": hot(people.rep, Customer.Intent.C).pk, "goal": "x"}, format="json"
    )
    assert not_needed.json()["code"] == "customers.tracking_not_needed"


def test_cus_10_pages(people, client):
    customer = hot(people.rep)
    client.force_login(people.rep)
    panel = client.get(f"/customers/{customer.pk}/relations/")
    assert b'data-testid="tracking-form"' in panel.content
    client.post(f"/customers/{customer.pk}/tracking/", {"goal": "首单", "planned_on": "2026-03-05", "action": "演示"})
    assert TrackingSheet.objects.filter(customer=customer).exists()
    client.force_login(people.head)
    assert client.get("/customers/tracking/").status_code == 200
