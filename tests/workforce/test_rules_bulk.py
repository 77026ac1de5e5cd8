"""HR-7 in bulk: the sweep's set-based ``apply_batch`` gives the same violations as ``apply`` one
finding at a time (the frontline author's superior paying double, DIS-1), in a number of queries
that does not grow with the number of late reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yingxiao.approvals.models import Instance
from yingxiao.approvals.registry import get_request_type
from yingxiao.approvals.services import flow_for
from yingxiao.performance.models import Violation
from yingxiao.policy import engine, values
from yingxiao.policy.registry import Finding, get_rule
from yingxiao.workforce import reports

from .conftest import at, fresh

pytestmark = pytest.mark.django_db
MON = dt.date(2025, 3, 3)


def _findings(rule_id: str, as_of: dt.datetime) -> list[Finding]:
    """The rule's findings prepared as the engine prepares them (as-of time, explanation)."""
    rule = get_rule(rule_id)
    render = engine.explainer(rule, values.stored_values(rule.params, at=as_of), as_of)
    return [replace(f, as_of=as_of, explanation=render(dict(f.facts))) for f in rule.check(as_of)]


def _ledger() -> list[tuple[Any, ...]]:
    return sorted(
        (
            v.person_id, v.department_id, v.kind, v.breach_key, v.evidence, v.amount, v.status,
            v.content_type_id, v.object_id, v.origin.breach_key if v.origin else None,
            v.approval.title, v.approval.current_approver_id, v.approval.amount, v.approval.decisions.count(),
        )
        for v in Violation.objects.select_related("origin", "approval")
    )  # fmt: skip


def test_hr_7_bulk_apply_equals_one_by_one(wf) -> None:
    with time_machine.travel(at(MON, 9, 31), tick=False):
        reports.report_submit(actor=fresh(wf.teammate), kind="daily_plan", day=MON, content="拜访甲公司")  # late
    as_of = at(MON, 20)
    with time_machine.travel(as_of, tick=False):
        findings = _findings("HR-7", as_of)
        rule = get_rule("HR-7")
        point = transaction.savepoint_create()
        single = [rule.apply(f) for f in findings]
        one_by_one = _ledger()
        transaction.savepoint_rollback(point)
        assert not Violation.objects.exists() and not Instance.objects.filter(request_type="violation").exists()
        bulk = rule.apply_batch(findings)
        in_bulk = _ledger()
    assert bulk == single and all(bulk) and in_bulk == one_by_one
    teammate_plan = Violation.objects.get(person=wf.teammate, kind="own", breach_key__contains=f"daily_plan:{MON}")
    assert teammate_plan.object_id is not None  # the late report is the subject
    assert Violation.objects.filter(origin=teammate_plan, person=wf.head, kind="supervisor").exists()


def test_hr_7_bulk_apply_skips_reports_submitted_on_time_since_found(wf) -> None:
    as_of = at(MON, 20)
    with time_machine.travel(as_of, tick=False):
        findings = _findings("HR-7", as_of)
    with time_machine.travel(at(MON, 9), tick=False):  # an on-time report appears (e.g. restored) after the check
        reports.report_submit(actor=fresh(wf.rep), kind="daily_plan", day=MON, content="拜访乙公司")
    with time_machine.travel(as_of, tick=False):
        done = get_rule("HR-7").apply_batch(findings)
    skipped = [f for f, ok in zip(findings, done, strict=True) if not ok]
    assert [(f.person_id, f.key) for f in skipped] == [(wf.rep.pk, f"daily_plan:{MON}")]


def test_hr_7_bulk_apply_query_count_does_not_grow_with_the_findings(wf) -> None:
    as_of = at(MON, 20)
    flow_for(get_request_type("violation"))  # the approval flow is created on first use
    with time_machine.travel(as_of, tick=False):
        findings = _findings("HR-7", as_of)
        today = [f for f in findings if f.key.endswith(MON.isoformat())]
        earlier = [f for f in findings if not f.key.endswith(MON.isoformat())]  # the week looked back on
        assert {f.person_id for f in today} == {f.person_id for f in earlier}
        assert len(earlier) > 2 * len(today)
        rule = get_rule("HR-7")
        with CaptureQueriesContext(connection) as few:
            rule.apply_batch(today)
        with CaptureQueriesContext(connection) as many:
            rule.apply_batch(earlier)
    assert len(many) == len(few)  # per batch: the same people, posts and routing, nothing per finding
