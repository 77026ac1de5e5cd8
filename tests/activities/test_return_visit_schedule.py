"""ACT-2: the return-visit schedule tables (``DealStart``, ``ReturnVisitLink``) that PostgreSQL's triggers
keep, and 回访及时率 counted from them — exact after every way of writing history and contacts, and equal to
the reference statement and to the schedule walked customer by customer."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tests.factories import CustomerFactory
from tests.personas import Personas
from yingxiao.activities.models import (
    Activity,
    DealStart,
    ReturnVisitAnchor,
    ReturnVisitAnchorDay,
    ReturnVisitLink,
)
from yingxiao.activities.return_visits import return_visit_punctuality
from yingxiao.activities.schedule import punctuality_counts, use_schedule_tables
from yingxiao.activities.services import activity_log
from yingxiao.activities.statistics import reference_punctuality_counts, return_visit_punctuality_counts
from yingxiao.customers.models import Customer
from yingxiao.org.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the schedule tables are kept by PostgreSQL"),
]
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2027, 5, 20)


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SH)


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _expected_links() -> set[tuple[int, dt.datetime, dt.datetime | None, dt.datetime | None]]:
    """The links computed from the activities: each counted instant with its neighbours."""
    visits: dict[int, set[dt.datetime]] = defaultdict(set)
    for customer_id, occurred_at in Activity.objects.filter(return_visit_counts=True).values_list(
        "customer_id", "occurred_at"
    ):
        visits[customer_id].add(occurred_at)
    links = set()
    for customer_id, instants in visits.items():
        ordered = sorted(instants)
        for i, moment in enumerate(ordered):
            before = ordered[i - 1] if i else None
            after = ordered[i + 1] if i + 1 < len(ordered) else None
            links.add((customer_id, moment, before, after))
    return links


def _assert_exact() -> None:
    # rule: ACT-2 — the tables equal what the history and the activities say, after every write.
    starts = dict(
        Customer.history.filter(stage=Customer.Stage.DEAL)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    assert dict(DealStart.objects.values_list("customer_id", "became_deal_at")) == starts
    links = _expected_links()
    kept = set(ReturnVisitLink.objects.values_list("customer_id", "occurred_at", "previous_at", "next_at"))
    assert kept == links
    # Each transacted customer's anchor (last counted visit since the deal, else the deal), and the day counts.
    last: dict[int, dt.datetime] = {}
    anchors = {}
    for pk, registered_at in Customer.objects.filter(stage=Customer.Stage.DEAL, is_archived=False).values_list(
        "pk", "registered_at"
    ):
        since = starts.get(pk, registered_at)
        visits = [moment for customer_id, moment, _b, _a in links if customer_id == pk and moment > since]
        last[pk] = max(visits, default=since)
        anchors[pk] = (timezone.localdate(last[pk]) - dt.date(1970, 1, 1)).days
    assert dict(ReturnVisitAnchor.objects.values_list("customer_id", "anchor_day")) == anchors
    per_day = Counter(anchors.values())
    kept_days = {day: n for day, n in ReturnVisitAnchorDay.objects.values_list("anchor_day", "customers") if n}
    assert kept_days == dict(per_day)
    assert not ReturnVisitAnchorDay.objects.filter(customers__lt=0).exists()


def _log(actor: User, customer: Customer, when: dt.datetime, kind: str = Activity.Kind.CALL) -> Activity:
    with time_machine.travel(when, tick=False):
        return activity_log(
            actor=actor,
            customer=customer,
            kind=kind,
            occurred_at=when,
            subject="回访",
            result="满意",
            is_return_visit=True,
        )


def test_act_2_schedule_tables_follow_every_write_path(personas: Personas) -> None:
    p = personas
    assert use_schedule_tables()
    with time_machine.travel(at(2027, 1, 5), tick=False):
        dealt = CustomerFactory(owner=p.rep, department=p.domestic, stage=Customer.Stage.DEAL)
        later = CustomerFactory(owner=p.rep, department=p.domestic)
        other = CustomerFactory(owner=p.other_rep, department=p.international, stage=Customer.Stage.DEAL)
    _assert_exact()
    # A save through the model records history: becoming a deal later, then saved again (the first counts).
    with time_machine.travel(at(2027, 2, 1), tick=False):
        later.stage = Customer.Stage.DEAL
        later.save()
    with time_machine.travel(at(2027, 2, 9), tick=False):
        later.save()
    _assert_exact()
    assert DealStart.objects.get(customer_id=later.pk).became_deal_at == at(2027, 2, 1)
    # Return visits through the service, one logged late (the streak is recounted), SMS runs (ACT-3).
    rep = _fresh(p.rep)
    _log(rep, dealt, at(2027, 2, 1))
    _log(rep, dealt, at(2027, 3, 1))
    _log(rep, dealt, at(2027, 2, 15))  # late: before a later return visit
    for day in (5, 6, 7, 8):
        _log(rep, dealt, at(2027, 4, day), kind=Activity.Kind.SMS)
    assert Activity.objects.filter(customer=dealt, is_return_visit=True, return_visit_counts=False).exists()
    _assert_exact()
    _log(rep, dealt, at(2027, 4, 1))  # late again: the SMS run after it is recounted
    _assert_exact()
    # Bulk paths behind the services' back: bulk insert, two visits at one instant, updates, a move, deletes.
    Activity.objects.bulk_create(
        Activity(
            customer=customer,
            staff=p.rep,
            kind=Activity.Kind.VISIT,
            occurred_at=when,
            subject="回访",
            is_return_visit=True,
            return_visit_counts=True,
        )
        for customer, when in (
            (later, at(2027, 3, 3)),
            (later, at(2027, 3, 3)),
            (later, at(2027, 5, 1)),
            (other, at(2027, 1, 9)),
        )
    )
    _assert_exact()
    Activity.objects.filter(customer=later, occurred_at=at(2027, 5, 1)).update(occurred_at=at(2027, 4, 20))
    _assert_exact()
    Activity.objects.filter(customer=dealt, occurred_at=at(2027, 3, 1)).update(return_visit_counts=False)
    _assert_exact()
    Activity.objects.filter(customer=dealt, occurred_at=at(2027, 2, 15)).update(customer=other)
    _assert_exact()
    Activity.objects.filter(customer=later, occurred_at=at(2027, 3, 3)).first().delete()  # one of two at an instant
    _assert_exact()
    Activity.objects.filter(customer=other).delete()
    _assert_exact()
    # The customer itself: archived and back, no longer a deal, registered earlier, deleted with its contacts.
    Customer.objects.filter(pk=dealt.pk).update(is_archived=True)
    _assert_exact()
    Customer.objects.filter(pk=dealt.pk).update(is_archived=False)
    Customer.objects.filter(pk=other.pk).update(stage=Customer.Stage.LOST)
    _assert_exact()
    Customer.objects.filter(pk=other.pk).update(stage=Customer.Stage.DEAL, registered_at=at(2026, 12, 1))
    _assert_exact()
    gone = CustomerFactory(owner=p.rep, department=p.domestic, stage=Customer.Stage.DEAL)
    _assert_exact()
    Customer.objects.filter(pk=gone.pk).delete()
    _assert_exact()
    # History written in bulk (imports), edited and cleaned.
    with time_machine.travel(at(2027, 1, 20), tick=False):
        imported = bulk_create_with_history(
            [
                Customer(name="导入成交甲", phone="13911110001", owner=p.rep, department=p.domestic, stage="deal"),
                Customer(name="导入潜在乙", phone="13911110002", owner=p.rep, department=p.domestic),
            ],
            Customer,
            default_date=at(2027, 1, 20),
        )
    _assert_exact()
    Customer.history.filter(id=later.pk, history_date=at(2027, 2, 1)).update(history_date=at(2027, 1, 25))
    _assert_exact()
    Customer.history.filter(id=later.pk, stage=Customer.Stage.DEAL).order_by("history_date").first().delete()
    _assert_exact()
    Customer.history.filter(id__in=[c.pk for c in imported]).delete()
    _assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key check left pending
        cursor.execute("TRUNCATE customers_historicalcustomer")
    assert not DealStart.objects.exists()
    _assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE activities_activity CASCADE")
    assert not ReturnVisitLink.objects.exists()
    _assert_exact()


def _world(p: Personas, seed: int) -> None:
    """Deal customers of three owners who became a deal after registering, with counted return visits."""
    rng = random.Random(seed)
    owners = [(p.rep, p.domestic), (p.teammate, p.domestic), (p.other_rep, p.international)]
    for n in range(15):
        owner, department = owners[n % 3]
        registered = at(2026, 8, 1) + dt.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 12))
        with time_machine.travel(registered, tick=False):
            customer = CustomerFactory(owner=owner, department=department, registered_at=registered)
        since = registered + dt.timedelta(days=rng.choice([0, 5, 40]), hours=rng.randint(0, 10))
        if n % 5:
            with time_machine.travel(since, tick=False):  # a history row says when it became a deal
                customer.stage = Customer.Stage.DEAL
                customer.save()
        else:  # no history of it: the registration time counts
            Customer.objects.filter(pk=customer.pk).update(stage=Customer.Stage.DEAL)
        moment, visits = since - dt.timedelta(days=10), []
        while True:
            moment += dt.timedelta(days=rng.choice([0, 1, 29, 30, 31, 44, 60, 61, 90, 130]), hours=rng.randint(0, 20))
            if moment.date() >= TODAY + dt.timedelta(days=20):
                break
            visits.append(
                Activity(
                    customer=customer,
                    staff=owner,
                    kind=Activity.Kind.CALL,
                    occurred_at=moment,
                    subject="回访",
                    is_return_visit=True,
                    return_visit_counts=rng.random() > 0.15,
                )
            )
        Activity.objects.bulk_create(visits)


def _periods() -> list[tuple[dt.date, dt.date]]:
    months, first = [], dt.date(2026, 9, 1)
    while first <= TODAY + dt.timedelta(days=40):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        months.append((first, following - dt.timedelta(days=1)))
        first = following
    weeks = [(TODAY - dt.timedelta(days=d + 6), TODAY - dt.timedelta(days=d)) for d in (0, 7, 30)]
    return [*months, (dt.date(2027, 1, 1), dt.date(2027, 3, 31)), (dt.date(2026, 1, 1), dt.date(2026, 12, 31)), *weeks]


@pytest.mark.parametrize("seed", [11, 12])
def test_act_2_punctuality_from_the_schedule_tables_equals_the_reference(personas: Personas, seed: int) -> None:
    _world(personas, seed)
    _assert_exact()
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10), tzinfo=SH), tick=False):
        for persona in ("director", "head", "rep", "other_rep"):
            viewer = _fresh(getattr(personas, persona))
            for first, last in _periods():
                fast = punctuality_counts(viewer, first, last)
                assert fast == reference_punctuality_counts(viewer, first, last), (persona, first, last)
                assert fast == return_visit_punctuality_counts(viewer, first, last)
                # The director's figure from the anchor days equals the per-customer statement.
                assert fast == punctuality_counts(viewer, first, last, whole_centre=False), (persona, first)
            domestic = punctuality_counts(
                viewer, dt.date(2027, 1, 1), dt.date(2027, 3, 31), department_id=personas.domestic.pk
            )
            reference = reference_punctuality_counts(
                viewer, dt.date(2027, 1, 1), dt.date(2027, 3, 31), department_id=personas.domestic.pk
            )
            assert domestic == reference, persona
        # …and both equal the schedule walked customer by customer, month by month.
        director = _fresh(personas.director)
        for first, last in _periods()[:9]:
            report = return_visit_punctuality(director, first)
            assert punctuality_counts(director, first, last) == (report.total.on_time, report.total.due), first
        assert punctuality_counts(director, dt.date(2027, 1, 1), dt.date(2027, 3, 31))[1] > 0
