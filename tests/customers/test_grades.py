"""CUS-4 grade evaluations: problems found, the VIP downgrade deadline, the violation, review reminders."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

import yingxiao.customers.rules_relations  # noqa: F401 — registers CUS-4/10/13 until customers.rules imports it
from tests.customers import relations_support
from tests.customers.relations_support import at, customer_of
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.customers import services
from yingxiao.customers.models import Customer, GradeReview
from yingxiao.customers.relations import grades
from yingxiao.customers.relations.hooks import customer_changing
from yingxiao.performance.models import Violation
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import run_sweep

pytestmark = pytest.mark.django_db
people = relations_support.people  # shared fixture
downgrade_fine = relations_support.downgrade_fine  # shared fixture
HOOKED = "customer_changing" in inspect.getsource(services.customer_update)
EVALUATED = at(2026, 3, 2, 10, 0)


def vip(owner, **fields):
    return customer_of(owner, grade=Customer.Grade.VIP, registered_at=at(2025, 1, 1, 9, 0), **fields)


def evaluate(actor, customer, **kwargs):
    kwargs.setdefault("result_grade", Customer.Grade.PREFERRED)
    kwargs.setdefault("problems", ["late_payment"])
    kwargs.setdefault("apply_grade", False)
    with time_machine.travel(EVALUATED, tick=False):
        return grades.grade_review_record(actor=actor, customer=customer, **kwargs)


def test_cus_4_problem_vip_gets_a_downgrade_deadline_of_vip_downgrade_days(people, django_capture_on_commit_callbacks):
    customer = vip(people.rep)
    with django_capture_on_commit_callbacks(execute=True):
        review = evaluate(people.head, customer)
    assert review.grade_before == Customer.Grade.VIP and review.late_payment
    assert review.responsible == people.rep  # the owner answers for the downgrade
    assert review.downgrade_due_at == EVALUATED + dt.timedelta(days=5)
    assert review.downgraded_at is None
    customer.refresh_from_db()
    assert customer.grade == Customer.Grade.VIP
    assert Notification.objects.filter(recipient=people.rep, message__contains="CUS-4").exists()
    assert review.history.first().history_user == people.head


def test_cus_4_vip_with_problems_cannot_stay_vip(people):
    customer = vip(people.rep)
    with pytest.raises(BusinessError) as refused:
        evaluate(people.rep, customer, result_grade=Customer.Grade.VIP)
    assert refused.value.code == "customers.vip_with_problems"
    assert not GradeReview.objects.exists()


def test_cus_4_applying_the_result_now_downgrades_and_closes_the_deadline(people):
    customer = vip(people.rep)
    review = evaluate(people.rep, customer, apply_grade=True, result_grade=Customer.Grade.QUALIFIED)
    customer.refresh_from_db()
    assert customer.grade == Customer.Grade.QUALIFIED
    assert review.downgraded_at == EVALUATED
    assert customer.history.filter(history_type="~", history_change_reason__contains=f"#{review.pk}").exists()


def test_cus_4_evaluation_without_problems_may_keep_vip(people):
    customer = vip(people.rep)
    review = evaluate(people.rep, customer, problems=[], result_grade=Customer.Grade.VIP)
    assert review.downgrade_due_at is None


def test_cus_4_out_of_scope_customer_cannot_be_evaluated(people):
    customer = vip(people.other_rep)
    with pytest.raises(BusinessError) as refused:
        evaluate(people.rep, customer)
    assert refused.value.code == "core.not_found"


def test_cus_4_finance_without_the_permission_cannot_evaluate(people):
    with pytest.raises(PermissionDenied):
        evaluate(people.finance, vip(people.rep))


def _downgrade_results():
    return RuleResult.objects.filter(rule_id="CUS-4")


def test_cus_4_downgrade_overdue_is_a_violation_only_after_the_deadline(people, downgrade_fine):
    customer = vip(people.rep)
    review = evaluate(people.head, customer)
    due = review.downgrade_due_at
    run_sweep("CUS-4", as_of=due - dt.timedelta(minutes=1))
    run_sweep("CUS-4", as_of=due)
    assert not _downgrade_results().exists()  # day 5 itself is still in time
    run_sweep("CUS-4", as_of=due + dt.timedelta(minutes=1))
    result = _downgrade_results().get()
    assert result.person == people.rep and result.outcome == RuleResult.Outcome.APPLIED
    violation = Violation.objects.get(person=people.rep, rule_id="CUS-4")
    assert violation.amount == 100 and violation.breach_key == f"CUS-4:evaluation:{review.pk}"
    assert Violation.objects.filter(person=people.head, origin=violation).exists()  # DIS-1: the supervisor's double


def test_cus_4_dry_run_previews_the_violation_and_writes_nothing(people, downgrade_fine):
    review = evaluate(people.head, vip(people.rep))
    preview = run_sweep("CUS-4", as_of=review.downgrade_due_at + dt.timedelta(days=1), dry_run=True)
    assert any("downgrade:" in p.breach_key for p in preview.runs[0].previews)
    assert not RuleResult.objects.exists() and not Violation.objects.exists()


def test_cus_4_sweeping_twice_records_one_violation(people, downgrade_fine):
    review = evaluate(people.head, vip(people.rep))
    later = review.downgrade_due_at + dt.timedelta(days=1)
    run_sweep("CUS-4", as_of=later)
    again = run_sweep("CUS-4", as_of=later + dt.timedelta(hours=1))
    assert again.runs[0].recorded == 0
    assert Violation.objects.filter(rule_id="CUS-4", kind=Violation.Kind.OWN).count() == 1


def test_cus_4_downgrade_in_time_is_no_violation(people, downgrade_fine):
    review = evaluate(people.head, vip(people.rep))
    with time_machine.travel(review.downgrade_due_at - dt.timedelta(hours=1), tick=False):
        grades.grade_downgrade(actor=people.rep, review=review, grade=Customer.Grade.PREFERRED)
    run_sweep("CUS-4", as_of=review.downgrade_due_at + dt.timedelta(days=3))
    assert not _downgrade_results().exists() and not Violation.objects.exists()


def test_cus_4_late_downgrade_is_still_a_violation(people, downgrade_fine):
    review = evaluate(people.head, vip(people.rep))
    with time_machine.travel(review.downgrade_due_at + dt.timedelta(hours=2), tick=False):
        grades.grade_downgrade(actor=people.rep, review=review, grade=Customer.Grade.PREFERRED)
    run_sweep("CUS-4", as_of=review.downgrade_due_at + dt.timedelta(days=1))
    assert Violation.objects.filter(person=people.rep, rule_id="CUS-4").count() == 1


def test_cus_4_leaving_vip_by_an_edit_completes_the_pending_downgrade(people):
    customer = vip(people.rep)
    review = evaluate(people.head, customer)
    customer_changing(actor=people.rep, customer=customer, changes={"grade": Customer.Grade.QUALIFIED})
    review.refresh_from_db()
    assert review.downgraded_at is not None


@pytest.mark.skipif(not HOOKED, reason="needs the CUS-4/5/13 hook line in customers.services.customer_update")
def test_cus_4_archive_edit_of_the_grade_completes_the_downgrade(people):
    customer = vip(people.rep)
    review = evaluate(people.head, customer)
    services.customer_update(actor=people.rep, customer=customer, data={"grade": Customer.Grade.PREFERRED})
    review.refresh_from_db()
    assert review.downgraded_at is not None


def test_cus_4_evaluation_is_due_every_grade_review_months(people):
    customer = customer_of(people.rep, grade=Customer.Grade.PREFERRED, registered_at=at(2025, 12, 1, 9, 0))
    with time_machine.travel(at(2026, 1, 15, 9, 0), tick=False):
        grades.grade_review_record(actor=people.rep, customer=customer, result_grade=Customer.Grade.PREFERRED)
    run_sweep("CUS-4r", as_of=at(2026, 4, 15, 8, 59))
    assert not RuleResult.objects.filter(rule_id="CUS-4r").exists()
    run_sweep("CUS-4r", as_of=at(2026, 4, 15, 9, 0))
    result = RuleResult.objects.get(rule_id="CUS-4r", breach_key=f"{customer.pk}:review:2026-04-15")
    assert result.person == people.rep
    assert Notification.objects.filter(recipient=people.rep, message__contains="CUS-4").exists()
    assert Notification.objects.filter(recipient=people.head, message__contains="CUS-4").exists()
    run_sweep("CUS-4r", as_of=at(2026, 4, 16, 9, 0))  # the same due date is reminded once
    assert RuleResult.objects.filter(rule_id="CUS-4r").count() == 1


def test_cus_4_ungraded_customers_are_not_due(people):
    customer_of(people.rep, registered_at=at(2020, 1, 1, 9, 0))
    assert run_sweep("CUS-4r", as_of=at(2026, 4, 15, 9, 0), dry_run=True).found == 0


def test_cus_4_due_list_is_scoped(people):
    mine = customer_of(people.rep, grade=Customer.Grade.QUALIFIED, registered_at=at(2020, 1, 1, 9, 0))
    customer_of(people.other_rep, grade=Customer.Grade.QUALIFIED, registered_at=at(2020, 1, 1, 9, 0))
    assert [c.pk for c in grades.customers_due_for_review(people.rep)] == [mine.pk]


def test_cus_4_major_loss_tells_the_heads_and_suggests_the_blacklist(
    people, client, django_capture_on_commit_callbacks
):
    customer = vip(people.rep)
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(people.rep, customer, major_loss=True, problems=["business_crisis"])
    assert Notification.objects.filter(recipient=people.head, message__contains="CUS-3").exists()
    client.force_login(people.rep)
    page = client.get(f"/customers/{customer.pk}/relations/")
    assert page.status_code == 200
    assert b"suggest-blacklist" in page.content


def test_cus_4_add_months_clamps_to_the_month_end():
    assert grades.add_months(at(2026, 1, 31, 9, 0), 1) == at(2026, 2, 28, 9, 0)
    assert grades.add_months(at(2026, 1, 15, 9, 0), -3) == at(2025, 10, 15, 9, 0)


def test_cus_4_api_records_an_evaluation_and_hides_other_scopes(people, api_as):
    customer = vip(people.rep)
    other = vip(people.other_rep)
    api = api_as("rep")
    created = api.post(
        "/api/v1/grade-reviews/",
        {"customer": customer.pk, "result_grade": "preferred", "problems": ["late_payment"], "apply_grade": False},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["downgrade_due_at"]
    refused = api.post("/api/v1/grade-reviews/", {"customer": other.pk, "result_grade": "preferred"}, format="json")
    assert refused.status_code == 400
    assert api.get(f"/api/v1/grade-reviews/{created.json()['id']}/").status_code == 200
    assert api_as("other_rep").get(f"/api/v1/grade-reviews/{created.json()['id']}/").status_code == 404
    stay_vip = api.post(
        "/api/v1/grade-reviews/",
        {"customer": customer.pk, "result_grade": "vip", "problems": ["late_payment"]},
        format="json",
    )
    assert stay_vip.status_code == 400 and stay_vip.json()["code"] == "customers.vip_with_problems"
