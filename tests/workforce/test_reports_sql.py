"""HR-7 inside the database (PostgreSQL): ``check_sql`` of the late-report violation and of its reminder
finds exactly the rows, keys, people and facts of the Python ``check`` — on-time, late and missing
reports, approved leave, the day of joining (in local time), a holiday and a 调休 make-up day, people
who left — and a sweep records the same results and violations (the superior's double share) as the
streamed check."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import AssignmentFactory, UserFactory
from yingxiao.core.models import CalendarDay, Notification
from yingxiao.org.models import Position, User
from yingxiao.performance.models import Violation
from yingxiao.policy import engine, values
from yingxiao.policy.models import RuleResult, RuleRun
from yingxiao.policy.registry import get_rule, run_sweep
from yingxiao.workforce import reports
from yingxiao.workforce.models import Leave, WorkReport

from .conftest import at, fresh

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
MON = dt.date(2025, 3, 3)
PLAN = WorkReport.Kind.DAILY_PLAN
SUMMARY = WorkReport.Kind.DAILY_SUMMARY


def submit(user: User, moment: dt.datetime, kind: str = PLAN, day: dt.date | None = None) -> WorkReport:
    with time_machine.travel(moment, tick=False):
        return reports.report_submit(actor=fresh(user), kind=kind, day=day or moment.date(), content="拜访甲公司")


def sql_findings(rule_id: str, as_of: dt.datetime) -> dict[str, tuple[Any, ...]]:
    """breach key → (subject, person, facts) as the rule's ``check_sql`` finds them."""
    sql, params = get_rule(rule_id).check_sql(as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {f"{subject}:{key}": (subject, person, json.loads(facts)) for subject, key, person, facts in rows}
    assert len(found) == len(rows)  # one row per breach
    return found


def assert_same(rule_id: str, as_of: dt.datetime) -> dict[str, tuple[Any, ...]]:
    with time_machine.travel(as_of, tick=False):
        expected = {
            f.breach_key: (f.subject_id, f.person_id, engine._jsonable(dict(f.facts)))
            for f in get_rule(rule_id).check(as_of)
        }
        assert sql_findings(rule_id, as_of) == expected, rule_id
    return expected


@pytest.fixture
def week(wf):
    """Monday's reports: the rep's plan on time, the teammate's late, the other rep on leave; a name with
    odd characters; a rep who joined on Monday at 00:30 local time (still Sunday in UTC)."""
    submit(wf.rep, at(MON, 9, 29))
    submit(wf.teammate, at(MON, 9, 31))  # late
    submit(wf.teammate, at(MON, 18, 50), kind=SUMMARY)
    Leave.objects.create(
        person=wf.other_rep, department=wf.international, kind="annual", requested_kind="annual", start_date=MON,
        end_date=MON, days=1, reason="年假", handover=wf.rep, status=Leave.Status.APPROVED,
    )  # fmt: skip
    User.objects.filter(pk=wf.rep.pk).update(display_name="张%伟 'O\"Brien' 測試")
    joiner = UserFactory(username="joiner", display_name="新人")
    AssignmentFactory(user=joiner, position=Position.objects.get(assignments__user=wf.rep))
    User.objects.filter(pk=joiner.pk).update(date_joined=at(MON, 0, 30))
    wf.joiner = joiner  # type: ignore[attr-defined]
    return wf


@pytest.mark.parametrize(
    "as_of",
    [
        at(MON, 8, 40),  # before the plan's deadline: the reminder's window
        at(MON, 9, 30),  # at the plan's deadline: not yet late (the window is [since, until))
        at(MON, 9, 31),
        at(MON, 20),  # both daily reports of the day late, and a week looked back on
        at(MON + dt.timedelta(days=1), 9, 0),
        at(dt.date(2025, 3, 8), 18, 30),  # the weekly report's deadline passed
    ],
)
def test_hr_7_checks_in_sql_find_what_the_python_checks_find(week, as_of):
    for rule_id in ("HR-7", "HR-7r"):
        assert_same(rule_id, as_of)


def test_hr_7_in_sql_late_on_time_leave_and_joining(week):
    found = assert_same("HR-7", at(MON, 20))
    today = {(person, facts["kind"]) for key, (_s, person, facts) in found.items() if key.endswith(f":{MON}")}
    plan, summary = (str(WorkReport.Kind(k).label) for k in (PLAN, SUMMARY))
    assert (week.rep.pk, plan) not in today and (week.rep.pk, summary) in today  # on time / missing
    assert (week.teammate.pk, plan) in today and (week.teammate.pk, summary) not in today  # late / on time
    assert not any(person == week.other_rep.pk for person, _kind in today)  # on approved leave
    assert not any(p == week.joiner.pk for _s, p, _f in found.values())  # joined on Monday: owes from Tuesday
    tuesday = assert_same("HR-7", at(MON + dt.timedelta(days=1), 20))
    assert {k for k, (_s, p, _f) in tuesday.items() if p == week.joiner.pk} == {
        f"{week.joiner.pk}:{kind}:{MON + dt.timedelta(days=1)}" for kind in (PLAN, SUMMARY)
    }
    assert {f["person"] for _s, p, f in found.values() if p == week.rep.pk} == {"张%伟 'O\"Brien' 測試"}
    reminded = assert_same("HR-7r", at(MON, 8, 40))
    reminded_people = {p for _s, p, _f in reminded.values()}
    assert reminded_people and week.head.pk in reminded_people  # the head has filed nothing
    # filed (on time or late: any submission settles the reminder), on leave, joined that day
    assert not reminded_people & {week.rep.pk, week.teammate.pk, week.other_rep.pk, week.joiner.pk}


def test_hr_7_in_sql_follows_the_business_calendar_and_who_owes(week):
    sat = dt.date(2025, 3, 8)
    CalendarDay.objects.create(date=sat, kind=CalendarDay.Kind.HOLIDAY, name="假日")  # the weekly moves to Monday
    CalendarDay.objects.create(date=dt.date(2025, 3, 9), kind=CalendarDay.Kind.WORKDAY, name="调休")
    User.objects.filter(pk=week.other_rep.pk).update(status=User.Status.LEFT)
    found = assert_same("HR-7", at(dt.date(2025, 3, 10), 18, 30))
    assert any(":weekly:" in key for key in found) and any(key.endswith(":2025-03-09") for key in found)
    assert not any(p == week.other_rep.pk for _s, p, _f in found.values())
    assert not any(key.endswith(f":{sat}") for key in found)  # a holiday owes no daily report
    assert_same("HR-7", at(sat, 18, 30))  # the weekly report not due on the holiday
    assert_same("HR-7r", at(dt.date(2025, 3, 10), 17, 50))


def test_hr_7_sweep_in_the_database_records_and_fines_as_the_python_sweep(week):
    as_of = at(MON, 20)
    rule = get_rule("HR-7")
    params = values.stored_values(rule.params, at=as_of)
    render = engine.explainer(rule, params, as_of)
    with time_machine.travel(as_of, tick=False):
        assert engine._in_database(rule, as_of, params)
        expected = {
            f.breach_key: (f.subject_id, f.person_id, engine._jsonable(dict(f.facts)), render(dict(f.facts)))
            for f in rule.check(as_of)
        }
        run = run_sweep("HR-7", as_of=as_of).runs[0]
        assert run_sweep("HR-7", as_of=as_of + dt.timedelta(minutes=30)).recorded == 0
    recorded = {
        r.breach_key: (r.subject_id, r.person_id, r.inputs["facts"], r.explanation)
        for r in RuleResult.objects.filter(rule_id="HR-7")
    }
    assert recorded == expected and run.found == run.applied == len(expected) > 0
    own = Violation.objects.filter(rule_id="HR-7", kind=Violation.Kind.OWN)
    assert {v.breach_key for v in own} == {f"HR-7:report:{key}" for key in expected}
    assert {v.evidence for v in own} == {text for *_rest, text in expected.values()}
    late_plan = own.get(person=week.teammate, breach_key__endswith=f"daily_plan:{MON}")
    assert late_plan.object_id == WorkReport.objects.get(person=week.teammate, kind=PLAN).pk
    assert Violation.objects.filter(origin=late_plan, kind=Violation.Kind.SUPERVISOR, person=week.head).exists()


# --- the violations applied inside the database (``violation_sql``) --------------------------------
def _report(pk: int | None) -> tuple[Any, ...] | None:
    """A violation's report by what it is (the two applies compared file it with different ids)."""
    return WorkReport.objects.values_list("person_id", "kind", "period_start").get(pk=pk) if pk else None


def _written() -> tuple[Any, ...]:
    """Everything an apply writes, without ids: the ledger with its approvals, result outcomes, notices."""
    ledger = sorted(
        (
            v.person_id, v.department_id, v.kind, v.breach_key, v.evidence, v.amount, v.status,
            v.content_type_id, _report(v.object_id), v.origin.breach_key if v.origin else None,
            v.approval.title, v.approval.current_approver_id, v.approval.amount, v.approval.decisions.count(),
        )
        for v in Violation.objects.select_related("origin", "approval")
    )  # fmt: skip
    outcomes = sorted(RuleResult.objects.values_list("breach_key", "outcome"))
    notices = sorted(Notification.objects.values_list("recipient_id", "message"))
    return ledger, outcomes, notices


def _record_change_apply(as_of: dt.datetime, change: Any, *, in_sql: bool, monkeypatch) -> tuple[Any, ...]:
    """Record HR-7's findings, ``change`` the reports, apply (the SQL path or ``apply_batch``):
    what was written, rolled back afterwards."""
    rule = get_rule("HR-7")
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
        with time_machine.travel(as_of, tick=False), CaptureQueriesContext(connection) as queries:
            engine._apply_pending_sql(rule, summary, None, in_db.apply)
        written = _written()
        transaction.savepoint_rollback(point)
    assert any("breached AS" in q["sql"] for q in queries) == in_sql
    return (summary.found, summary.applied, summary.skipped), written


def test_hr_7_violations_applied_in_sql_are_those_apply_batch_writes(week, monkeypatch):
    as_of = at(MON, 20)

    def change() -> None:  # after the check: one summary filed on time (restored), one late
        submit(week.head, at(MON, 18), kind=SUMMARY)
        submit(week.rep, at(MON, 19, 30), kind=SUMMARY)

    in_sql = _record_change_apply(as_of, change, in_sql=True, monkeypatch=monkeypatch)
    in_python = _record_change_apply(as_of, change, in_sql=False, monkeypatch=monkeypatch)
    assert in_sql == in_python
    (found, applied, skipped), (ledger, outcomes, _notices) = in_sql
    assert skipped == 1 and found == applied + 1 > 2
    assert (f"{week.head.pk}:{SUMMARY}:{MON}", RuleResult.Outcome.SKIPPED) in outcomes
    late = {row[3]: row for row in ledger if row[2] == "own"}
    assert late[f"HR-7:report:{week.rep.pk}:{SUMMARY}:{MON}"][8] == (week.rep.pk, SUMMARY, MON)  # the late report
    assert late[f"HR-7:report:{week.teammate.pk}:{PLAN}:{MON}"][8] == (week.teammate.pk, PLAN, MON)
    assert late[f"HR-7:report:{week.head.pk}:{PLAN}:{MON}"][8] is None  # none filed: no subject
    assert any(row[2] == "supervisor" and row[0] == week.head.pk for row in ledger)  # DIS-1 double share
