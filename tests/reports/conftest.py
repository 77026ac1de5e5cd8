"""A small world for the dashboards: October 2026 (and October 2025) in both departments.

国内部: rep and teammate; 国际部: other_rep. Each KPI gets rows on both sides of the scope line,
so a figure that leaked out-of-scope rows would differ from the head's and the rep's drill-down.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import CustomerFactory
from tests.personas import Personas
from yingxiao.activities.models import Activity
from yingxiao.activities.services import activity_log
from yingxiao.customers.models import Customer
from yingxiao.org.models import User
from yingxiao.performance.models import Violation
from yingxiao.service.models import Complaint
from yingxiao.telesales.models import CallEntry, CallList, CallLog
from yingxiao.telesales.summary import add_call

SH = ZoneInfo("Asia/Shanghai")
PERIOD = "2026-10"


def at(day: int, month: int = 10, year: int = 2026, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=SH)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _customer(owner, department, when, stage=Customer.Stage.POTENTIAL, **extra) -> Customer:
    with time_machine.travel(when, tick=False):
        return CustomerFactory(owner=owner, department=department, registered_at=when, stage=stage, **extra)


def _complaint(p, customer, department, due, closed=None, recorder=None) -> Complaint:
    return Complaint.objects.create(
        customer=customer,
        complainant="王先生",
        contact="13900001111",
        matter="送货迟到",
        category=Complaint.Category.SERVICE,
        responsible_department=department,
        status=Complaint.Status.CLOSED if closed else Complaint.Status.ASSIGNED,
        assign_due_at=due - dt.timedelta(days=3),
        close_due_at=due,
        closed_at=closed,
        recorded_by=recorder or p.head,
    )


def _call(agent, department, when, outcome) -> CallLog:
    call_list = CallList.objects.create(name="名单", owner=agent, department=department, created_by=agent)
    entry = CallEntry.objects.create(
        call_list=call_list,
        row_number=2,
        name="电话客户",
        phone="13700000000",
        phone_normalized="13700000000",
        agent=agent,
        department=department,
    )
    call = CallLog.objects.create(entry=entry, agent=agent, department=department, started_at=when, outcome=outcome)
    add_call(call)  # what ``telesales.services.call_log`` does in the call's transaction (TEL-4 day row)
    return call


def _violation(person, department, when, amount="100", status=Violation.Status.APPROVED) -> Violation:
    return Violation.objects.create(
        person=person,
        department=department,
        rule_id="ACT-2",
        evidence="回访超期",
        amount=Decimal(amount),
        status=status,
        recorded_at=when,
    )


@pytest.fixture
def world(personas: Personas) -> Personas:
    p = personas
    # Customers registered in October 2026 (2 deals domestic, 1 international) and one unowned.
    _customer(p.rep, p.domestic, at(3), Customer.Stage.DEAL, name="甲公司")
    _customer(p.rep, p.domestic, at(5), Customer.Stage.INTENT, name="乙公司")
    _customer(p.teammate, p.domestic, at(7), Customer.Stage.DEAL, name="丁公司")
    _customer(None, p.domestic, at(8), name="无主公司")
    _customer(p.other_rep, p.international, at(9), Customer.Stage.DEAL, name="丙公司")
    _customer(p.other_rep, p.international, at(10), Customer.Stage.LOST, name="戊公司")
    # The same month a year earlier.
    _customer(p.rep, p.domestic, at(4, year=2025), name="旧甲公司")
    _customer(p.other_rep, p.international, at(4, year=2025), name="旧丙公司")
    # Deal customers since August: their return visits fall due in October (ACT-2).
    served = _customer(p.rep, p.domestic, at(1, month=9), Customer.Stage.DEAL, name="回访甲")
    _customer(p.rep, p.domestic, at(2, month=9), Customer.Stage.DEAL, name="回访乙")
    _customer(p.other_rep, p.international, at(1, month=9), Customer.Stage.DEAL, name="回访丙")
    with time_machine.travel(at(1), tick=False):
        activity_log(
            actor=fresh(p.rep),
            customer=served,
            kind=Activity.Kind.CALL,
            occurred_at=at(1),
            subject="回访",
            result="满意",
            is_return_visit=True,
        )
    # Complaints due to close in October: domestic one on time, one late; international one open.
    rep_customer = Customer.objects.get(name="甲公司")
    intl_customer = Customer.objects.get(name="丙公司")
    _complaint(p, rep_customer, p.domestic, at(12), closed=at(11))
    _complaint(p, rep_customer, p.domestic, at(15), closed=at(18))
    _complaint(p, intl_customer, p.international, at(20), recorder=p.other_rep)
    # Telesales calls in October: connected with and without a follow-up, and one not connected.
    _call(p.rep, p.domestic, at(6), CallLog.Outcome.INTENT_A)
    _call(p.rep, p.domestic, at(6, hour=11), CallLog.Outcome.NOT_INTERESTED)
    _call(p.rep, p.domestic, at(6, hour=12), CallLog.Outcome.NO_ANSWER)
    _call(p.other_rep, p.international, at(7), CallLog.Outcome.APPOINTMENT)
    # Violations recorded in October (a rejected one does not count).
    _violation(p.rep, p.domestic, at(13), "200")
    _violation(p.other_rep, p.international, at(14), "300")
    _violation(p.teammate, p.domestic, at(14), "50", status=Violation.Status.REJECTED)
    return p
