"""Complaint lifecycle (CMP-1…CMP-6): intake, responsibility, solution approval, progress, survey, closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from yingxiao.approvals.services import approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.performance.models import Violation
from yingxiao.service import services
from yingxiao.service.models import Complaint, ComplaintEvent, Solution, Survey

from .conftest import QUALITY, assign, fresh, make_complaint

pytestmark = pytest.mark.django_db
TOMORROW = timezone.localdate() + dt.timedelta(days=3)


def _propose(cmp, complaint, **extra):
    return services.solution_propose(
        actor=fresh(cmp.head), complaint=complaint, measures="补发两台并上门安装", deadline=TOMORROW, **extra
    )


def _executing(cmp, customer, **extra):
    complaint = assign(cmp.head, make_complaint(cmp.cs, customer, **extra))
    _propose(cmp, complaint)
    complaint.refresh_from_db()
    services.solution_decide(actor=fresh(cmp.director), complaint=complaint, decision="approve")
    complaint.refresh_from_db()
    return complaint


def test_cmp_1_phone_intake_records_time_complainant_matter_contact_category(cmp, customer):
    at = timezone.now() - dt.timedelta(hours=1)
    complaint = make_complaint(cmp.cs, customer, received_at=at, channel="phone")
    assert (complaint.complainant, complaint.contact, complaint.category) == ("王先生", "13900001111", "service")
    assert complaint.received_at == at and complaint.channel == "phone"
    assert complaint.status == Complaint.Status.RECEIVED
    assert complaint.responsible_department == cmp.domestic  # the customer's department by default
    event = complaint.events.get()
    assert (event.kind, event.to_status, event.actor) == ("status", "received", cmp.cs)


def test_cmp_1_quality_complaint_requires_its_details(cmp, customer):
    with pytest.raises(BusinessError) as caught:
        make_complaint(cmp.cs, customer, category="quality", product="")
    assert caught.value.code == "service.quality_details"
    assert not Complaint.objects.exists()
    complaint = make_complaint(cmp.cs, customer, category="quality")
    assert complaint.invoice_no == QUALITY["invoice_no"] and complaint.quantity == Decimal("2")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("category", "price", "service.bad_category"),
        ("matter", "  ", "service.required"),
        ("complainant", "", "service.required"),
    ],
)
def test_cmp_1_bad_intake_is_refused(cmp, customer, field, value, code):
    with pytest.raises(BusinessError) as caught:
        if field == "category":
            make_complaint(cmp.cs, customer, category=value)
        else:
            make_complaint(cmp.cs, customer, **{field: value})
    assert caught.value.code == code
    assert not Complaint.objects.exists()


def test_cmp_1_a_rep_cannot_log_a_complaint_for_a_customer_outside_their_scope(cmp, intl_customer):
    with pytest.raises(BusinessError) as caught:
        services.intake_customer(fresh(cmp.rep), intl_customer.pk)
    assert caught.value.status == 404
    assert services.intake_customer(fresh(cmp.cs), intl_customer.pk) == intl_customer  # customer service: any


def test_cmp_2_responsible_department_defines_responsibility_and_plan(cmp, customer):
    complaint = assign(cmp.head, make_complaint(cmp.cs, customer))
    assert complaint.status == Complaint.Status.ASSIGNED and complaint.assigned_at is not None
    assert complaint.cause == "delivery" and complaint.plan == "三日内补发"
    assert list(complaint.events.values_list("to_status", flat=True)) == ["received", "assigned"]


@pytest.mark.parametrize("who", ["other_rep", "rep", "cs"])
def test_cmp_2_only_the_responsible_department_assigns(cmp, customer, who):
    complaint = make_complaint(cmp.cs, customer)
    with pytest.raises(BusinessError) as caught:
        assign(getattr(cmp, who), complaint)
    assert caught.value.code == "service.not_handler"
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RECEIVED and complaint.events.count() == 1


def test_cmp_3_solution_is_approved_by_the_director_through_the_approvals_engine(cmp, customer):
    complaint = assign(cmp.head, make_complaint(cmp.cs, customer))
    solution = _propose(cmp, complaint)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.SOLUTION
    assert solution.approval.current_approver == cmp.director and solution.approval.request_type == "complaint_solution"
    with pytest.raises(BusinessError) as caught:
        services.solution_decide(actor=fresh(cmp.head), complaint=complaint, decision="approve")
    assert caught.value.code == "service.not_approver"
    services.solution_decide(actor=fresh(cmp.director), complaint=complaint, decision="approve", note="同意")
    complaint.refresh_from_db()
    solution.refresh_from_db()
    assert solution.status == Solution.Status.APPROVED and complaint.status == Complaint.Status.EXECUTING
    assert complaint.events.filter(to_status="executing", actor=cmp.director).exists()


def test_cmp_3_approval_from_the_approvals_inbox_moves_the_complaint_too(cmp, customer):
    complaint = assign(cmp.head, make_complaint(cmp.cs, customer))
    solution = _propose(cmp, complaint)
    approval_decide(actor=fresh(cmp.director), instance=solution.approval, decision="approve")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.EXECUTING


def test_cmp_3_a_rejected_solution_goes_back_to_the_department(cmp, customer):
    complaint = assign(cmp.head, make_complaint(cmp.cs, customer))
    _propose(cmp, complaint)
    complaint.refresh_from_db()
    services.solution_decide(actor=fresh(cmp.director), complaint=complaint, decision="reject", note="措施不足")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ASSIGNED
    assert complaint.solutions.get().status == Solution.Status.REJECTED
    again = _propose(cmp, complaint)  # a new solution can be proposed
    assert again.status == Solution.Status.PENDING


def test_cmp_4_progress_messages_to_the_customer_are_recorded_during_execution(cmp, customer):
    complaint = make_complaint(cmp.cs, customer)
    with pytest.raises(BusinessError) as caught:
        services.complaint_progress(actor=fresh(cmp.cs), complaint=complaint, message="处理中")
    assert caught.value.code == "service.bad_transition"
    complaint = _executing(cmp, customer)
    event = services.complaint_progress(actor=fresh(cmp.cs), complaint=complaint, message="已安排补发", channel="电话")
    assert (event.kind, event.message, event.channel) == (ComplaintEvent.Kind.PROGRESS, "已安排补发", "电话")


def test_cmp_5_verification_call_survey_then_close(cmp, customer, django_capture_on_commit_callbacks):
    complaint = _executing(cmp, customer)
    survey = services.survey_record(actor=fresh(cmp.cs), complaint=complaint, satisfaction=4, comments="满意")
    assert survey.called_by == cmp.cs and survey.satisfaction == Survey.Satisfaction.SATISFIED
    complaint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.complaint_close(actor=fresh(cmp.cs), complaint=complaint)
    assert closed.status == Complaint.Status.CLOSED and closed.closed_at is not None
    assert list(closed.events.filter(kind="status").values_list("to_status", flat=True)) == [
        "received", "assigned", "solution", "executing", "verifying", "closed",
    ]  # fmt: skip
    assert cmp.rep.notifications.exists()  # the customer's owner is told


def test_cmp_5_closing_without_an_approved_solution_is_refused_and_changes_nothing(cmp, customer):
    complaint = assign(cmp.head, make_complaint(cmp.cs, customer))
    _propose(cmp, complaint)  # pending, not approved
    complaint.refresh_from_db()
    before = (complaint.status, complaint.version, complaint.events.count())
    with pytest.raises(BusinessError) as caught:
        services.complaint_close(actor=fresh(cmp.cs), complaint=complaint)
    assert caught.value.code == "service.no_approved_solution"
    complaint.refresh_from_db()
    assert (complaint.status, complaint.version, complaint.events.count()) == before


def test_cmp_5_closing_without_a_survey_is_refused_and_changes_nothing(cmp, customer):
    complaint = _executing(cmp, customer)
    before = (complaint.status, complaint.version, complaint.events.count())
    with pytest.raises(BusinessError) as caught:
        services.complaint_close(actor=fresh(cmp.cs), complaint=complaint)
    assert caught.value.code == "service.no_survey"
    complaint.refresh_from_db()
    assert (complaint.status, complaint.version, complaint.events.count()) == before


def test_cmp_5_the_transition_table_refuses_skipping_steps(cmp, customer):
    complaint = make_complaint(cmp.cs, customer)
    with pytest.raises(BusinessError) as caught:
        services.survey_record(actor=fresh(cmp.cs), complaint=complaint, satisfaction=5)
    assert caught.value.code == "service.bad_transition"
    assert not Survey.objects.exists()
    assert complaint.TRANSITIONS[Complaint.Status.RECEIVED] == (Complaint.Status.ASSIGNED,)


def test_cmp_5_a_stale_complaint_object_cannot_move_twice(cmp, customer):
    complaint = make_complaint(cmp.cs, customer)
    stale = Complaint.objects.get(pk=complaint.pk)
    assign(cmp.head, complaint)
    with pytest.raises(BusinessError):
        assign(cmp.head, stale)
    assert Complaint.objects.get(pk=complaint.pk).events.filter(to_status="assigned").count() == 1


def _attributable(cmp, customer, category="quality"):
    complaint = assign(cmp.head, make_complaint(cmp.cs, customer, category=category), cause="product_defect")
    _propose(cmp, complaint, attributable=True, attributed_to=cmp.rep)
    complaint.refresh_from_db()
    return complaint


@pytest.mark.parametrize("amount", ["199.99", "1500.01", "abc", None])
def test_cmp_6_fine_outside_the_quality_range_is_refused_nothing_changes(cmp, customer, amount):
    complaint = _attributable(cmp, customer)
    with pytest.raises(BusinessError) as caught:
        services.solution_decide(actor=fresh(cmp.director), complaint=complaint, decision="approve", fine_amount=amount)
    assert caught.value.code == "service.fine_out_of_range"
    complaint.refresh_from_db()
    solution = complaint.solutions.get()
    assert (
        complaint.status == Complaint.Status.SOLUTION and solution.status == "pending" and solution.fine_amount is None
    )
    assert not Violation.objects.exists()


def test_cmp_6_attributable_complaint_becomes_a_violation_at_the_amount_chosen(cmp, customer):
    complaint = _attributable(cmp, customer)
    services.solution_decide(actor=fresh(cmp.director), complaint=complaint, decision="approve", fine_amount="800")
    violation = Violation.objects.get(person=cmp.rep)
    assert (violation.rule_id, violation.amount, violation.subject) == ("CMP-6", Decimal("800.00"), complaint)
    assert violation.status == Violation.Status.APPROVED  # the director chose it: it counts at once
    solution = complaint.solutions.get()
    assert solution.violation == violation and solution.fine_set_by == cmp.director
    assert Violation.objects.filter(person=cmp.head, kind="supervisor").exists()  # DIS-1: the supervisor's share


def test_cmp_6_service_complaints_use_the_service_fine_range(cmp, customer):
    complaint = _attributable(cmp, customer, category="service")
    with pytest.raises(BusinessError):
        services.solution_decide(actor=fresh(cmp.director), complaint=complaint, decision="approve", fine_amount="200")
    services.solution_decide(actor=fresh(cmp.director), complaint=complaint, decision="approve", fine_amount="100")
    assert Violation.objects.get(person=cmp.rep).amount == Decimal("100.00")


def test_cmp_6_approving_an_attributable_solution_without_a_fine_elsewhere_is_refused(cmp, customer):
    complaint = _attributable(cmp, customer)
    solution = complaint.solutions.get()
    with pytest.raises(BusinessError) as caught:
        approval_decide(actor=fresh(cmp.director), instance=solution.approval, decision="approve")
    assert caught.value.code == "service.fine_required"
    complaint.refresh_from_db()
    solution.refresh_from_db()
    assert complaint.status == Complaint.Status.SOLUTION and solution.approval.status == "pending"
