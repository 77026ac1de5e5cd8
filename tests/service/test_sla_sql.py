"""CMP-2 and CMP-5 inside the database (PostgreSQL): each SLA clock rule's ``check_sql`` finds exactly
the rows, keys, people and facts of its Python ``check`` — at and around the deadline on the business
calendar, with an absent head, a department without a head, odd customer names and a deadline with
microseconds — and a sweep records the same results and the same violations as the streamed check."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, DepartmentFactory
from yingxiao.core.models import CalendarDay, Notification
from yingxiao.org.models import User
from yingxiao.performance.models import Violation
from yingxiao.policy import engine, values
from yingxiao.policy.models import RuleResult, RuleRun
from yingxiao.policy.registry import get_rule, run_sweep
from yingxiao.service.models import Complaint, ComplaintEvent

from .conftest import assign, make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2025, 1, 3, 10, 0, tzinfo=TZ)  # a Friday
MONDAY_CLOSE = dt.datetime(2025, 1, 6, 18, 0, tzinfo=TZ)  # its CMP-2 deadline
CLOCK_RULES = ("CMP-2", "CMP-2e", "CMP-2r", "CMP-5", "CMP-5e", "CMP-5r")


def sql_findings(rule_id: str, as_of: dt.datetime) -> dict[str, tuple[Any, ...]]:
    """breach key → (subject, person, facts) as the rule's ``check_sql`` finds them."""
    sql, params = get_rule(rule_id).check_sql(as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {
        f"{subject}:{key}" if key else str(subject): (subject, person, json.loads(facts))
        for subject, key, person, facts in rows
    }
    assert len(found) == len(rows)  # one row per breach
    return found


def python_findings(rule_id: str, as_of: dt.datetime) -> dict[str, tuple[Any, ...]]:
    return {
        f.breach_key: (f.subject_id, f.person_id, engine._jsonable(dict(f.facts)))
        for f in get_rule(rule_id).check(as_of)
    }


def assert_same(rule_id: str, as_of: dt.datetime) -> dict[str, tuple[Any, ...]]:
    with time_machine.travel(as_of, tick=False):
        expected = python_findings(rule_id, as_of)
        assert sql_findings(rule_id, as_of) == expected, rule_id
    return expected


@pytest.fixture
def complaints(cmp, customer) -> dict[str, Complaint]:
    """Friday's complaints: one of 甲公司, one with an odd name, one of a department without a head."""
    orphan = DepartmentFactory(name="无主管部门")  # no head post anywhere up the line
    odd = CustomerFactory(name="百分比%公司 'O\"Brien' — 測試", owner=cmp.rep, department=cmp.domestic)
    with time_machine.travel(FRIDAY, tick=False):
        return {
            "plain": make_complaint(cmp.cs, customer),
            "odd": make_complaint(cmp.cs, odd, responsible_department=cmp.service_dept),
            "orphan": make_complaint(cmp.cs, customer, responsible_department=orphan),
        }


@pytest.mark.parametrize(
    "as_of",
    [
        dt.datetime(2025, 1, 4, 12, 0, tzinfo=TZ),  # Saturday: nothing due yet
        dt.datetime(2025, 1, 6, 13, 59, tzinfo=TZ),  # just before the reminder's lead time
        dt.datetime(2025, 1, 6, 14, 0, tzinfo=TZ),  # four working hours before the deadline
        MONDAY_CLOSE,  # at the deadline: reminded, not breached
        MONDAY_CLOSE + dt.timedelta(minutes=1),  # breached
        dt.datetime(2025, 1, 20, 9, 0, tzinfo=TZ),  # both clocks breached
    ],
)
def test_cmp_2_and_cmp_5_checks_in_sql_find_what_the_python_checks_find(complaints, as_of):
    for rule_id in CLOCK_RULES:
        assert_same(rule_id, as_of)


def test_cmp_2_in_sql_boundaries_heads_and_names(cmp, complaints):
    late = MONDAY_CLOSE + dt.timedelta(minutes=1)
    assert assert_same("CMP-2", MONDAY_CLOSE) == {}  # at the deadline itself: not yet breached
    found = assert_same("CMP-2", late)
    assert {subject for subject, _person, _facts in found.values()} == {c.pk for c in complaints.values()}
    people = {subject: person for subject, person, _facts in found.values()}
    assert people[complaints["plain"].pk] == cmp.head.pk  # the head of the customer's department
    assert people[complaints["odd"].pk] == cmp.cs_head.pk
    assert people[complaints["orphan"].pk] is None  # nobody answers: recorded, not applied
    escalated = assert_same("CMP-2e", late)
    assert {facts["head"] for _s, _p, facts in escalated.values()} == {str(cmp.head), str(cmp.cs_head), "—"}
    reminded = assert_same("CMP-2r", dt.datetime(2025, 1, 6, 14, 0, tzinfo=TZ))
    assert len(reminded) == 3


def test_cmp_2_in_sql_follows_the_calendar_the_absent_head_and_assignment(cmp, customer, complaints):
    CalendarDay.objects.create(date=dt.date(2025, 1, 6), kind=CalendarDay.Kind.HOLIDAY, name="假日")
    with time_machine.travel(FRIDAY, tick=False):
        moved = make_complaint(cmp.cs, customer)  # due Tuesday: Monday is a holiday
    assert moved.assign_due_at == dt.datetime(2025, 1, 7, 18, 0, tzinfo=TZ)
    User.objects.filter(pk=cmp.head.pk).update(status=User.Status.ABSENT, absent_until=dt.date(2025, 2, 1))
    with time_machine.travel(MONDAY_CLOSE - dt.timedelta(hours=1), tick=False):
        assign(cmp.cs_head, complaints["odd"])  # in time: off the CMP-2 clock, on the CMP-5 one
    late = MONDAY_CLOSE + dt.timedelta(minutes=1)
    found = assert_same("CMP-2", late)
    assert moved.pk not in {s for s, _p, _f in found.values()} and complaints["odd"].pk not in found
    reminded = assert_same("CMP-2r", dt.datetime(2025, 1, 7, 14, 0, tzinfo=TZ))
    assert {p for _s, p, _f in reminded.values()} == {cmp.director.pk}  # the head is away: the superior
    for rule_id in CLOCK_RULES:
        assert_same(rule_id, dt.datetime(2025, 1, 8, 9, 0, tzinfo=TZ))


def test_cmp_2_in_sql_keys_a_deadline_with_microseconds_as_python_does(complaints):
    odd_due = dt.datetime(2025, 1, 6, 18, 0, 0, 123450, tzinfo=TZ)
    Complaint.objects.filter(pk=complaints["plain"].pk).update(assign_due_at=odd_due)
    found = assert_same("CMP-2", MONDAY_CLOSE + dt.timedelta(minutes=1))
    assert any(key.endswith(".123450+00:00") for key in found)


def _recorded(rule_id: str) -> dict[str, tuple[Any, ...]]:
    return {
        r.breach_key: (r.subject_id, r.person_id, r.inputs["facts"], r.explanation, r.outcome)
        for r in RuleResult.objects.filter(rule_id=rule_id)
    }


@pytest.mark.parametrize("rule_id", ["CMP-2", "CMP-5"])
def test_cmp_2_sweep_in_the_database_records_and_fines_as_the_python_sweep(cmp, complaints, rule_id):
    assign_late = dt.datetime(2025, 1, 20, 9, 0, tzinfo=TZ)
    rule = get_rule(rule_id)
    render = engine.explainer(rule, values.stored_values(rule.params, at=assign_late), assign_late)
    with time_machine.travel(assign_late, tick=False):
        assert engine._in_database(rule, assign_late, values.stored_values(rule.params, at=assign_late))
        expected = {
            f.breach_key: (f.subject_id, f.person_id, engine._jsonable(dict(f.facts)), render(dict(f.facts)))
            for f in rule.check(assign_late)
        }
        run = run_sweep(rule_id, as_of=assign_late).runs[0]
        assert run_sweep(rule_id, as_of=assign_late + dt.timedelta(hours=1)).recorded == 0  # once per deadline
    recorded = _recorded(rule_id)
    assert {key: value[:4] for key, value in recorded.items()} == expected
    assert (run.found, run.applied, run.skipped) == (3, 2, 1)  # the orphan department's has nobody to fine
    assert recorded[next(k for k, v in expected.items() if v[1] is None)][4] == RuleResult.Outcome.SKIPPED
    fined = Violation.objects.filter(rule_id=rule_id, kind="own")
    assert sorted(fined.values_list("person_id", flat=True)) == sorted([cmp.head.pk, cmp.cs_head.pk])
    assert {v.evidence for v in fined} == {text for _s, p, _f, text in expected.values() if p is not None}
    assert ComplaintEvent.objects.filter(kind=ComplaintEvent.Kind.VIOLATION).count() == 2


# --- the violations applied inside the database (``violation_sql``) --------------------------------
def _ledger() -> list[tuple[Any, ...]]:
    return sorted(
        (
            v.person_id, v.department_id, v.kind, v.breach_key, v.evidence, v.amount, v.status,
            v.content_type_id, v.object_id, v.origin.breach_key if v.origin else None,
            v.approval.title, v.approval.current_approver_id, v.approval.amount, v.approval.decisions.count(),
        )
        for v in Violation.objects.select_related("origin", "approval")
    )  # fmt: skip


def _written() -> tuple[Any, ...]:
    """Everything an apply writes, without ids: ledger, complaint events, result outcomes, notices."""
    events = sorted(ComplaintEvent.objects.filter(kind="violation").values_list("complaint_id", "message"))
    outcomes = sorted(RuleResult.objects.values_list("breach_key", "outcome"))
    notices = sorted(Notification.objects.values_list("recipient_id", "message"))
    return _ledger(), events, outcomes, notices


def _record_change_apply(rule_id: str, as_of: dt.datetime, change: Any, *, in_sql: bool, monkeypatch) -> tuple:
    """Record the rule's findings, ``change`` the records, apply (the SQL path or ``apply_batch``):
    what was written, rolled back afterwards."""
    rule = get_rule(rule_id)
    params = values.stored_values(rule.params, at=as_of)
    with monkeypatch.context() as patch:
        if not in_sql:
            patch.setattr(type(rule), "violation_sql", lambda self, at: None)
        point = transaction.savepoint_create()
        with time_machine.travel(as_of, tick=False):
            run = RuleRun.objects.create(rule_id=rule.id, as_of=as_of, mode=RuleRun.Mode.APPLY, params=params)
            summary = engine.RunSummary(rule_id=rule.id, run_id=run.pk, mode=run.mode)
            in_db = engine._in_database(rule, as_of, params)
            assert in_db is not None
            engine._record_sql(rule, run, summary, params, in_db)
            change()
            with CaptureQueriesContext(connection) as queries:
                engine._apply_pending_sql(rule, summary, None, in_db.apply)
        written = _written()
        transaction.savepoint_rollback(point)
    assert any("breached AS" in q["sql"] for q in queries) == in_sql
    return (summary.found, summary.applied, summary.skipped), written


@pytest.mark.parametrize("rule_id", ["CMP-2", "CMP-5"])
def test_cmp_2_violations_applied_in_sql_are_those_apply_batch_writes(cmp, customer, complaints, rule_id, monkeypatch):
    with time_machine.travel(FRIDAY, tick=False):
        kept = make_complaint(cmp.cs, customer, matter="第二次投诉")
    field = "assign_due_at" if rule_id == "CMP-2" else "close_due_at"
    as_of = dt.datetime(2025, 1, 20, 9, 0, tzinfo=TZ)

    def change() -> None:  # after the check: one complaint handled, one deadline moved
        if rule_id == "CMP-2":
            Complaint.objects.filter(pk=complaints["plain"].pk).update(status=Complaint.Status.ASSIGNED)
        else:
            Complaint.objects.filter(pk=complaints["plain"].pk).update(status=Complaint.Status.CLOSED, closed_at=as_of)
        odd = Complaint.objects.get(pk=complaints["odd"].pk)
        Complaint.objects.filter(pk=odd.pk).update(**{field: getattr(odd, field) + dt.timedelta(hours=1)})

    in_sql = _record_change_apply(rule_id, as_of, change, in_sql=True, monkeypatch=monkeypatch)
    in_python = _record_change_apply(rule_id, as_of, change, in_sql=False, monkeypatch=monkeypatch)
    assert in_sql == in_python
    counts, (ledger, events, _outcomes, _notices) = in_sql
    assert counts == (4, 1, 3)  # handled, moved, nobody answers: skipped
    assert [(row[0], row[2], row[8]) for row in ledger] == [(cmp.head.pk, "own", kept.pk)]
    assert ledger[0][3].startswith(f"{rule_id}:complaint:{kept.pk}:") and ledger[0][5] == 20
    assert [complaint for complaint, _message in events] == [kept.pk]
