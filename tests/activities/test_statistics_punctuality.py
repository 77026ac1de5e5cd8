"""回访及时率 counted in the database (ACT-2): the same figure as the schedule walked customer by customer."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import CustomerFactory
from tests.personas import Personas
from yingxiao.activities.models import Activity
from yingxiao.activities.return_visits import return_visit_punctuality
from yingxiao.activities.statistics import return_visit_punctuality_counts
from yingxiao.customers.models import Customer
from yingxiao.org.models import User

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2027, 5, 20)


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _world(p: Personas, seed: int) -> None:
    """Deal customers of three owners since 2026, with counted return visits at random gaps."""
    rng = random.Random(seed)
    owners = [(p.rep, p.domestic), (p.teammate, p.domestic), (p.other_rep, p.international)]
    for n in range(12):
        owner, department = owners[n % 3]
        since = dt.datetime(2026, 9, 1, 9, tzinfo=SH) + dt.timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 14))
        with time_machine.travel(since, tick=False):
            customer = CustomerFactory(owner=owner, department=department, registered_at=since)
            Customer.objects.filter(pk=customer.pk).update(stage=Customer.Stage.DEAL)
        at = since
        visits = []
        while True:
            at += dt.timedelta(days=rng.choice([0, 3, 20, 30, 31, 45, 60, 61, 75, 100]), hours=rng.randint(0, 20))
            if at.date() >= TODAY:
                break
            visits.append(
                Activity(
                    customer=customer,
                    staff=owner,
                    kind=Activity.Kind.CALL,
                    occurred_at=at,
                    subject="回访",
                    is_return_visit=True,
                    return_visit_counts=rng.random() > 0.15,
                )
            )
        if rng.random() > 0.3:
            visits.append(  # a visit before the customer became a deal does not count for the schedule
                Activity(
                    customer=customer,
                    staff=owner,
                    kind=Activity.Kind.CALL,
                    occurred_at=since - dt.timedelta(days=3),
                    subject="回访",
                    is_return_visit=True,
                    return_visit_counts=True,
                )
            )
        Activity.objects.bulk_create(visits)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_act_2_punctuality_counted_in_the_database_equals_the_walked_schedule(personas: Personas, seed: int) -> None:
    _world(personas, seed)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10), tzinfo=SH), tick=False):
        for persona in ("director", "head", "rep", "other_rep"):
            viewer = _fresh(getattr(personas, persona))
            month = dt.date(2026, 10, 1)
            while month <= TODAY:
                report = return_visit_punctuality(viewer, month)
                last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                counted = return_visit_punctuality_counts(viewer, month, last)
                assert counted == (report.total.on_time, report.total.due), (persona, month)
                month = last + dt.timedelta(days=1)


def test_act_2_punctuality_counts_over_several_months_and_a_department(personas: Personas) -> None:
    _world(personas, 4)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10), tzinfo=SH), tick=False):
        director = _fresh(personas.director)
        months = [dt.date(2027, m, 1) for m in (1, 2, 3)]
        reports = [return_visit_punctuality(director, m, department_id=personas.domestic.pk) for m in months]
        counted = return_visit_punctuality_counts(
            director, dt.date(2027, 1, 1), dt.date(2027, 3, 31), department_id=personas.domestic.pk
        )
        assert counted == (sum(r.total.on_time for r in reports), sum(r.total.due for r in reports))
        assert counted[1] > 0
