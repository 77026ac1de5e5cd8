"""HR-9 training plans, sessions, attendance and assessment (feeding performance); ORG-6 probation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from tests.factories import CustomerFactory
from yingxiao.core.errors import BusinessError
from yingxiao.core.notifications import Notification
from yingxiao.customers.models import Customer
from yingxiao.performance import evaluations
from yingxiao.policy.registry import run_sweep
from yingxiao.training import probation, services
from yingxiao.training.models import Attendance, Onboarding, TrainingNeed, TrainingPlan, TrainingSession

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=2):
    return dt.datetime(year, month, day, hour, 0, tzinfo=dt.UTC)


def session(hr, starts=None):
    starts = starts or at(2025, 5, 10)
    return services.session_create(
        actor=hr, title="产品知识培训", starts_at=starts, ends_at=starts + dt.timedelta(hours=2), place="会议室"
    )


def test_hr_9_annual_quarterly_monthly_plans(personas, hr):
    annual = services.plan_create(actor=hr, period="annual", year=2025, title="年度培训计划", number=3)
    assert (annual.number, annual.period_label) == (None, "2025")
    quarterly = services.plan_create(actor=hr, period="quarterly", year=2025, number=2, title="二季度销售技巧")
    assert quarterly.period_label == "2025 Q2"
    for bad in ({"period": "quarterly", "number": 5}, {"period": "monthly", "number": None}, {"period": "weekly"}):
        with pytest.raises(BusinessError) as error:
            services.plan_create(actor=hr, year=2025, title="x", **{"number": 1, **bad})
        assert error.value.code == "training.bad_period"
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=personas.rep, period="annual", year=2025, title="自己的计划")
    assert TrainingPlan.objects.count() == 2


def test_hr_9_session_times_in_order(personas, hr):
    with pytest.raises(BusinessError) as error:
        services.session_create(actor=hr, title="倒序", starts_at=at(2025, 5, 10), ends_at=at(2025, 5, 9))
    assert error.value.code == "training.bad_times"
    assert not TrainingSession.objects.exists()


def test_hr_9_attendance_and_assessment_scores(personas, hr):
    course = session(hr)
    record = services.attendance_record(actor=hr, session=course, person=personas.rep, attended=True, score="88.5")
    assert (record.attended, record.score) == (True, Decimal("88.50"))
    course.refresh_from_db()
    assert course.status == TrainingSession.Status.HELD
    for bad in ({"attended": True, "score": "101"}, {"attended": False, "score": "80"}):
        with pytest.raises(BusinessError) as error:
            services.attendance_record(actor=hr, session=course, person=personas.teammate, **bad)
        assert error.value.code == "training.bad_score"
    # A head records for the department only.
    with pytest.raises(BusinessError) as error:
        services.attendance_record(actor=personas.head, session=course, person=personas.other_rep, attended=True)
    assert error.value.code == "training.not_allowed"
    assert Attendance.objects.count() == 1


def test_hr_9_assessment_feeds_the_performance_evaluation(personas, hr):
    course = session(hr, at(2025, 5, 10))
    later = session(hr, at(2025, 5, 20))
    services.attendance_record(actor=hr, session=course, person=personas.rep, attended=True, score="80")
    services.attendance_record(actor=hr, session=later, person=personas.rep, attended=True, score="91")
    with time_machine.travel(at(2025, 6, 2), tick=False):
        evaluation = evaluations.evaluation_prepare(actor=personas.head, person=personas.rep, month=dt.date(2025, 5, 1))
    item = evaluation.items.get(code="training")
    assert (item.source, item.score) == ("computed", Decimal("85.50"))
    assert item.sources == [{"model": "training.Attendance", "ids": sorted(a.pk for a in Attendance.objects.all())}]


def test_hr_9_attending_closes_open_training_needs(personas, hr):
    need, created = services.training_need_raise(
        person_id=personas.rep.pk, reason="排名末位", rule_id="PRF-4", key="PRF-4:test"
    )
    again, created_again = services.training_need_raise(
        person_id=personas.rep.pk, reason="排名末位", rule_id="PRF-4", key="PRF-4:test"
    )
    assert (created, created_again, again.pk) == (True, False, need.pk)
    course = session(hr)
    services.attendance_record(actor=hr, session=course, person=personas.rep, attended=True)
    need.refresh_from_db()
    assert (need.status, need.session) == (TrainingNeed.Status.DONE, course)


def test_hr_9_training_scope(personas, hr, client, api_as):
    course = session(hr)
    services.attendance_record(actor=hr, session=course, person=personas.rep, attended=True, score="70")
    services.attendance_record(actor=hr, session=course, person=personas.other_rep, attended=True, score="60")
    rows = api_as("rep").get("/api/v1/training/attendance/").json()["results"]
    assert [row["person"] for row in rows] == [personas.rep.pk]
    other = Attendance.objects.get(person=personas.other_rep)
    assert api_as("head").get(f"/api/v1/training/attendance/{other.pk}/").status_code == 404
    assert api_as("director").get(f"/api/v1/training/attendance/{other.pk}/").status_code == 200
    assert api_as("rep").get("/api/v1/training/sessions/").json()["count"] == 1  # sessions are company-wide
    client.force_login(personas.rep)
    assert client.get("/training/").status_code == 200
    assert client.get(f"/training/sessions/{course.pk}/").status_code == 200
    assert client.get("/training/onboarding/").status_code == 200


# --- ORG-6 probation ----------------------------------------------------------------------------
def start(hr, person, mentor, started_on):
    return services.onboarding_start(actor=hr, person=person, mentor=mentor, started_on=started_on)


def test_org_6_onboarding_takes_mentor_and_the_policy_probation(personas, hr):
    row = services.onboarding_start(
        actor=hr, person=personas.teammate, mentor=personas.rep, started_on=dt.date(2025, 3, 31)
    )
    assert (row.probation_months, row.required_sales) == (2, 5)  # probation_months, probation_sales
    assert row.ends_on == dt.date(2025, 5, 31)
    assert row.status == Onboarding.Status.IN_PROBATION
    with pytest.raises(BusinessError) as error:
        services.onboarding_start(
            actor=hr, person=personas.teammate, mentor=personas.rep, started_on=dt.date(2025, 4, 1)
        )
    assert error.value.code == "training.already_onboarded"
    with pytest.raises(BusinessError) as error:
        services.onboarding_start(
            actor=hr, person=personas.other_rep, mentor=personas.other_rep, started_on=dt.date(2025, 4, 1)
        )
    assert error.value.code == "training.self_mentor"
    # The mentor sees the mentee's onboarding; another rep does not.
    assert Onboarding.objects.restrict(personas.rep).filter(pk=row.pk).exists()
    assert not Onboarding.objects.restrict(personas.other_rep).filter(pk=row.pk).exists()


def _convert(owner, department, when, count):
    """``count`` customers of ``owner`` become deals (成交) at ``when``."""
    with time_machine.travel(when, tick=False):
        for number in range(count):
            customer = CustomerFactory(name=f"新客户{number}{when:%m%d}", owner=owner, department=department)
            customer.stage = Customer.Stage.DEAL
            customer.save()


def test_org_6_probation_not_met_is_flagged_at_the_end(personas, hr, django_capture_on_commit_callbacks):
    started = dt.date(2025, 3, 1)
    row = services.onboarding_start(actor=hr, person=personas.teammate, mentor=personas.rep, started_on=started)
    _convert(personas.teammate, personas.domestic, at(2025, 4, 10), 4)  # 4 < probation_sales 5
    _convert(personas.teammate, personas.domestic, at(2025, 5, 10), 1)  # after the end: does not count
    assert probation.closed_sales(personas.teammate.pk, row.started_on, row.ends_on) == 4

    run_sweep("ORG-6", as_of=at(2025, 5, 1))  # the last day of probation: not concluded yet
    row.refresh_from_db()
    assert row.status == Onboarding.Status.IN_PROBATION

    run_sweep("ORG-6", as_of=at(2025, 5, 2))
    run_sweep("ORG-6", as_of=at(2025, 5, 3))  # idempotent
    row.refresh_from_db()
    assert (row.status, row.closed_sales) == (Onboarding.Status.FLAGGED, 4)
    assert Notification.objects.filter(recipient=hr).count() == 1
    assert Notification.objects.filter(recipient=personas.rep).count() == 1  # the mentor


def test_org_6_probation_met_passes(personas, hr):
    row = services.onboarding_start(
        actor=hr, person=personas.teammate, mentor=personas.rep, started_on=dt.date(2025, 3, 1)
    )
    _convert(personas.teammate, personas.domestic, at(2025, 4, 10), 5)
    run_sweep("ORG-6", as_of=at(2025, 5, 2))
    row.refresh_from_db()
    assert (row.status, row.closed_sales) == (Onboarding.Status.PASSED, 5)


def test_org_6_closed_sales_counter_is_pluggable(personas, hr):
    row = services.onboarding_start(
        actor=hr, person=personas.teammate, mentor=personas.rep, started_on=dt.date(2025, 3, 1)
    )
    probation.set_closed_sales_counter(lambda person_id, start, end: 7)
    try:
        run_sweep("ORG-6", as_of=at(2025, 5, 2))
    finally:
        probation.set_closed_sales_counter(None)
    row.refresh_from_db()
    assert (row.status, row.closed_sales) == (Onboarding.Status.PASSED, 7)
